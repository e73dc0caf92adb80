// Package collectortest runs a registered source against the sample web for source packages'
// tests: one real crawl over loopback HTTP through the crawl engine, records kept in memory.
package collectortest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// Result is what one crawl produced.
type Result struct {
	Records []collectors.Record // one per key, as the Parquet sink keeps them
	// Duplicates counts records whose key was already seen: a list that shifted while paged.
	Duplicates int
	Failures   []collectors.Failure
	// Counts are the sample world's true record counts per site list (its counts.json).
	Counts map[string]int
}

type memWriter struct {
	mu   sync.Mutex
	recs []collectors.Record
}

func (m *memWriter) Write(_ context.Context, r collectors.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
	return nil
}

// CrawlSampleWeb starts a sample web with opts, crawls it with the source called name (at the
// site the source declares) and fails t on any setup error or record without lineage.
func CrawlSampleWeb(t testing.TB, name string, opts sampleweb.Options) Result {
	return CrawlSampleWebWith(t, name, opts, nil)
}

// CrawlSampleWebWith is CrawlSampleWeb with a chance to change the crawl options first.
func CrawlSampleWebWith(t testing.TB, name string, opts sampleweb.Options, tune func(*collectors.Options)) Result {
	t.Helper()
	srv, err := sampleweb.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	src, err := collectors.Default.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	site, ok := srv.Site(src.Site)
	if !ok {
		t.Fatalf("the sample web has no site %q for source %s", src.Site, name)
	}
	base := site.BaseURL
	arch, err := collectors.OpenArchive(t.TempDir(), "run1")
	if err != nil {
		t.Fatal(err)
	}
	crawlOpts := collectors.DefaultOptions()
	crawlOpts.Parallelism, crawlOpts.Delay, crawlOpts.RandomDelay = 4, 0, 0
	crawlOpts.RequestTimeout = 5 * time.Second
	crawlOpts.Retry = collectors.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Second}
	crawlOpts.AllowedHosts = site.Hosts[1:] // a site on two hosts (the lender's loan pages)
	if tune != nil {
		tune(&crawlOpts)
	}
	w := &memWriter{}
	crawl, err := collectors.NewCrawl(context.Background(), src, base, arch, w, crawlOpts)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := src.New(collectors.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	if err := crawl.Run(coll); err != nil {
		t.Fatalf("crawling %s: %v", name, err)
	}
	if err := arch.Close(); err != nil {
		t.Fatal(err)
	}
	res := Result{Failures: crawl.Failures(), Counts: srv.World().Counts()}
	keys := map[string]bool{}
	for _, r := range w.recs {
		if keys[r.Key] {
			res.Duplicates++
			continue
		}
		keys[r.Key] = true
		res.Records = append(res.Records, r)
		if r.WARCFile == "" || r.BodySHA256 == "" || r.URL == "" {
			t.Errorf("%s: record %q without lineage: %+v", name, r.Key, r.Lineage)
		}
	}
	return res
}
