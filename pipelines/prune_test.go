package pipelines

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPrune: three nightly runs, the last two incremental; pruning to one run per stage removes
// the old partitions and database rows but keeps the WARC files the kept incremental run still
// points at, so the published score's lineage still verifies.
func TestPrune(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.1)
	var last *RunResult
	for night := range 3 {
		opts.Incremental = night > 0
		res, err := lake.RunAll(t.Context(), RunOptions{Collect: opts, AllowPartial: true})
		if err != nil {
			t.Fatal(err)
		}
		last = res
	}
	firstCollect := filepath.Join(lake.Root, "raw", "p2p")
	parts, _ := filepath.Glob(filepath.Join(firstCollect, "run=*"))
	if len(parts) != 3 {
		t.Fatalf("got %d partitions before pruning, want 3", len(parts))
	}

	dry, err := lake.Prune(t.Context(), PruneOptions{Keep: 1, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Runs) == 0 || len(dry.Files) == 0 {
		t.Fatalf("dry run found nothing to prune: %+v", dry)
	}
	if parts, _ := filepath.Glob(filepath.Join(firstCollect, "run=*")); len(parts) != 3 {
		t.Fatal("a dry run deleted partitions")
	}

	rep, err := lake.Prune(t.Context(), PruneOptions{Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != len(dry.Runs) {
		t.Errorf("pruned %d runs, the dry run announced %d", len(rep.Runs), len(dry.Runs))
	}
	parts, _ = filepath.Glob(filepath.Join(firstCollect, "run=*"))
	if len(parts) != 1 || filepath.Base(parts[0]) != "run="+last.Collect[0].RunID {
		t.Errorf("partitions left %v, want only the last run's", parts)
	}
	// The first night's WARC survives: the last (incremental) night's records point into it.
	warcs, _ := filepath.Glob(filepath.Join(lake.ArchiveDir("p2p"), "*.warc.gz"))
	if len(warcs) == 0 {
		t.Fatal("every WARC file was pruned")
	}
	r, err := lake.Lineage(t.Context(), LineageQuery{City: "北京", Indicator: "industry.p2p.firms", Limit: 20, Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range r.Records {
		if row.Verified == nil || !*row.Verified {
			t.Errorf("after pruning, record %s no longer verifies (%s)", row.RecordID, row.WARCFile)
		}
	}
	// Pruned runs are history now, not inputs.
	old := rep.Runs[0]
	m, err := lake.Run(old)
	if err != nil || m.PrunedAt == nil {
		t.Errorf("manifest of pruned run %s: %v, pruned_at %v", old, err, m)
	}
	if _, err := lake.Transform(t.Context(), TransformOptions{FromRuns: []string{firstCollectRun(t, lake)}}); err == nil {
		t.Error("a pruned collect run was accepted as transform input")
	}
	if again, err := lake.Prune(t.Context(), PruneOptions{Keep: 1}); err != nil || len(again.Runs) != 0 {
		t.Errorf("second prune: %v, %d runs", err, len(again.Runs))
	}
	if _, err := lake.Prune(t.Context(), PruneOptions{Keep: 0}); err == nil {
		t.Error("keep 0 accepted")
	}
	if _, err := os.Stat(lake.DBPath()); err != nil {
		t.Fatal(err)
	}
}

func firstCollectRun(t *testing.T, lake *Lake) string {
	t.Helper()
	runs, err := lake.Runs()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range runs {
		if m.Stage == StageCollect {
			return m.RunID
		}
	}
	t.Fatal("no collect run")
	return ""
}
