package pipelines

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

func crawlStats(t *testing.T, m *Manifest) collectors.Stats { return crawlDetails(t, m).Stats }

func crawlDetails(t *testing.T, m *Manifest) collectDetails {
	t.Helper()
	var d collectDetails
	if err := json.Unmarshal(m.Details, &d); err != nil {
		t.Fatalf("decoding details of %s: %v", m.RunID, err)
	}
	return d
}

// recordSet is every record of a collect run as "record_id|fields…" lines, sorted.
func recordSet(t *testing.T, lake *Lake, m *Manifest) string {
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
	var s string
	// Every field of every record, the lineage columns (which name the run) aside.
	err = db.QueryRow(`SELECT string_agg(CAST(r AS VARCHAR), chr(10) ORDER BY record_id) FROM (
		SELECT * EXCLUDE (run_id, source, record_key, url, fetched_at, http_status, body_sha256, warc_file, warc_offset, warc_record_id)
		FROM read_parquet(?, hive_partitioning = false)) r`, files).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func collectOne(t *testing.T, lake *Lake, opts CollectOptions) *Manifest {
	t.Helper()
	res, err := lake.Collect(t.Context(), opts)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	return res.Runs[0]
}

// TestIncrementalCollect: a second run against an unchanged site sends conditional requests,
// downloads at most 5% of the first run's body bytes and yields the same records.
func TestIncrementalCollect(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.2)
	first := collectOne(t, lake, opts)
	opts.Incremental = true
	second := collectOne(t, lake, opts)

	if r := crawlDetails(t, first).FinishReason; r != "completed" {
		t.Errorf("finish reason %q, want completed", r)
	}
	s1, s2 := crawlStats(t, first), crawlStats(t, second)
	if s2.NotModified == 0 || s2.Bytes*20 > s1.Bytes {
		t.Errorf("incremental run downloaded %d bytes (%d not modified); the first %d: want ≤ 5%%", s2.Bytes, s2.NotModified, s1.Bytes)
	}
	if second.Params["incremental_from"] != first.RunID {
		t.Errorf("incremental run names %q as its base, want %s", second.Params["incremental_from"], first.RunID)
	}
	if a, b := recordSet(t, lake, first), recordSet(t, lake, second); a != b {
		t.Error("the incremental run's records differ from the full run's")
	}
	// Its lineage still points at bytes that hash right: replayed records cite the first run's WARC.
	checkRawLineage(t, lake, second)
	// And it can be re-parsed offline, though most of its pages sit in the first run's archive.
	reparse := collectOne(t, lake, CollectOptions{FromArchive: second.RunID, Crawl: opts.Crawl})
	if a, b := recordSet(t, lake, second), recordSet(t, lake, reparse); a != b || crawlStats(t, reparse).Requests != 0 {
		t.Errorf("re-parse of an incremental run: records equal %v, %d requests", a == b, crawlStats(t, reparse).Requests)
	}
}

// TestFromArchiveReparse rebuilds a run's records from its archive with the site gone: p2p, and vc,
// whose old deal URLs answer 301 (a redirect is replayed from the archive and followed there).
func TestFromArchiveReparse(t *testing.T) {
	for _, source := range []string{"p2p", "vc"} {
		t.Run(source, func(t *testing.T) {
			lake := openTestLake(t)
			opts := startSampleWeb(t, 0.2)
			opts.Sources = []string{source}
			first := collectOne(t, lake, opts)

			reparse := collectOne(t, lake, CollectOptions{FromArchive: first.RunID, Crawl: opts.Crawl,
				BaseURLs: map[string]string{source: "http://127.0.0.1:1/unreachable"}})
			if st := crawlStats(t, reparse); st.Requests != 0 || st.Replayed == 0 {
				t.Errorf("re-parse made %d requests and replayed %d pages; want 0 requests", st.Requests, st.Replayed)
			}
			if reparse.Upstream[0] != first.RunID {
				t.Errorf("re-parse upstream %v, want %s", reparse.Upstream, first.RunID)
			}
			if a, b := recordSet(t, lake, first), recordSet(t, lake, reparse); a != b {
				t.Error("re-parsed records differ from the crawled ones")
			}
		})
	}
	lake := openTestLake(t)
	if _, err := lake.Collect(t.Context(), CollectOptions{FromArchive: "collect-nope"}); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("--from-archive of a missing run: %v", err)
	}
}

// TestResumeAfterInterrupt interrupts a crawl, resumes it and gets exactly the records of an
// uninterrupted run; pages fetched before the interruption are replayed, not fetched again.
func TestResumeAfterInterrupt(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.2)
	ctx, cancel := context.WithCancel(t.Context())
	slow := opts
	slow.Crawl.Parallelism, slow.Crawl.Delay = 1, 20*time.Millisecond
	slow.Progress = func(p SourceProgress) {
		if p.Stats.Records > 20 {
			cancel()
		}
	}
	interrupted, err := lake.Collect(ctx, slow)
	if err == nil {
		t.Fatal("interrupted collect succeeded")
	}
	if r := crawlDetails(t, interrupted.Runs[0]).FinishReason; r != "interrupted" {
		t.Errorf("interrupted run's finish reason %q", r)
	}
	resumed := collectOne(t, lake, CollectOptions{Resume: true, Sources: opts.Sources, BaseURLs: opts.BaseURLs, Crawl: opts.Crawl})
	if resumed.Status != StatusSucceeded || crawlStats(t, resumed).Replayed == 0 {
		t.Fatalf("resumed run: status %s, %d pages replayed", resumed.Status, crawlStats(t, resumed).Replayed)
	}
	full := collectOne(t, lake, opts)
	if a, b := recordSet(t, lake, resumed), recordSet(t, lake, full); a != b {
		al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
		for i := range min(len(al), len(bl)) {
			if al[i] != bl[i] {
				t.Errorf("the resumed run's records differ from an uninterrupted run's, first at\n%s\n%s", al[i], bl[i])
				break
			}
		}
	}
	checkRawLineage(t, lake, resumed)
	// Nothing left to resume is not a failure: `fhi collect --resume && fhi transform` goes on.
	again, err := lake.Collect(t.Context(), CollectOptions{Resume: true, Sources: opts.Sources, BaseURLs: opts.BaseURLs, Crawl: opts.Crawl})
	if err != nil || len(again.Runs) != 0 || len(again.NothingToResume) != 1 {
		t.Errorf("resume after a success: %v, %+v; want nil and p2p with nothing to resume", err, again)
	}
}

func TestHealthGatePages(t *testing.T) {
	prev := &Manifest{RunID: "collect-prev", Rows: 100}
	if err := healthGate("p2p", "http://x", 100, 4, prev, 10, false); !errors.Is(err, ErrHealthGate) || !strings.Contains(err.Error(), "4 pages, less than half of the 10") {
		t.Errorf("a run with the records but under half the pages: %v, want ErrHealthGate", err)
	}
	if err := healthGate("p2p", "http://x", 100, 4, prev, 10, true); err != nil {
		t.Errorf("with AllowDrop: %v", err)
	}
	if err := healthGate("p2p", "http://x", 100, 5, prev, 10, false); err != nil {
		t.Errorf("half the pages: %v", err)
	}
}

// TestRejectedRunKeepsItsFailures: a run that yields nothing publishes no partition, but its
// failures.json and pages.json stay where fhi quality finds them.
func TestRejectedRunKeepsItsFailures(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.05)
	good := collectOne(t, lake, opts)
	opts.BaseURLs["p2p"] = strings.TrimSuffix(opts.BaseURLs["p2p"], "/p2p") + "/moved"
	res, err := lake.Collect(t.Context(), opts)
	if !errors.Is(err, ErrNoRecords) || !strings.Contains(err.Error(), "fhi quality") {
		t.Fatalf("collect of a moved site: %v, want ErrNoRecords pointing at fhi quality", err)
	}
	bad := res.Runs[0]
	for _, name := range []string{"failures.json", "pages.json"} {
		if _, err := os.Stat(filepath.Join(lake.rejectedDir("p2p", bad.RunID), name)); err != nil {
			t.Errorf("the rejected run's %s is gone: %v", name, err)
		}
	}
	if len(bad.Outputs) != 2 {
		t.Errorf("the rejected run's manifest lists %v, want its failures and pages", bad.Outputs)
	}
	if parts, _ := filepath.Glob(filepath.Join(lake.Root, "raw", "p2p", "run=*")); len(parts) != 1 {
		t.Errorf("partitions %v, want the good run's only", parts)
	}
	q, err := lake.Quality(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range q {
		if r.Run == bad.RunID && r.Rejected && r.Count > 0 && strings.Contains(r.Reason, "404") {
			found = true
		}
	}
	if !found {
		t.Errorf("fhi quality does not list the rejected run's failures: %+v", q)
	}
	if m, _ := lake.LatestRun(StageCollect, "p2p"); m.RunID != good.RunID {
		t.Errorf("latest good run %s, want %s", m.RunID, good.RunID)
	}
}

func TestHealthGate(t *testing.T) {
	prev := &Manifest{RunID: "collect-prev", Rows: 100}
	tests := []struct {
		rows      int64
		prev      *Manifest
		allowDrop bool
		want      error
	}{
		{0, nil, false, ErrNoRecords},
		{0, prev, true, ErrNoRecords},
		{49, prev, false, ErrHealthGate},
		{49, prev, true, nil},
		{50, prev, false, nil},
		{5, nil, false, nil},
	}
	for _, tt := range tests {
		err := healthGate("p2p", "http://x", tt.rows, 10, tt.prev, 10, tt.allowDrop)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("healthGate(%d rows, prev %v, allowDrop %v) = %v, want %v", tt.rows, tt.prev != nil, tt.allowDrop, err, tt.want)
		}
	}
}

// TestHealthGateKeepsPreviousData: a source that suddenly shrinks fails its run and the previous
// run stays the one the transform reads.
func TestHealthGateKeepsPreviousData(t *testing.T) {
	lake := openTestLake(t)
	good := collectOne(t, lake, startSampleWeb(t, 0.2))
	small := startSampleWeb(t, 0.05)
	if _, err := lake.Collect(t.Context(), small); !errors.Is(err, ErrHealthGate) {
		t.Fatalf("collect of a shrunken site: %v, want ErrHealthGate", err)
	}
	if m, _ := lake.LatestRun(StageCollect, "p2p"); m == nil || m.RunID != good.RunID {
		t.Errorf("latest good run is %v, want %s", m, good.RunID)
	}
	small.AllowDrop = true
	if _, err := lake.Collect(t.Context(), small); err != nil {
		t.Errorf("collect with AllowDrop: %v", err)
	}
}
