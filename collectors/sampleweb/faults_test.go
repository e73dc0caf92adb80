package sampleweb

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestFaultRates: each fault, switched on alone at a known rate, hits about that share of
// requests — and, switched off, none; being seeded, it hits the same requests on a second pass.
func TestFaultRates(t *testing.T) {
	w := mustWorld(t, Options{Seed: 1, Scale: 0.1})
	const n = 400
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	tests := []struct {
		name   string
		faults Faults
		hit    func(status int, err error, took time.Duration) bool
		rate   float64
	}{
		{"none", Faults{}, func(s int, err error, _ time.Duration) bool { return err != nil || s != 200 }, 0},
		{"5xx", Faults{ServerErrorRate: 0.2}, func(s int, err error, _ time.Duration) bool { return err == nil && s >= 500 }, 0.2},
		{"drop", Faults{DropRate: 0.2}, func(_ int, err error, _ time.Duration) bool { return err != nil }, 0.2},
		{"slow", Faults{SlowRate: 0.2, SlowDelay: 300 * time.Millisecond}, func(_ int, _ error, d time.Duration) bool { return d >= 300*time.Millisecond }, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(NewHandler(w, tt.faults))
			defer srv.Close()
			pass := func() []bool {
				hits := make([]bool, n)
				var wg sync.WaitGroup
				jobs := make(chan int)
				for range 16 {
					wg.Go(func() {
						for i := range jobs {
							start := time.Now()
							// Distinct URLs: faults are drawn per URL and attempt.
							res, err := client.Get(fmt.Sprintf("%s/p2p/platforms?page=%d&n=%d", srv.URL, 1+i%20, i))
							status := 0
							if err == nil {
								status = res.StatusCode
								res.Body.Close()
							}
							hits[i] = tt.hit(status, err, time.Since(start))
						}
					})
				}
				for i := range n {
					jobs <- i
				}
				close(jobs)
				wg.Wait()
				return hits
			}
			first := pass()
			count := 0
			for _, h := range first {
				if h {
					count++
				}
			}
			got := float64(count) / n
			// Binomial(400, 0.2) has a standard deviation of 0.02; allow about four of them.
			if tt.rate == 0 && count != 0 || tt.rate > 0 && (got < tt.rate-0.08 || got > tt.rate+0.08) {
				t.Errorf("fault hit %.3f of requests, want about %.2f", got, tt.rate)
			}
			if tt.name == "5xx" || tt.name == "drop" {
				// The server counts attempts per URL, so a fresh server replays the same draws.
				srv.Close()
				srv = httptest.NewServer(NewHandler(w, tt.faults))
				defer srv.Close()
				if second := pass(); !slices.Equal(first, second) {
					t.Error("the same seed hit different requests on a second pass")
				}
			}
		})
	}
}
