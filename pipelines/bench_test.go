package pipelines

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// BenchmarkCollectFullScale crawls every source of the full-scale sample web with politeness off,
// as `fhi run` does, and reports pages/s, records/s, wall seconds per crawl and the process's peak
// resident memory (VmHWM: the in-process sample web included). Target on 2 cores: ≤ 60 s, ≤ 512 MB.
//
//	go test -run '^$' -bench CollectFullScale -benchtime 1x ./pipelines
func BenchmarkCollectFullScale(b *testing.B) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	opts := CollectOptions{Crawl: collectors.DefaultOptions()}
	opts.BaseURLs, opts.AllowedHosts = srv.Targets(collectors.Default.Sources())
	opts.Crawl.Parallelism, opts.Crawl.Delay, opts.Crawl.RandomDelay = 8, 0, 0
	var pages, records int64
	var wall time.Duration
	b.ResetTimer()
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
		for _, m := range res.Runs {
			records += m.Rows
			var d collectDetails
			if err := json.Unmarshal(m.Details, &d); err == nil {
				pages += d.Stats.Requests
			}
		}
		lake.Close()
	}
	b.ReportMetric(float64(pages)/wall.Seconds(), "pages/s")
	b.ReportMetric(float64(records)/wall.Seconds(), "records/s")
	b.ReportMetric(wall.Seconds()/float64(b.N), "s/crawl")
	b.ReportMetric(peakRSSMB(), "peak-MB")
}

// peakRSSMB reads the process's peak resident set size (Linux); 0 elsewhere.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkReparseFullScale re-parses the full-scale p2p crawl from its archive (--from-archive) at
// a real site's politeness settings, which an offline crawl must not apply: reports pages/s.
//
//	go test -run '^$' -bench ReparseFullScale -benchtime 3x ./pipelines
func BenchmarkReparseFullScale(b *testing.B) {
	_, opts := serveSampleWeb(b, sampleweb.Options{Seed: 1, Scale: 1})
	opts.Sources = []string{"p2p"}
	lake, err := OpenLake(filepath.Join(b.TempDir(), "lake"))
	if err != nil {
		b.Fatal(err)
	}
	defer lake.Close()
	crawled, err := lake.Collect(b.Context(), opts)
	if err != nil {
		b.Fatal(err)
	}
	var pages int
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		res, err := lake.Collect(b.Context(), CollectOptions{FromArchive: crawled.Runs[0].RunID, Crawl: collectors.DefaultOptions()})
		if err != nil {
			b.Fatal(err)
		}
		var d collectDetails
		if err := json.Unmarshal(res.Runs[0].Details, &d); err == nil {
			pages += d.Pages
		}
	}
	b.ReportMetric(float64(pages)/time.Since(start).Seconds(), "pages/s")
}
