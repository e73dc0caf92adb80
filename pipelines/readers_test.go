package pipelines

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// tree lists every path under root with its size and modification time: what "creates nothing,
// changes nothing" is checked against.
func tree(t *testing.T, root string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %d", p, fi.Mode(), fi.ModTime().Format(time.RFC3339Nano), fi.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestOpenLakeReadOnlyRefusesWhatIsNoLake(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo")
	plain := filepath.Join(dir, "plain")
	if err := os.MkdirAll(filepath.Join(plain, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, dir)
	for _, tt := range []struct{ path, want string }{
		{missing, "does not exist"},
		{plain, "has no runs/ directory"},
		{file, "is a file"},
	} {
		if _, err := OpenLakeReadOnly(tt.path); !errors.Is(err, ErrNotLake) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "--lake") {
			t.Errorf("OpenLakeReadOnly(%s): %v, want ErrNotLake saying %q and naming --lake", tt.path, err, tt.want)
		}
	}
	if after := tree(t, dir); after != before {
		t.Errorf("OpenLakeReadOnly created or changed files:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestReadOnlyLakeReadsWithoutChangingIt: every reading method works on a read-only handle of a
// read-only directory, and leaves the lake exactly as it was; writing stages refuse.
func TestReadOnlyLakeReadsWithoutChangingIt(t *testing.T) {
	w := openTestLake(t)
	opts := startSampleWeb(t, 0.05)
	for range 2 {
		if _, err := w.RunAll(t.Context(), RunOptions{Collect: opts, AllowPartial: true}); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	// Read-only on disk too (root ignores the bits, but everyone else does not).
	_ = filepath.WalkDir(w.Root, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			mode := os.FileMode(0o444)
			if d.IsDir() {
				mode = 0o555
			}
			_ = os.Chmod(p, mode)
		}
		return nil
	})
	t.Cleanup(func() {
		_ = filepath.WalkDir(w.Root, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				_ = os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	before := tree(t, w.Root)
	r, err := OpenLakeReadOnly(w.Root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := r.Runs(); err != nil {
		t.Errorf("Runs: %v", err)
	}
	table, err := r.PublishedScores(ctx, "")
	if err != nil || len(table.Rows) == 0 {
		t.Errorf("PublishedScores: %v", err)
	}
	if _, err := r.Quality(ctx); err != nil {
		t.Errorf("Quality: %v", err)
	}
	if _, _, _, err := r.ScoreDiff(ctx, "", "", ""); err != nil {
		t.Errorf("ScoreDiff: %v", err)
	}
	if _, err := r.Weights(ctx, "", FrameworkSource{}); err != nil {
		t.Errorf("Weights: %v", err)
	}
	if rep, err := r.Lineage(ctx, LineageQuery{City: table.Rows[0].City, Indicator: "industry.p2p.firms", Verify: true, Limit: 2}); err != nil || len(rep.Records) == 0 || !*rep.Records[0].Verified {
		t.Errorf("Lineage: %v %+v", err, rep)
	}
	if st, err := r.Status(); err != nil || st.Running || st.Run == nil || st.Run.Status != StatusSucceeded {
		t.Errorf("Status: %v %+v", err, st)
	}
	if _, err := r.Prune(ctx, PruneOptions{Keep: 1, DryRun: true}); err != nil {
		t.Errorf("Prune --dry-run: %v", err)
	}
	for name, err := range map[string]error{
		"Transform": func() error { _, err := r.Transform(ctx, TransformOptions{}); return err }(),
		"Score":     func() error { _, _, err := r.Score(ctx, ScoreOptions{AllowPartial: true}); return err }(),
		"Publish":   func() error { _, err := r.Publish(ctx, ""); return err }(),
		"Collect":   func() error { _, err := r.Collect(ctx, opts); return err }(),
		"RunAll":    func() error { _, err := r.RunAll(ctx, RunOptions{Collect: opts}); return err }(),
		"Prune":     func() error { _, err := r.Prune(ctx, PruneOptions{Keep: 1}); return err }(),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only lake: %v, want ErrReadOnly", name, err)
		}
	}
	if after := tree(t, w.Root); after != before {
		t.Errorf("reading changed the lake:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestReadersDuringACrawl: while a pipeline run crawls, a second handle reads the runs, the
// published scores and the run's progress; a reader holding the database open does not keep the
// writer from transforming, scoring and publishing; and afterwards readers see the new scores.
func TestReadersDuringACrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("two nights with a reader holding the snapshot (about 20 s)")
	}
	w := openTestLake(t)
	opts := startSampleWeb(t, 0.1)
	first, err := w.RunAll(t.Context(), RunOptions{Collect: opts, AllowPartial: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenLakeReadOnly(w.Root)
	if err != nil {
		t.Fatal(err)
	}
	// A reader that keeps the database open for the whole night.
	held, err := r.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	var n int
	if err := held.QueryRow(`SELECT count(*) FROM score_values`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("reading the held snapshot: %v, %d rows", err, n)
	}

	slow := opts
	slow.Crawl.Parallelism, slow.Crawl.Delay = 1, 15*time.Millisecond
	slow.ProgressEvery = 100 * time.Millisecond
	done := make(chan error, 1)
	var second *RunResult
	go func() {
		var err error
		second, err = w.RunAll(context.Background(), RunOptions{Collect: slow, AllowPartial: true})
		done <- err
	}()
	var seen *LakeStatus
	deadline := time.Now().Add(30 * time.Second)
	for seen == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		st, err := r.Status()
		if err != nil {
			t.Fatalf("Status during the crawl: %v", err)
		}
		if st.Running && len(st.Sources) == 1 && st.Sources[0].State == StatusRunning && st.Sources[0].Stats.Requests > 0 {
			seen = st
		}
	}
	if seen == nil {
		t.Fatal("Status never showed the running crawl's progress")
	}
	p := seen.Sources[0]
	if p.Source != "p2p" || p.ExpectedRecords != first.Collect[0].Rows || p.Elapsed <= 0 || p.RecordsPerSecond() < 0 || seen.Run.Plan == nil {
		t.Errorf("progress %+v: want p2p with the last run's %d records expected", p, first.Collect[0].Rows)
	}
	if seen.Stages[0].Stage != StageCollect || seen.Stages[0].State != StatusRunning || seen.Stages[1].State != SourcePending {
		t.Errorf("stages %+v: want collect running, transform pending", seen.Stages)
	}
	// Meanwhile yesterday's scores and the run list answer.
	table, err := r.PublishedScores(t.Context(), "")
	if err != nil || table.RunID != first.Score.RunID {
		t.Errorf("published scores during the crawl: %v (run %v), want %s", err, table, first.Score.RunID)
	}
	if runs, err := r.Runs(); err != nil || len(runs) < 5 {
		t.Errorf("runs during the crawl: %v, %d", err, len(runs))
	}
	if err := <-done; err != nil {
		t.Fatalf("the writer, with a reader holding its snapshot: %v", err)
	}
	table, err = r.PublishedScores(t.Context(), "")
	if err != nil || table.RunID != second.Score.RunID {
		t.Errorf("published scores after the run: %v, want the new run %s", err, second.Score.RunID)
	}
	// The held snapshot is still the old, consistent database.
	if err := held.QueryRow(`SELECT count(*) FROM score_values`).Scan(&n); err != nil || n == 0 {
		t.Errorf("the held snapshot after the writer moved on: %v", err)
	}
	snaps, _ := filepath.Glob(filepath.Join(w.Root, snapshotsDir, "fhi-*.duckdb"))
	if len(snaps) > snapshotsKept {
		t.Errorf("%d snapshots kept, want at most %d", len(snaps), snapshotsKept)
	}
}
