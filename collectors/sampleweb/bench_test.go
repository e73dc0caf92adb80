package sampleweb

import (
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
)

// BenchmarkServe measures pages per second over a real loopback listener with parallel clients
// (target ≥ 5,000 pages/s).
func BenchmarkServe(b *testing.B) {
	s, err := Start("127.0.0.1:0", Options{Seed: 1, Scale: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: tr}
	paths := []string{"/p2p/platforms?page=%d", "/p2p/platforms/p%05d", "/p2p/api/loans?page=%d", "/vc/deals/d%05d"}
	var n atomic.Int64
	b.ResetTimer()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			u := s.URL() + fmt.Sprintf(paths[i%int64(len(paths))], 1+i%100)
			res, err := client.Get(u)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("GET %s: %d", u, res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkNewWorld measures building the full-scale world (target ≤ 5 s, ≤ 300 MB).
func BenchmarkNewWorld(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewWorld(Options{Seed: 1, Scale: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
