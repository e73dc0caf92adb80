package frontier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
)

// BenchmarkClaimCommit measures the frontier alone on loopback: workers (one host each) claim a
// batch, "fetch" nothing, and commit it with as many discovered links, half of them already
// seen. items/s is the ceiling the frontier puts on a crawl; a polite crawl fetches a host
// orders of magnitude slower.
func BenchmarkClaimCommit(b *testing.B) {
	srv := frontiertest.Start(b, frontiertest.Options{})
	for _, workers := range []int{1, 4} {
		for _, batch := range []int{1, 10, 50} {
			b.Run(fmt.Sprintf("workers=%d/batch=%d", workers, batch), func(b *testing.B) {
				benchClaimCommit(b, srv, workers, batch)
			})
		}
	}
}

func benchClaimCommit(b *testing.B, srv *frontiertest.Server, workers, batch int) {
	f := openFrontier(b, srv, Options{Prefix: fmt.Sprintf("bench%d", time.Now().UnixNano()), LeaseTTL: 10 * time.Second})
	ctx := context.Background()
	run := "bench"
	var seeds []Item
	for i := range max(b.N, 1) {
		seeds = append(seeds, Item{Source: "src", URL: fmt.Sprintf("http://h%d.test/p/%d", i%workers, i)})
	}
	if _, err := f.Seed(ctx, run, seeds); err != nil {
		b.Fatal(err)
	}
	var commits, done int64
	var mu sync.Mutex
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range workers {
		w := newWorker(b, f, fmt.Sprintf("w%d", i))
		wg.Go(func() {
			l, err := w.Acquire(ctx, run)
			if errors.Is(err, ErrNoWork) && b.N < workers {
				return // fewer items than hosts
			}
			if err != nil {
				b.Error(err)
				return
			}
			n, d := int64(0), int64(0)
			for {
				items, err := l.Claim(ctx, batch)
				if err != nil {
					b.Error(err)
					return
				}
				if len(items) == 0 {
					break
				}
				links := make([]Item, 0, len(items))
				for j, it := range items {
					u := it.URL // seen
					if j%2 == 1 {
						u += "/next" // new, but not to be crawled further here: committed below
					}
					links = append(links, Item{Source: "src", URL: u})
				}
				if _, err := l.Commit(ctx, Batch{Done: items, Links: links, Files: []File{{Path: "part.parquet", Bytes: 1}}}); err != nil {
					b.Error(err)
					return
				}
				n++
				d += int64(len(items))
			}
			mu.Lock()
			commits += n
			done += d
			mu.Unlock()
			_ = l.Release(ctx)
		})
	}
	wg.Wait()
	b.StopTimer()
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(done)/sec, "items/s")
	b.ReportMetric(float64(commits)/sec, "commits/s")
	b.ReportMetric(0, "ns/op")
}
