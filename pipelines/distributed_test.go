package pipelines

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/frontier"
	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/google/go-cmp/cmp"
)

// sampleWebOptions serves a sample web with faults and returns collect options for every source.
func sampleWebOptions(t testing.TB, scale float64, faults sampleweb.Faults) (CollectOptions, *sampleweb.Server) {
	t.Helper()
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: scale, Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	opts := CollectOptions{BaseURLs: map[string]string{}, AllowedHosts: map[string][]string{}, Crawl: collectors.DefaultOptions(), Simulated: true}
	for _, src := range collectors.Default.Sources() {
		if site, ok := srv.Site(src.Site); ok {
			opts.BaseURLs[src.Name], opts.AllowedHosts[src.Name] = site.BaseURL, site.Hosts[1:]
		}
	}
	opts.Crawl.Parallelism, opts.Crawl.Delay, opts.Crawl.RandomDelay = 4, 0, 0
	opts.Crawl.Retry.BaseDelay, opts.Crawl.Retry.MaxDelay = time.Millisecond, time.Second
	return opts, srv
}

// partitionRecords reads every record of the runs' partitions: source → record id → fields (and
// the page it came from). A record id seen twice in one partition fails t.
func partitionRecords(t *testing.T, l *Lake, runs []*Manifest) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, m := range runs {
		if m.Status != StatusSucceeded {
			t.Errorf("collect run %s of %s: %s: %s", m.RunID, m.Source, m.Status, m.Error)
			continue
		}
		src, err := collectors.Default.Lookup(m.Source)
		if err != nil {
			t.Fatal(err)
		}
		recs := map[string]string{}
		parts, err := filepath.Glob(filepath.Join(l.RawDir(m.Source, m.RunID), "*.parquet"))
		if err != nil || len(parts) == 0 {
			t.Fatalf("run %s of %s: no part files (%v)", m.RunID, m.Source, err)
		}
		for _, p := range parts {
			err := collectors.ReadParquet(t.Context(), p, src.Fields, func(r collectors.Record) error {
				id := collectors.RecordID(m.Source, r.Key)
				if _, dup := recs[id]; dup {
					t.Errorf("%s: record %s (%s) twice", m.Source, id, r.Key)
				}
				b, _ := json.Marshal(r.Fields)
				recs[id] = r.URL + " " + string(b)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		out[m.Source] = recs
	}
	return out
}

// recordsEqual compares two crawls source by source, with a short diff.
func recordsEqual(t *testing.T, want, got map[string]map[string]string) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%d sources, want %d", len(got), len(want))
	}
	for src, w := range want {
		g := got[src]
		if len(w) == 0 {
			t.Errorf("%s: the single-process crawl has no records", src)
		}
		if diff := cmp.Diff(w, g); diff != "" {
			if len(diff) > 3000 {
				diff = diff[:3000] + "…"
			}
			t.Errorf("%s: %d records, want %d (-single +distributed):\n%s", src, len(g), len(w), diff)
		}
	}
}

func totalRecords(recs map[string]map[string]string) int {
	n := 0
	for _, r := range recs {
		n += len(r)
	}
	return n
}

// A crawl spread over workers of a shared frontier (here, goroutines of this process with their
// own read-only view of the lake) publishes exactly the records a single-process crawl does, with
// failures, page index, per-worker stats and only registered WARC files.
func TestDistributedCollectMatchesSingleProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("two crawls of the sample web and a redis-server; skipped with -short")
	}
	srv := frontiertest.Start(t, frontiertest.Options{})
	opts, _ := sampleWebOptions(t, 0.02, sampleweb.Faults{})

	single := openTestLake(t)
	sres, err := single.Collect(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := partitionRecords(t, single, sres.Runs)

	lake := openTestLake(t)
	f, err := frontier.Open(t.Context(), srv.URL(), frontier.Options{Prefix: "t", LeaseTTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wg sync.WaitGroup
	reports := make(chan *WorkerReport, 2)
	dopts := opts
	dopts.Distributed = &DistributedOptions{Frontier: f, Poll: 50 * time.Millisecond, Begun: func(run string) {
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				view, err := OpenLakeReadOnly(lake.Root)
				if err != nil {
					t.Error(err)
					return
				}
				rep, err := view.Work(t.Context(), f, WorkerOptions{ID: fmt.Sprintf("w%d", i), Run: run, Concurrency: 3, Poll: 20 * time.Millisecond, Log: t.Logf, Trace: t.Logf})
				if err != nil {
					t.Errorf("worker %d: %v", i, err)
				}
				reports <- rep
			}()
		}
	}}
	dres, err := lake.Collect(t.Context(), dopts)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(reports)
	got := partitionRecords(t, lake, dres.Runs)
	recordsEqual(t, want, got)

	var commits int64
	for rep := range reports {
		if rep != nil {
			commits += rep.Commits
		}
	}
	if commits == 0 {
		t.Error("the workers report no commit")
	}
	for i, m := range dres.Runs {
		var d distributedDetails
		if err := json.Unmarshal(m.Details, &d); err != nil {
			t.Fatal(err)
		}
		if d.Frontier.Run == "" || len(d.Frontier.Workers) == 0 || d.Frontier.Commits == 0 {
			t.Errorf("%s: frontier details %+v, want the run and its workers", m.Source, d.Frontier)
		}
		var sm distributedDetails
		_ = json.Unmarshal(sres.Runs[i].Details, &sm)
		if d.Pages != sm.Pages || d.Failures != sm.Failures {
			t.Errorf("%s: %d pages and %d failures, want %d and %d as in one process", m.Source, d.Pages, d.Failures, sm.Pages, sm.Failures)
		}
		// The manifest lists the partition and exactly the WARC files on disk for the run.
		warcs, _ := filepath.Glob(filepath.Join(lake.ArchiveDir(m.Source), m.RunID+"-*"))
		listed := 0
		for _, o := range m.Outputs {
			if strings.HasSuffix(o.Path, ".warc.gz") {
				listed++
			}
			if strings.Contains(o.Path, "workers") {
				t.Errorf("%s: the manifest lists a worker's file %s", m.Source, o.Path)
			}
		}
		if listed != len(warcs) || listed == 0 {
			t.Errorf("%s: manifest lists %d WARC files, %d on disk", m.Source, listed, len(warcs))
		}
		if _, err := os.Stat(lake.workersDir(m.Source, m.RunID)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: the workers' directory is still there: %v", m.Source, err)
		}
	}
	checkLineageReadable(t, lake, dres.Runs)
	t.Logf("%d records in %d sources, %d commits", totalRecords(got), len(got), commits)
}

// checkLineageReadable reads back, for a sample of records, the WARC response their lineage
// points at and compares its hash.
func checkLineageReadable(t *testing.T, l *Lake, runs []*Manifest) {
	t.Helper()
	for _, m := range runs {
		src, _ := collectors.Default.Lookup(m.Source)
		parts, _ := filepath.Glob(filepath.Join(l.RawDir(m.Source, m.RunID), "*.parquet"))
		n := 0
		for _, p := range parts {
			_ = collectors.ReadParquet(t.Context(), p, src.Fields, func(r collectors.Record) error {
				if n%97 == 0 {
					ar, err := collectors.ReadResponse(filepath.Join(l.ArchiveDir(m.Source), r.WARCFile), r.WARCOffset)
					if err != nil {
						t.Errorf("%s: record %s: %v", m.Source, r.Key, err)
					} else if ar.RecordID != r.WARCRecordID {
						t.Errorf("%s: record %s points at %s, found %s", m.Source, r.Key, r.WARCRecordID, ar.RecordID)
					}
				}
				n++
				return nil
			})
		}
	}
}
