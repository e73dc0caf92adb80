package pipelines

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier"
	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// BenchmarkDistributedCrawl crawls every source of a sample web whose every answer takes 20 ms (a
// distant site), with real-site politeness scaled down (2 requests in flight per host), first in
// one process (hosts in parallel, as fhi run does), then through a redis-server frontier with 1,
// 2 and 4 worker processes of 2 slots each (hosts crawled at once per worker). It reports the
// wall time per crawl and the speed-up over one worker. The world's scale is FHI_BENCH_SCALE
// (default 1, the full 2017 volume, about 24,000 requests).
//
//	go test -run '^$' -bench DistributedCrawl -benchtime 1x ./pipelines
func BenchmarkDistributedCrawl(b *testing.B) {
	scale := 1.0
	if s, err := strconv.ParseFloat(os.Getenv("FHI_BENCH_SCALE"), 64); err == nil && s > 0 {
		scale = s
	}
	redis := frontiertest.Start(b, frontiertest.Options{AOF: true})
	opts, _ := sampleWebOptions(b, scale, sampleweb.Faults{Latency: 20 * time.Millisecond})
	opts.Crawl.Parallelism = 2
	report := func(b *testing.B, wall time.Duration, runs []*Manifest) {
		var records, requests int64
		for _, m := range runs {
			records += m.Rows
			if d, err := decodeCollectDetails(m); err == nil {
				requests += d.Stats.Requests
			}
		}
		b.ReportMetric(wall.Seconds()/float64(b.N), "s/crawl")
		b.ReportMetric(float64(requests)*float64(b.N)/wall.Seconds(), "requests/s")
		b.ReportMetric(float64(records), "records")
	}
	b.Run("single-process", func(b *testing.B) {
		var wall time.Duration
		var runs []*Manifest
		for range b.N {
			lake, err := OpenLake(filepath.Join(b.TempDir(), "lake"))
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			res, err := lake.Collect(b.Context(), opts)
			wall += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			runs = res.Runs
			lake.Close()
		}
		report(b, wall, runs)
	})
	var one float64
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var wall time.Duration
			var runs []*Manifest
			for range b.N {
				lake, err := OpenLake(filepath.Join(b.TempDir(), "lake"))
				if err != nil {
					b.Fatal(err)
				}
				f, err := frontier.Open(b.Context(), redis.URL(), frontier.Options{Prefix: "t"})
				if err != nil {
					b.Fatal(err)
				}
				var procs []*testWorker
				dopts := opts
				dopts.Distributed = &DistributedOptions{Frontier: f, Poll: 100 * time.Millisecond, Begun: func(run string) {
					for i := range workers {
						procs = append(procs, startTestWorker(b, fmt.Sprintf("b%d", i), lake.Root, redis.URL(), run, 30*time.Second, "FHI_TEST_SLOTS=2"))
					}
				}}
				start := time.Now()
				res, err := lake.Collect(b.Context(), dopts)
				wall += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				for _, p := range procs {
					if err := <-p.exit; err != nil {
						b.Fatalf("worker %s: %v\n%s", p.id, err, p.output())
					}
				}
				runs = res.Runs
				f.Close()
				lake.Close()
			}
			report(b, wall, runs)
			s := wall.Seconds() / float64(b.N)
			if workers == 1 {
				one = s
			} else if one > 0 {
				b.ReportMetric(one/s, "speedup-vs-1")
			}
		})
	}
}
