package pipelines

import (
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// p2pOn starts a sample web of day day and returns collect options for its p2p site.
func p2pOn(t *testing.T, day int) CollectOptions {
	t.Helper()
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.2, Day: day})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	site, _ := srv.Site("p2p")
	opts := CollectOptions{BaseURLs: map[string]string{"p2p": site.BaseURL}, Crawl: collectors.DefaultOptions(), Sources: []string{"p2p"}}
	opts.Crawl.Parallelism, opts.Crawl.Delay, opts.Crawl.RandomDelay = 8, 0, 0
	opts.Crawl.Retry.BaseDelay, opts.Crawl.Retry.MaxDelay = time.Millisecond, time.Second
	return opts
}

// TestAdaptiveRevisit: an unchanged night requests the list pages and carries the platform pages
// forward (≤ 20% of a full run's requests, the same records); on the next day of the world, the
// platforms that closed (their list rows changed) and the new ones are fetched, and the records
// equal a full crawl of that day; --full fetches everything again.
func TestAdaptiveRevisit(t *testing.T) {
	if testing.Short() {
		t.Skip("four crawls of the p2p directory")
	}
	lake := openTestLake(t)
	day0 := p2pOn(t, 0)
	full := collectOne(t, lake, day0)
	day0.Incremental = true
	night := collectOne(t, lake, day0)
	f, n := crawlStats(t, full), crawlStats(t, night)
	if n.Requests*5 > f.Requests || n.Carried == 0 {
		t.Errorf("unchanged night: %d requests (%d carried forward), full run %d: want ≤ 20%%", n.Requests, n.Carried, f.Requests)
	}
	if recordSet(t, lake, full) != recordSet(t, lake, night) {
		t.Error("the unchanged night's records differ from the full run's")
	}
	checkRawLineage(t, lake, night) // carried records cite the full run's WARC bytes

	// The next day of the world, right after a full run: no platform page is due, yet the
	// closed platforms (their list rows changed) and the new ones are fetched.
	lakeB := openTestLake(t)
	collectOne(t, lakeB, p2pOn(t, 0))
	day1 := p2pOn(t, 1)
	day1.Incremental = true
	next := collectOne(t, lakeB, day1)
	other := openTestLake(t)
	fresh := collectOne(t, other, p2pOn(t, 1))
	if a, b := recordSet(t, lakeB, next), recordSet(t, other, fresh); a != b {
		t.Errorf("day 1 incrementally: records differ from a full crawl of day 1")
	}
	if st := crawlStats(t, next); st.Requests*2 > crawlStats(t, fresh).Requests || st.Carried == 0 {
		t.Errorf("day 1 incrementally made %d requests (%d carried forward), a full crawl %d", st.Requests, st.Carried, crawlStats(t, fresh).Requests)
	}
	day1.Full = true
	refresh := collectOne(t, lakeB, day1)
	if st := crawlStats(t, refresh); st.Carried != 0 || refresh.Params["refresh"] != "full" {
		t.Errorf("--full carried %d pages forward (params %v)", st.Carried, refresh.Params)
	}
}
