package pipelines

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	_ "github.com/fhi-index/fhi/collectors/all"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// startSampleWeb serves a small sample web for the test and returns collect options pointing at it;
// only p2p is collected unless the test says otherwise.
func startSampleWeb(t *testing.T, scale float64) CollectOptions {
	t.Helper()
	_, opts := serveSampleWeb(t, sampleweb.Options{Seed: 1, Scale: scale})
	opts.Sources = []string{"p2p"}
	return opts
}

// serveSampleWeb serves a sample web for the test and returns it with collect options giving every
// source its site (each on a host of its own), marked simulated as the CLI marks them.
func serveSampleWeb(t testing.TB, o sampleweb.Options) (*sampleweb.Server, CollectOptions) {
	t.Helper()
	srv, err := sampleweb.Start("127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	opts := CollectOptions{Crawl: collectors.DefaultOptions(), Simulated: true}
	opts.BaseURLs, opts.AllowedHosts = srv.Targets(collectors.Default.Sources())
	opts.Crawl.Parallelism, opts.Crawl.Delay, opts.Crawl.RandomDelay = 8, 0, 0
	opts.Crawl.Retry.BaseDelay, opts.Crawl.Retry.MaxDelay = time.Millisecond, time.Second
	return srv, opts
}

func openTestLake(t *testing.T) *Lake {
	t.Helper()
	l, err := OpenLake(filepath.Join(t.TempDir(), "lake"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestRunAllEndToEnd(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.2)
	res, err := lake.RunAll(t.Context(), RunOptions{Collect: opts, AllowPartial: true})
	if err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	table, err := lake.PublishedScores(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Rows) < 20 {
		t.Errorf("got %d ranked cities, want at least 20", len(table.Rows))
	}
	if table.Columns[0] != "total" {
		t.Errorf("first score column %q, want total", table.Columns[0])
	}
	for _, r := range table.Rows {
		for i, s := range r.Scores {
			if s < 0 || s > 100 {
				t.Errorf("%s %s = %g, outside [0, 100]", r.City, table.Columns[i], s)
			}
		}
	}
	if len(table.Missing) == 0 {
		t.Error("no missing indicators reported, but the thin slice provides only two of 39")
	}

	t.Run("the published report", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(lake.Root, "published", "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		for _, want := range []string{"Simulated data", ">北京</a>", res.Score.RunID, "<code>ecosystem.attention.baidu_heat</code>", "fhi lineage"} {
			if !strings.Contains(page, want) {
				t.Errorf("report.html lacks %q", want)
			}
		}
		if n := strings.Count(page, "<tr><td>"); n < 20 {
			t.Errorf("report.html has %d table rows, want the top 20 and more", n)
		}
	})
	t.Run("lineage reads back from the archive", func(t *testing.T) {
		checkRawLineage(t, lake, res.Collect[0])
	})
	t.Run("score alone reproduces the scores without HTTP", func(t *testing.T) {
		// Point nothing at the sample web: the score stage must not need it.
		m, _, err := lake.Score(t.Context(), ScoreOptions{AllowPartial: true})
		if err != nil {
			t.Fatal(err)
		}
		if m.Upstream[0] != res.Transform.RunID {
			t.Errorf("score read transform run %s, want the latest %s", m.Upstream[0], res.Transform.RunID)
		}
		again, err := lake.PublishedScores(t.Context(), m.RunID)
		if err != nil {
			t.Fatal(err)
		}
		if len(again.Rows) != len(table.Rows) {
			t.Fatalf("rescore has %d rows, want %d", len(again.Rows), len(table.Rows))
		}
		for i := range again.Rows {
			a, b := again.Rows[i], table.Rows[i]
			if a.City != b.City || a.Rank != b.Rank || a.Scores[0] != b.Scores[0] {
				t.Errorf("row %d: rescore %v, published %v", i, a, b)
			}
		}
	})
	t.Run("transform twice leaves identical tables", func(t *testing.T) {
		before := dumpTables(t, lake, "clean_p2p_platforms", "metrics", "metric_records", "quarantine")
		if _, err := lake.Transform(t.Context(), TransformOptions{}); err != nil {
			t.Fatal(err)
		}
		after := dumpTables(t, lake, "clean_p2p_platforms", "metrics", "metric_records", "quarantine")
		for name, b := range before {
			if after[name] != b {
				t.Errorf("table %s changed after a second transform", name)
			}
		}
	})
}

// checkRawLineage reads every raw row of a collect run and checks its lineage columns and that its
// archived response hashes to body_sha256.
func checkRawLineage(t *testing.T, lake *Lake, m *Manifest) {
	t.Helper()
	files, err := lake.rawFiles(m)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var nulls, rows int64
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE record_id IS NULL OR run_id IS NULL OR url IS NULL
		OR fetched_at IS NULL OR http_status IS NULL OR body_sha256 IS NULL OR warc_file IS NULL OR warc_offset IS NULL
		OR warc_record_id IS NULL) FROM read_parquet(?)`, files).Scan(&rows, &nulls); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || nulls != 0 || rows != m.Rows {
		t.Fatalf("got %d rows (%d with null lineage), manifest says %d", rows, nulls, m.Rows)
	}
	var dupIDs int64
	if err := db.QueryRow(`SELECT count(*) - count(DISTINCT record_id) FROM read_parquet(?)`, files).Scan(&dupIDs); err != nil {
		t.Fatal(err)
	}
	if dupIDs != 0 {
		t.Errorf("%d duplicate record ids in one run", dupIDs)
	}
	q, err := db.Query(`SELECT warc_file, warc_offset, body_sha256, url FROM read_parquet(?) USING SAMPLE 50 ROWS`, files)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for q.Next() {
		var file, sum, url string
		var off int64
		if err := q.Scan(&file, &off, &sum, &url); err != nil {
			t.Fatal(err)
		}
		resp, err := collectors.ReadResponse(filepath.Join(lake.ArchiveDir(m.Source), file), off)
		if err != nil {
			t.Fatalf("reading %s@%d: %v", file, off, err)
		}
		got := sha256.Sum256(resp.Body)
		if hex.EncodeToString(got[:]) != sum || resp.URL != url {
			t.Errorf("%s@%d: archived %s hashes to %x, row says %s %s", file, off, resp.URL, got, url, sum)
		}
	}
}

func dumpTables(t *testing.T, lake *Lake, tables ...string) map[string]string {
	t.Helper()
	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	for _, name := range tables {
		// Test-only: names are literals above.
		rows, err := db.Query(`SELECT * FROM ` + name + ` ORDER BY ALL`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var b strings.Builder
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
			n++
		}
		rows.Close()
		if n == 0 && name != "quarantine" {
			t.Errorf("table %s is empty", name)
		}
		out[name] = b.String()
	}
	return out
}

func TestStageErrors(t *testing.T) {
	lake := openTestLake(t)
	ctx := t.Context()
	if _, err := lake.Transform(ctx, TransformOptions{}); err == nil || !strings.Contains(err.Error(), "fhi collect") {
		t.Errorf("transform on an empty lake: got %v, want a hint to collect first", err)
	}
	if _, err := lake.Transform(ctx, TransformOptions{FromRuns: []string{"collect-nope"}}); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("transform --from-run unknown: got %v, want ErrRunNotFound", err)
	}
	if _, _, err := lake.Score(ctx, ScoreOptions{FromRun: "../../etc/passwd"}); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("score --from-run with a path: got %v, want ErrRunNotFound", err)
	}
	if _, err := lake.Collect(ctx, CollectOptions{Sources: []string{"nosuch"}, BaseURLs: map[string]string{"nosuch": "http://x"}}); !errors.Is(err, collectors.ErrUnknownSource) {
		t.Errorf("collect of an unknown source: got %v, want ErrUnknownSource", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLake(f); err == nil || !strings.Contains(err.Error(), "is a file") {
		t.Errorf("OpenLake on a file: got %v, want an error saying it is a file", err)
	}
	if _, err := OpenLake(lake.Root); !errors.Is(err, ErrLakeBusy) {
		t.Errorf("second OpenLake: got %v, want ErrLakeBusy", err)
	}
}

// TestFailedCollectLeavesNoPartition: a crawl that is interrupted publishes no partition, its
// manifest says interrupted, and the transform does not read it.
func TestInterruptedCollectLeavesNoPartition(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.2)
	ctx, cancel := context.WithCancel(t.Context())
	opts.Progress = func(p SourceProgress) {
		if p.Stats.Records > 0 {
			cancel()
		}
	}
	opts.Crawl.Parallelism = 1
	opts.Crawl.Delay = 20 * time.Millisecond // slow enough for the one-second progress tick to fire
	res, err := lake.Collect(ctx, opts)
	if err == nil {
		t.Fatal("interrupted collect returned no error")
	}
	ms := res.Runs
	if len(ms) != 1 || ms[0].Status != StatusInterrupted {
		t.Fatalf("got manifests %+v, want one interrupted run", ms)
	}
	parts, _ := filepath.Glob(filepath.Join(lake.Root, "raw", "p2p", "*"))
	if len(parts) != 0 {
		t.Errorf("interrupted run left %v", parts)
	}
	if _, err := lake.Transform(t.Context(), TransformOptions{}); err == nil {
		t.Error("transform read the interrupted run")
	}
}
