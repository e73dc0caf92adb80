package sampleweb

import (
	"bytes"
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

// counted wraps h so that requests are counted while a counter is set. A request counts from
// its arrival until its answer is ready to send: the answer is buffered and sent after the count
// drops, because a client that has read a whole answer (its last bytes may leave before the
// handler returns) is free to send its next request, and that must not look like two at once.
func (s *Server) counted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c := s.inflight.Load()
		if c == nil {
			h.ServeHTTP(rw, r)
			return
		}
		c.begin(r.Host)
		buf := &bufferedAnswer{header: http.Header{}}
		func() {
			defer c.end(r.Host)
			h.ServeHTTP(buf, r)
		}()
		maps.Copy(rw.Header(), buf.header)
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		rw.WriteHeader(buf.status)
		_, _ = rw.Write(buf.body.Bytes())
	})
}

// bufferedAnswer is a ResponseWriter that keeps the answer for counted to send.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
