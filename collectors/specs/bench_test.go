package specs

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// BenchmarkCrawlHosts crawls every source of a sample web that answers after 20 ms, with real-site
// politeness scaled down (2 requests in flight per host), first one source after another, then
// with the sources of different hosts in parallel (one after another within a host, as
// pipelines' Collect groups them). It reports both wall times and their ratio. The world's scale
// is FHI_BENCH_SCALE (default 0.05; 1 is the full 2017 volume, ~24,000 requests).
//
//	go test -run '^$' -bench CrawlHosts -benchtime 1x ./collectors/specs
func BenchmarkCrawlHosts(b *testing.B) {
	scale := 0.05
	if s, err := strconv.ParseFloat(os.Getenv("FHI_BENCH_SCALE"), 64); err == nil && s > 0 {
		scale = s
	}
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: scale, Faults: sampleweb.Faults{Latency: 20 * time.Millisecond}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	type job struct {
		src   collectors.Source
		site  sampleweb.Site
		group string
	}
	var jobs []job
	for _, src := range collectors.Default.Sources() {
		site, ok := srv.Site(src.Site)
		if !ok {
			continue
		}
		u, _ := url.Parse(site.BaseURL)
		jobs = append(jobs, job{src, site, u.Host})
	}
	crawlOne := func(j job) int64 {
		arch, err := collectors.OpenArchive(b.TempDir(), "bench")
		if err != nil {
			b.Fatal(err)
		}
		defer arch.Close()
		opts := collectors.DefaultOptions()
		opts.Parallelism, opts.Delay, opts.RandomDelay = 2, 0, 0
		opts.AllowedHosts = j.site.Hosts[1:]
		crawl, err := collectors.NewCrawl(context.Background(), j.src, j.site.BaseURL, arch, discard{}, opts)
		if err != nil {
			b.Fatal(err)
		}
		coll, err := j.src.New(collectors.Config{BaseURL: j.site.BaseURL})
		if err != nil {
			b.Fatal(err)
		}
		if err := crawl.Run(coll); err != nil {
			b.Fatal(err)
		}
		return crawl.Stats().Requests
	}
	var seq, conc time.Duration
	var requests int64
	for range b.N {
		start := time.Now()
		requests = 0
		for _, j := range jobs {
			requests += crawlOne(j)
		}
		seq += time.Since(start)

		start = time.Now()
		groups := map[string][]job{}
		for _, j := range jobs {
			groups[j.group] = append(groups[j.group], j)
		}
		var wg sync.WaitGroup
		for _, g := range groups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, j := range g {
					crawlOne(j)
				}
			}()
		}
		wg.Wait()
		conc += time.Since(start)
	}
	b.ReportMetric(seq.Seconds()/float64(b.N), "s-sequential")
	b.ReportMetric(conc.Seconds()/float64(b.N), "s-concurrent")
	b.ReportMetric(seq.Seconds()/conc.Seconds(), "speedup")
	b.ReportMetric(float64(requests), "requests")
}

type discard struct{}

func (discard) Write(context.Context, collectors.Record) error { return nil }
