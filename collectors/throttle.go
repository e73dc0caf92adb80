package collectors

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// throttle is an AutoThrottle-style per-host delay (after Scrapy's AutoThrottle): the delay
// between requests to a host moves toward latency ÷ target concurrency, within [min, max]. An error
// answer (429, 5xx, a timeout) may only raise it — a 429 or 503 doubles it — so a struggling site
// is never hit faster. A nil throttle does nothing.
type throttle struct {
	min, max time.Duration
	target   float64

	mu    sync.Mutex
	delay map[string]time.Duration
	next  map[string]time.Time
}

func newThrottle(min, max time.Duration, target float64) *throttle {
	if target <= 0 {
		target = 1
	}
	return &throttle{min: min, max: max, target: target, delay: map[string]time.Duration{}, next: map[string]time.Time{}}
}

// wait blocks until host's next slot and reserves the one after it.
func (th *throttle) wait(ctx context.Context, host string) error {
	if th == nil {
		return nil
	}
	th.mu.Lock()
	d, ok := th.delay[host]
	if !ok {
		d = th.min
		th.delay[host] = d
	}
	now := time.Now()
	at := th.next[host]
	if at.Before(now) {
		at = now
	}
	th.next[host] = at.Add(d)
	th.mu.Unlock()
	return sleep(ctx, time.Until(at))
}

// observe adjusts host's delay after one attempt.
func (th *throttle) observe(host string, latency time.Duration, resp *http.Response, err error) {
	if th == nil {
		return
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	cur := th.delay[host]
	failed := err != nil || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	var d time.Duration
	switch {
	case err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable):
		d = max(2*cur, th.min, 100*time.Millisecond)
	default:
		goal := time.Duration(float64(latency) / th.target)
		d = (cur + goal) / 2
		if failed && d < cur {
			d = cur // never speed up on an error
		}
	}
	th.delay[host] = min(max(d, th.min), th.max)
}

// current returns host's delay, for tests and progress.
func (th *throttle) current(host string) time.Duration {
	th.mu.Lock()
	defer th.mu.Unlock()
	return th.delay[host]
}
