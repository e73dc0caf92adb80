package pipelines

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	err = db.QueryRow(`SELECT string_agg(record_id || '|' || coalesce(name, '') || '|' || coalesce(address, '') || '|' || coalesce(status, ''), chr(10) ORDER BY record_id)
		FROM read_parquet(?)`, files).Scan(&s)
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

// TestFromArchiveReparse rebuilds a run's records from its archive with the site gone.
func TestFromArchiveReparse(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.2)
	first := collectOne(t, lake, opts)

	reparse := collectOne(t, lake, CollectOptions{FromArchive: first.RunID, Crawl: opts.Crawl,
		BaseURLs: map[string]string{"p2p": "http://127.0.0.1:1/unreachable"}})
	if st := crawlStats(t, reparse); st.Requests != 0 || st.Replayed == 0 {
		t.Errorf("re-parse made %d requests and replayed %d pages; want 0 requests", st.Requests, st.Replayed)
	}
	if reparse.Upstream[0] != first.RunID {
		t.Errorf("re-parse upstream %v, want %s", reparse.Upstream, first.RunID)
	}
	if a, b := recordSet(t, lake, first), recordSet(t, lake, reparse); a != b {
		t.Error("re-parsed records differ from the crawled ones")
	}
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
		t.Error("the resumed run's records differ from an uninterrupted run's")
	}
	checkRawLineage(t, lake, resumed)
	// Nothing left to resume is not a failure: `fhi collect --resume && fhi transform` goes on.
	again, err := lake.Collect(t.Context(), CollectOptions{Resume: true, Sources: opts.Sources, BaseURLs: opts.BaseURLs, Crawl: opts.Crawl})
	if err != nil || len(again.Runs) != 0 || len(again.NothingToResume) != 1 {
		t.Errorf("resume after a success: %v, %+v; want nil and p2p with nothing to resume", err, again)
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
