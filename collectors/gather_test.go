package collectors_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	_ "github.com/fhi-index/fhi/collectors/all"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/google/go-cmp/cmp"
)

type recordSet struct {
	mu   sync.Mutex
	recs map[string]map[string]string // key → fields; the first written wins, as in the sink
}

func (s *recordSet) Write(_ context.Context, r collectors.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.recs[r.Key]; !dup {
		s.recs[r.Key] = r.Fields
	}
	return nil
}

func crawlOptions(site sampleweb.Site) collectors.Options {
	o := collectors.DefaultOptions()
	o.Parallelism, o.Delay, o.RandomDelay = 4, 0, 0
	o.RequestTimeout = 5 * time.Second
	o.Retry = collectors.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Second}
	o.AllowedHosts = site.Hosts[1:]
	return o
}

// A crawl driven from outside — start requests taken from Start, every link gathered and fetched
// later by another goroutine through Fetch, as workers of a shared frontier do — yields the
// records, failures and pages of an ordinary crawl, for every source.
// Malformed and hostile pages (quarantines, hostile strings) are faults the sample web injects
// by URL alone, so both crawls see the same.
func TestGatherModeMatchesOrdinaryCrawl(t *testing.T) {
	for _, faults := range []sampleweb.Faults{{}, {Malformed: true, Hostile: true}} {
		srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 3, Scale: 0.02, Faults: faults})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() }) // after the parallel subtests
		for _, src := range collectors.Default.Sources() {
			if site, ok := srv.Site(src.Site); ok {
				t.Run(src.Name+"/"+faults.String(), func(t *testing.T) { compareGathered(t, src, site) })
			}
		}
	}
}

func compareGathered(t *testing.T, src collectors.Source, site sampleweb.Site) {
	t.Parallel()
	want, wantFail, wantPages := ordinaryCrawl(t, src, site)
	got, gotFail, gotPages := gatheredCrawl(t, src, site)
	if len(want.recs) == 0 {
		t.Fatalf("the ordinary crawl of %s yielded nothing", src.Name)
	}
	if diff := cmp.Diff(want.recs, got.recs); diff != "" {
		t.Errorf("records (-ordinary +gathered):\n%s", diff)
	}
	if diff := cmp.Diff(wantFail, gotFail); diff != "" {
		t.Errorf("failures (-ordinary +gathered):\n%s", diff)
	}
	if diff := cmp.Diff(wantPages, gotPages); diff != "" {
		t.Errorf("pages (-ordinary +gathered):\n%s", diff)
	}
}

func ordinaryCrawl(t *testing.T, src collectors.Source, site sampleweb.Site) (*recordSet, []string, []string) {
	arch, err := collectors.OpenArchive(t.TempDir(), "run")
	if err != nil {
		t.Fatal(err)
	}
	defer arch.Close()
	out := &recordSet{recs: map[string]map[string]string{}}
	cr, err := collectors.NewCrawl(t.Context(), src, site.BaseURL, arch, out, crawlOptions(site))
	if err != nil {
		t.Fatal(err)
	}
	coll, err := src.New(collectors.Config{BaseURL: site.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	if err := cr.Run(coll); err != nil {
		t.Fatal(err)
	}
	return out, failureKeys(cr.Failures()), pageKeys(cr.Pages())
}

// gatheredCrawl drives a crawl in gather mode from an in-memory queue with an exact seen set,
// three goroutines fetching.
func gatheredCrawl(t *testing.T, src collectors.Source, site sampleweb.Site) (*recordSet, []string, []string) {
	arch, err := collectors.OpenArchive(t.TempDir(), "run")
	if err != nil {
		t.Fatal(err)
	}
	defer arch.Close()
	out := &recordSet{recs: map[string]map[string]string{}}
	cr, err := collectors.NewCrawl(t.Context(), src, site.BaseURL, arch, out, crawlOptions(site))
	if err != nil {
		t.Fatal(err)
	}
	defer cr.Close()
	var (
		mu      sync.Mutex
		queue   []collectors.Link
		seen    = map[string]bool{}
		pending int
		cond    = sync.NewCond(&mu)
	)
	add := func(l collectors.Link) { // called with mu held, or before the fetchers start
		k := fmt.Sprintf("%s %s %x", l.Method, l.URL, sha256.Sum256(l.Body))
		if !seen[k] {
			seen[k] = true
			queue = append(queue, l)
			pending++
			cond.Broadcast()
		}
	}
	cr.Gather(func(l collectors.Link) { mu.Lock(); add(l); mu.Unlock() })
	coll, err := src.New(collectors.Config{BaseURL: site.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	start, err := cr.Start(coll)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range start {
		add(l)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				for len(queue) == 0 && pending > 0 {
					cond.Wait()
				}
				if pending == 0 {
					mu.Unlock()
					return
				}
				l := queue[0]
				queue = queue[1:]
				mu.Unlock()
				if err := cr.Fetch(l); err != nil {
					t.Errorf("fetching %s: %v", l.URL, err)
				}
				mu.Lock()
				pending--
				cond.Broadcast()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	failures, pages := cr.Drain()
	if f, p := cr.Drain(); len(f)+len(p) != 0 {
		t.Errorf("a second Drain returned %d failures and %d pages", len(f), len(p))
	}
	return out, failureKeys(failures), pageKeys(pages)
}

func failureKeys(fs []collectors.Failure) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Kind+" "+f.URL)
	}
	sort.Strings(out)
	return out
}

func pageKeys(ps []collectors.ArchivedPage) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %s", p.Status, p.Key()))
	}
	sort.Strings(out)
	return out
}

// Fetch in a crawl whose context ended reports the request as not done.
func TestFetchInterrupted(t *testing.T) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	src, err := collectors.Default.Lookup("p2p")
	if err != nil {
		t.Fatal(err)
	}
	site, _ := srv.Site(src.Site)
	arch, err := collectors.OpenArchive(t.TempDir(), "run")
	if err != nil {
		t.Fatal(err)
	}
	defer arch.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cr, err := collectors.NewCrawl(ctx, src, site.BaseURL, arch, &recordSet{recs: map[string]map[string]string{}}, crawlOptions(site))
	if err != nil {
		t.Fatal(err)
	}
	var links []collectors.Link
	cr.Gather(func(l collectors.Link) { links = append(links, l) })
	coll, _ := src.New(collectors.Config{BaseURL: site.BaseURL})
	start, err := cr.Start(coll)
	if err != nil || len(start) == 0 {
		t.Fatalf("Start: %v, %d links", err, len(start))
	}
	if len(links) != 0 {
		t.Errorf("start requests reached the gather function: %v", links)
	}
	cancel()
	if err := cr.Fetch(start[0]); !errors.Is(err, collectors.ErrInterrupted) {
		t.Errorf("Fetch after the context ended = %v, want ErrInterrupted", err)
	}
	// A link off the source's hosts is refused when gathered, as colly refuses it.
	if err := cr.Visit(collectors.Request{URL: "http://elsewhere.example/x"}); err == nil {
		t.Error("a URL off the source's hosts was gathered")
	}
}

// A request the gate refuses never reaches the site, robots.txt included. Refused as a worker
// whose lease lapsed refuses (ending the crawl's context first), it is an interruption, left to
// be made again, not a failure of its URL.
func TestGateRefusesRequests(t *testing.T) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	src, err := collectors.Default.Lookup("p2p")
	if err != nil {
		t.Fatal(err)
	}
	site, _ := srv.Site(src.Site)
	for _, refuse := range []bool{false, true} {
		t.Run(fmt.Sprintf("refuse=%v", refuse), func(t *testing.T) {
			arch, err := collectors.OpenArchive(t.TempDir(), "run")
			if err != nil {
				t.Fatal(err)
			}
			defer arch.Close()
			ctx, cancel := context.WithCancelCause(t.Context())
			defer cancel(nil)
			opts := crawlOptions(site)
			var asked []string
			opts.Gate = func(host string) error {
				asked = append(asked, host)
				if !refuse {
					return nil
				}
				err := errors.New("lease lapsed")
				cancel(err)
				return err
			}
			counter := srv.CountInFlight()
			cr, err := collectors.NewCrawl(ctx, src, site.BaseURL, arch, &recordSet{recs: map[string]map[string]string{}}, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer cr.Close()
			cr.Gather(func(collectors.Link) {})
			coll, _ := src.New(collectors.Config{BaseURL: site.BaseURL})
			start, err := cr.Start(coll)
			if err != nil || len(start) == 0 {
				t.Fatalf("Start: %v, %d links", err, len(start))
			}
			err = cr.Fetch(start[0])
			failures, _ := cr.Drain()
			switch {
			case len(asked) == 0:
				t.Error("the gate was never asked")
			case refuse && !errors.Is(err, collectors.ErrInterrupted):
				t.Errorf("Fetch through a refusing gate = %v, want ErrInterrupted", err)
			case refuse && counter.Requests() != 0:
				t.Errorf("the site answered %d requests the gate refused", counter.Requests())
			case refuse && len(failures) != 0:
				t.Errorf("a refused request was recorded as a failure: %+v", failures)
			case !refuse && (err != nil || counter.Requests() == 0):
				t.Errorf("Fetch through an open gate = %v, %d requests answered", err, counter.Requests())
			}
		})
	}
}
