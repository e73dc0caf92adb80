package collectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
)

// A crawl in gather mode is one step of a crawl shared by many processes (see collectors/frontier):
// another scheduler decides what to fetch and when. Visit hands each request to the gather
// function instead of queueing it with colly, and Fetch makes one request, in the calling
// goroutine, with everything the crawl does around it — archive, retries, politeness, robots.txt,
// the page callbacks, records through Emit, failures. A request crosses processes as a Link.

// Link is a request in portable form: what a page asked the crawl to fetch next (a link, the next
// page of a list, a redirect's target), with the context its callbacks will need, as strings.
type Link struct {
	Method string      `json:"method,omitempty"` // "" is GET
	URL    string      `json:"url"`
	Body   []byte      `json:"body,omitempty"`
	Header http.Header `json:"header,omitempty"`
	// Context is the request's colly context (values a page carries to the pages it links, the
	// page number asked for, the redirect chain so far).
	Context map[string]string `json:"context,omitempty"`
}

type gatherState struct {
	mu sync.Mutex
	fn func(Link)
}

// Gather puts the crawl in gather mode: from now on Visit hands every request to fn (after the
// allowed-hosts check, so a link off the source's hosts is refused at once, as colly would) and
// nothing is fetched but what Fetch is given. fn may be called from the goroutines calling Fetch
// (and Collect, for the start URLs); calls are serialised.
func (cr *Crawl) Gather(fn func(Link)) {
	cr.gather = &gatherState{fn: fn}
	// Fetch runs a request to the end in its caller's goroutine; the frontier, not colly, knows
	// what was fetched already (a page whose batch was lost is fetched again).
	cr.c.Async = false
	cr.c.AllowURLRevisit = true
}

// visitGathered is Visit in gather mode: the request's context is prepared as visitNow does,
// then handed out.
func (cr *Crawl) visitGathered(req Request) error {
	ctx := req.Ctx
	if ctx == nil {
		ctx = colly.NewContext()
	}
	if req.Optional {
		ctx.Put(optionalKey, "1")
	}
	hdr := req.Header.Clone()
	if req.Refresh {
		if hdr == nil {
			hdr = http.Header{}
		}
		hdr.Set(hdrRefresh, "1")
	}
	req.Header = hdr
	return cr.gatherVisit(req, ctx)
}

func (cr *Crawl) gatherVisit(req Request, ctx *colly.Context) error {
	u, err := url.Parse(req.URL)
	if err != nil {
		return err
	}
	u.Fragment, u.RawFragment = "", ""
	if !cr.allowedURL(u.String()) {
		return colly.ErrNoURLFiltersMatch
	}
	l := Link{Method: req.Method, URL: u.String(), Body: req.Body, Header: req.Header.Clone(), Context: map[string]string{}}
	// A redirect repeats the request's headers, among them what the client added — the user
	// agent, the cookie jar's cookies — which the process that fetches the link adds its own of.
	for k := range l.Header {
		if isSecretHeader(k) || strings.EqualFold(k, "User-Agent") || isLineageHeader(k) && !strings.EqualFold(k, hdrRefresh) {
			l.Header.Del(k)
		}
	}
	if l.Method == http.MethodGet {
		l.Method = ""
	}
	ctx.ForEach(func(k string, v any) any {
		if k == bodyKey {
			return nil // the body travels once, as Body
		}
		if s, ok := v.(string); ok {
			l.Context[k] = s
		} else {
			l.Context[k] = fmt.Sprint(v)
		}
		return nil
	})
	if len(l.Context) == 0 {
		l.Context = nil
	}
	if len(l.Header) == 0 {
		l.Header = nil
	}
	cr.gather.mu.Lock()
	defer cr.gather.mu.Unlock()
	cr.gather.fn(l)
	return nil
}

func (cr *Crawl) allowedURL(u string) bool {
	for _, f := range cr.c.URLFilters {
		if f.MatchString(u) {
			return true
		}
	}
	return len(cr.c.URLFilters) == 0
}

// ErrInterrupted is Fetch's answer when the crawl's context ended before the request's outcome
// was known: nothing about it may be taken as done.
var ErrInterrupted = errors.New("collectors: fetch interrupted")

// Fetch makes the request l now and runs the page callbacks on its answer; what they visit goes
// to the gather function. It returns nil once the request's outcome is recorded — records
// emitted, or a failure among Failures — and also for a request the crawl refuses (robots.txt, a
// URL off the source's hosts), which yields nothing, as in a crawl of one process. It returns an
// ErrInterrupted error when the crawl's context ended first: the request must be made again.
func (cr *Crawl) Fetch(l Link) error {
	if cr.gather == nil {
		return errors.New("collectors: Fetch needs a crawl in gather mode")
	}
	if err := cr.ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(cr.ctx))
	}
	ctx := colly.NewContext()
	for k, v := range l.Context {
		ctx.Put(k, v)
	}
	req := Request{Method: l.Method, URL: l.URL, Body: l.Body, Header: l.Header, Ctx: ctx}
	err := cr.visitNow(req)
	if cr.ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(cr.ctx))
	}
	// A redirect's target is checked where it is fetched, by the holder of its host: refused
	// there, it is a failure of the URL the page linked, as followRedirect would have recorded.
	if chain := ctx.Get(chainKey); chain != "" && err != nil {
		first, _, _ := strings.Cut(chain, "\n")
		switch {
		case errors.Is(err, colly.ErrRobotsTxtBlocked):
			cr.addFailure(Failure{URL: first, Kind: KindRefused, Error: fmt.Sprintf("%v: robots.txt disallows the target %s", ErrRedirect, l.URL), Attempts: 1})
		case errors.Is(err, colly.ErrNoURLFiltersMatch), errors.Is(err, colly.ErrForbiddenDomain), errors.Is(err, colly.ErrForbiddenURL):
			cr.addFailure(Failure{URL: first, Kind: KindRefused, Error: fmt.Sprintf("%v: target %s is off the source's hosts", ErrRedirect, l.URL), Attempts: 1})
		}
	}
	return nil
}

// Drain returns the failures and the page index gathered since the last Drain, and forgets them:
// a worker hands each batch's share to its commit.
func (cr *Crawl) Drain() ([]Failure, []ArchivedPage) {
	cr.mu.Lock()
	failures := cr.failures
	cr.failures = nil
	cr.mu.Unlock()
	sort.Slice(failures, func(i, j int) bool {
		if failures[i].URL != failures[j].URL {
			return failures[i].URL < failures[j].URL
		}
		return failures[i].Kind < failures[j].Kind
	})
	t := cr.transport
	t.mu.Lock()
	pages := make([]ArchivedPage, 0, len(t.pages))
	for _, p := range t.pages {
		pages = append(pages, p)
	}
	t.pages = nil
	t.mu.Unlock()
	sort.Slice(pages, func(i, j int) bool { return pages[i].Key() < pages[j].Key() })
	return failures, pages
}

// Close drops the crawl's idle connections; a worker makes a crawl per host lease.
func (cr *Crawl) Close() {
	cr.cancel(nil)
	if c, ok := cr.transport.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// HostPoliteness is the politeness state of one host that outlives a crawl: what a worker leaves
// to the next holder of the host's lease, so a handoff neither resets the auto-throttle's delay
// nor sends the next request sooner than the delay after the last.
type HostPoliteness struct {
	// LastAnswer is when the last request to the host was answered.
	LastAnswer time.Time `json:"last_answer,omitzero"`
	// ThrottleDelay is the auto-throttle's current delay for the host (0 without auto-throttle).
	ThrottleDelay time.Duration `json:"throttle_delay_ns,omitempty"`
}

// Politeness returns host's state in this crawl; lastAnswer is the caller's record of it.
func (cr *Crawl) Politeness(host string, lastAnswer time.Time) HostPoliteness {
	p := HostPoliteness{LastAnswer: lastAnswer}
	if th := cr.transport.throttle; th != nil {
		p.ThrottleDelay = th.current(host)
	}
	return p
}

// SetPoliteness starts host's auto-throttle from a previous holder's delay.
func (cr *Crawl) SetPoliteness(host string, p HostPoliteness) {
	th := cr.transport.throttle
	if th == nil || p.ThrottleDelay <= 0 {
		return
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	th.delay[host] = min(max(p.ThrottleDelay, th.min), th.max)
	if next := p.LastAnswer.Add(th.delay[host]); next.After(th.next[host]) {
		th.next[host] = next
	}
}

// HandoffWait is how long a new holder of a host waits before its first request: the delay
// after the previous holder's last answer, as if one process had crawled on.
func HandoffWait(p HostPoliteness, opts Options, now time.Time) time.Duration {
	if p.LastAnswer.IsZero() {
		return 0
	}
	return max(p.LastAnswer.Add(max(opts.Delay, p.ThrottleDelay)).Sub(now), 0)
}

// Start runs collector's Collect on a crawl in gather mode: its callbacks are registered, and the
// requests it starts with are returned instead of fetched. A coordinator seeds a shared crawl
// with them; a worker attaches a collector to each crawl it makes and drops them (they are
// queued already).
func (cr *Crawl) Start(collector Collector) ([]Link, error) {
	if cr.gather == nil {
		return nil, errors.New("collectors: Start needs a crawl in gather mode")
	}
	var start []Link
	cr.gather.mu.Lock()
	fn := cr.gather.fn
	cr.gather.fn = func(l Link) { start = append(start, l) }
	cr.gather.mu.Unlock()
	err := collector.Collect(cr.ctx, cr)
	cr.gather.mu.Lock()
	cr.gather.fn = fn
	cr.gather.mu.Unlock()
	return start, err
}
