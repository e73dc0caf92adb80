package sampleweb

import (
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
)

// InFlight counts the requests each host of the sample web is answering at once, as a site's
// operator would see its crawlers: tests check that politeness holds across processes with it.
type InFlight struct {
	mu  sync.Mutex
	cur map[string]int
	max map[string]int
	n   int64
}

// CountInFlight starts counting the requests in flight per host (afresh on every call) and
// returns the counter.
func (s *Server) CountInFlight() *InFlight {
	c := &InFlight{cur: map[string]int{}, max: map[string]int{}}
	s.inflight.Store(c)
	return c
}

// Max returns the most requests each host answered at the same time since counting started.
func (c *InFlight) Max() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.max)
}

// Requests is how many requests were answered since counting started.
func (c *InFlight) Requests() int64 { return atomic.LoadInt64(&c.n) }

func (c *InFlight) begin(host string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur[host]++
	c.max[host] = max(c.max[host], c.cur[host])
	c.n++
}

func (c *InFlight) end(host string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur[host]--
}

// counted wraps h so that requests are counted while a counter is set.
func (s *Server) counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if c := s.inflight.Load(); c != nil {
			c.begin(r.Host)
			defer c.end(r.Host)
		}
		h.ServeHTTP(rw, r)
	})
}
