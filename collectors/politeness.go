package collectors

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// hostLimit is the politeness of one host: at most parallelism requests in flight, each slot
// held for delay (plus a random part) after its answer — colly's LimitRule semantics, but shared
// by every crawl in the process that fetches the host, and applied only to requests that go to
// the network: pages answered from the archive never wait.
type hostLimit struct {
	slots  chan struct{}
	delay  time.Duration
	random time.Duration
}

// politenessKey identifies a host's limit. Crawls with the same settings share one; crawls that
// ask for other settings (a test, a probe) get their own.
type politenessKey struct {
	host          string
	parallelism   int
	delay, random time.Duration
}

var (
	politenessMu sync.Mutex
	politeness   = map[politenessKey]*hostLimit{}
)

// limitFor returns the process-wide limit of host for these options.
func limitFor(host string, o Options) *hostLimit {
	k := politenessKey{host, max(o.Parallelism, 1), o.Delay, o.RandomDelay}
	politenessMu.Lock()
	defer politenessMu.Unlock()
	l, ok := politeness[k]
	if !ok {
		l = &hostLimit{slots: make(chan struct{}, k.parallelism), delay: k.delay, random: k.random}
		politeness[k] = l
	}
	return l
}

// acquire waits for a slot; release gives it back after the politeness delay, without blocking
// the caller.
func (l *hostLimit) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return func() {
		wait := l.delay
		if l.random > 0 {
			wait += rand.N(l.random)
		}
		if wait <= 0 {
			<-l.slots
			return
		}
		time.AfterFunc(wait, func() { <-l.slots })
	}, nil
}
