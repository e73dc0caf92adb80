package collectors

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
)

// Options tune how politely and how persistently a crawl fetches.
type Options struct {
	UserAgent      string
	Parallelism    int           // concurrent requests per host
	Delay          time.Duration // wait between requests to one host
	RandomDelay    time.Duration // extra random wait in [0, RandomDelay)
	RequestTimeout time.Duration
	Retry          RetryPolicy
	// IgnoreRobots turns off robots.txt, which is obeyed by default (colly's own default is off).
	IgnoreRobots bool
	MaxBodyBytes int64
	// Seed fixes the retry jitter so a test can replay a crawl.
	Seed uint64
	// AutoThrottle adapts the delay per host to its latency (see throttle); Delay stays the floor.
	AutoThrottle         bool
	AutoThrottleMaxDelay time.Duration
	AutoThrottleTarget   float64 // concurrent requests the site should see on average
	// Headers are added to every request: credentials read from the environment (see
	// HeadersFromEnv); they are never archived.
	Headers http.Header
	// AllowedHosts are hosts besides the base URL's (and the source's own AllowedHosts) that may
	// be fetched: exact host names, host:port, or *.example.com for every subdomain.
	AllowedHosts []string

	// Replay answers these pages (keyed by PageKey) from the source's archive instead of the network (a resumed run's
	// pages, or a re-parse); with Offline, nothing else is fetched.
	Replay  map[string]ArchivedPage
	Offline bool
	// Revalidate sends conditional requests for these pages (a nightly incremental run) and
	// replays the archived copy when the site answers 304 Not Modified.
	Revalidate map[string]ArchivedPage
	// Schedule, for an incremental run, carries detail pages that are not due forward from the
	// archive instead of requesting them. It lives in one process: a distributed run's plan,
	// which records these options as JSON, leaves it out (and refuses incremental runs).
	Schedule *Schedule `json:"-"`
	// Gate, when set, is asked right before each request goes to the network, after it has its
	// host slot; an error stops the request. A distributed worker refuses requests once its host
	// lease may have lapsed: a process resumed after a freeze must not talk to a host that
	// another worker now holds, even for the requests it had queued before it froze.
	Gate func(host string) error `json:"-"`
}

// DefaultOptions are polite settings for real sites.
func DefaultOptions() Options {
	return Options{
		UserAgent:      "fhi/0.1 (+https://github.com/fhi-index/fhi; research crawler)",
		Parallelism:    2,
		Delay:          500 * time.Millisecond,
		RandomDelay:    500 * time.Millisecond,
		RequestTimeout: 30 * time.Second,
		Retry:          RetryPolicy{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: time.Minute},
		MaxBodyBytes:   32 << 20,
		Seed:           1,
	}
}

// Validate reports every problem with o at once.
func (o Options) Validate() error {
	var errs []error
	if o.Parallelism < 1 {
		errs = append(errs, fmt.Errorf("parallelism: must be ≥ 1, got %d", o.Parallelism))
	}
	if o.Retry.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("retry.max_attempts: must be ≥ 1, got %d", o.Retry.MaxAttempts))
	}
	if o.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("request_timeout: must be > 0, got %s", o.RequestTimeout))
	}
	if o.MaxBodyBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_body_bytes: must be > 0, got %d", o.MaxBodyBytes))
	}
	return errors.Join(errs...)
}

// Stats count what a crawl did.
type Stats struct {
	Requests    int64            `json:"requests"`
	Retries     int64            `json:"retries"`
	Bytes       int64            `json:"bytes"`
	Records     int64            `json:"records"`
	Replayed    int64            `json:"replayed"`        // answered from the archive
	NotModified int64            `json:"not_modified"`    // 304 answers to conditional requests
	Carried     int64            `json:"carried_forward"` // pages not due, answered from the archive
	Quarantined int64            `json:"quarantined"`
	Failed      int64            `json:"failed"`
	Refused     int64            `json:"refused"` // redirects off the hosts, in a loop or into robots-disallowed paths
	ByStatus    map[string]int64 `json:"responses_by_status"`
}

// counters is the concurrent-safe tally behind Stats.
type counters struct {
	mu sync.Mutex
	s  Stats
}

func (c *counters) update(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.s)
}

func (c *counters) countStatus(code, bytes int) {
	c.update(func(s *Stats) {
		s.Bytes += int64(bytes)
		if s.ByStatus == nil {
			s.ByStatus = map[string]int64{}
		}
		s.ByStatus[strconv.Itoa(code)]++
	})
}

func (c *counters) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.ByStatus = make(map[string]int64, len(c.s.ByStatus))
	for k, v := range c.s.ByStatus {
		out.ByStatus[k] = v
	}
	return out
}

// Failure is a URL that yielded nothing: a request that failed for good, or a page quarantined
// because it could not be parsed.
type Failure struct {
	URL      string `json:"url"`
	Kind     string `json:"kind"` // "fetch", "quarantine" or "refused" (a redirect the crawl would not follow)
	Status   int    `json:"status"`
	Error    string `json:"error"`
	Attempts int    `json:"attempts"`
	// WARCFile and WARCOffset locate a quarantined page's bytes; empty for fetch failures.
	WARCFile   string `json:"warc_file,omitempty"`
	WARCOffset int64  `json:"warc_offset,omitempty"`
}

// Crawl is one run of one source: a colly collector wired to the archive, the retry policy and the
// record writer. Sources register their callbacks on [Crawl.Colly] and call [Crawl.Emit].
type Crawl struct {
	source    Source
	out       RecordWriter
	stats     *counters
	c         *colly.Collector
	transport *archivingTransport
	ctx       context.Context
	cancel    context.CancelCauseFunc

	mu       sync.Mutex
	failures []Failure
	gather   *gatherState // set by Gather: another scheduler drives the crawl
}

// NewCrawl prepares a crawl of source at baseURL. Only baseURL's scheme, host and port, and the
// hosts the source and opts allow, may be fetched: a link or redirect anywhere else is not followed.
func NewCrawl(ctx context.Context, source Source, baseURL string, archive *Archive, out RecordWriter, opts Options) (*Crawl, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("crawl options: %w", err)
	}
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("source %s: base URL %q must be an absolute http(s) URL", source.Name, baseURL)
	}
	filters, err := hostFilters(base, append(append([]string(nil), source.AllowedHosts...), opts.AllowedHosts...))
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", source.Name, err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	cr := &Crawl{source: source, out: out, stats: &counters{}, ctx: ctx, cancel: cancel}

	c := colly.NewCollector(
		colly.UserAgent(opts.UserAgent),
		colly.Async(true),
		colly.StdlibContext(ctx),
		colly.MaxBodySize(int(opts.MaxBodyBytes)),
	)
	// robots.txt governs fetching; an offline re-parse fetches nothing, and its archive holds only
	// pages robots.txt allowed when they were crawled. colly fetches and caches it per host.
	c.IgnoreRobotsTxt = opts.IgnoreRobots || opts.Offline
	// colly's AllowedDomains ignores the port and is checked after robots.txt is fetched; URL
	// filters are checked before anything.
	c.URLFilters = filters
	dialer := &net.Dialer{Timeout: opts.RequestTimeout, KeepAlive: 30 * time.Second}
	base0 := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConnsPerHost:   max(opts.Parallelism, 2),
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: opts.RequestTimeout,
	}
	var th *throttle
	if opts.AutoThrottle {
		th = newThrottle(opts.Delay, max(opts.AutoThrottleMaxDelay, opts.Delay), opts.AutoThrottleTarget)
	}
	cr.transport = &archivingTransport{
		base:    base0,
		archive: archive,
		retry:   opts.Retry,
		stats:   cr.stats,
		maxBody: opts.MaxBodyBytes,
		timeout: opts.RequestTimeout,
		replay:  opts.Replay, offline: opts.Offline, revalidate: opts.Revalidate, schedule: opts.Schedule,
		rng:      rand.New(rand.NewPCG(opts.Seed, 0x66686921)),
		throttle: th,
		limit:    func(host string) *hostLimit { return limitFor(host, opts) },
		charset:  source.Charset,
		gate:     opts.Gate,
	}
	// Redirects come back to the crawl as 3xx answers (archived like any other) and are followed
	// by followRedirect, which applies the host filters, robots.txt at the target and the loop
	// check; colly's own redirect policy would refuse them before any handler could record why.
	jar, _ := cookiejar.New(nil)
	c.SetClient(&http.Client{Transport: cr.transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }})
	if len(opts.Headers) > 0 {
		c.OnRequest(func(r *colly.Request) {
			for k, vs := range opts.Headers {
				for _, v := range vs {
					r.Headers.Add(k, v)
				}
			}
		})
	}
	// Timeouts apply per attempt inside the transport; colly's client-wide timeout would cut
	// retries (and their Retry-After waits) short.
	c.SetRequestTimeout(0)
	// Politeness per host is the transport's (shared across crawls, network requests only); this
	// rule only bounds how many pages one crawl works on at once.
	if err := c.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: 4 * opts.Parallelism}); err != nil {
		return nil, fmt.Errorf("setting crawl limits: %w", err)
	}
	c.OnError(func(r *colly.Response, err error) {
		defer cr.recoverPanic(r)
		if cr.ctx.Err() != nil {
			return // an interrupted run is marked as such; its unfinished requests are not failures
		}
		if r.Request == nil || r.Request.URL == nil {
			cr.addFailure(Failure{Kind: "fetch", Error: err.Error(), Attempts: 1})
			return
		}
		if isRedirect(r.StatusCode) && r.Headers != nil {
			cr.followRedirect(r)
			return
		}
		if r.StatusCode == http.StatusNotFound && r.Ctx != nil && r.Ctx.Get(optionalKey) == "1" {
			return
		}
		f := Failure{URL: r.Request.URL.String(), Kind: "fetch", Status: r.StatusCode, Error: err.Error(), Attempts: 1}
		var fe *FetchError
		if errors.As(err, &fe) {
			f.Attempts, f.Status = fe.Attempts, fe.Status
		} else if r.Headers != nil {
			if _, attempts, lerr := lineageFrom(*r.Headers); lerr == nil {
				f.Attempts = attempts
			}
		}
		cr.addFailure(f)
	})
	cr.c = c
	return cr, nil
}

// hostFilters are the URL filters of a crawl: the base URL's scheme and host:port exactly, and
// each allowed host pattern over http and https on any port (unless it names one).
func hostFilters(base *url.URL, allowed []string) ([]*regexp.Regexp, error) {
	out := []*regexp.Regexp{regexp.MustCompile(`^` + regexp.QuoteMeta(base.Scheme+"://"+base.Host) + `([/?#]|$)`)}
	for _, h := range allowed {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || strings.ContainsAny(h, "/?#@ ") {
			return nil, fmt.Errorf("allowed host %q must be a host name, host:port or *.domain", h)
		}
		port := `(:[0-9]+)?`
		if name, p, ok := strings.Cut(h, ":"); ok {
			h, port = name, ":"+regexp.QuoteMeta(p)
		}
		host := regexp.QuoteMeta(h)
		if rest, ok := strings.CutPrefix(h, "*."); ok {
			host = `[^/?#@:]+\.` + regexp.QuoteMeta(rest)
		}
		out = append(out, regexp.MustCompile(`^(?i:https?://`+host+`)`+port+`([/?#]|$)`))
	}
	return out, nil
}

// Colly returns the collector to register callbacks on and to start visiting with.
func (cr *Crawl) Colly() *colly.Collector { return cr.c }

// Context is done when the run is interrupted or a record could not be written.
func (cr *Crawl) Context() context.Context { return cr.ctx }

// Emit writes one record extracted from resp. A write error stops the crawl: losing records
// silently is worse than stopping.
func (cr *Crawl) Emit(resp *colly.Response, key string, fields map[string]string) {
	lin, _, err := lineageFrom(*resp.Headers)
	if err != nil {
		cr.cancel(fmt.Errorf("emitting %s: %w", resp.Request.URL, err))
		return
	}
	lin.HTTPStatus = resp.StatusCode
	if err := cr.out.Write(cr.ctx, Record{Key: key, Fields: fields, Lineage: lin}); err != nil {
		cr.cancel(fmt.Errorf("writing record %q from %s: %w", key, lin.URL, err))
		return
	}
	cr.stats.update(func(s *Stats) { s.Records++ })
}

// Quarantine records that resp could not be turned into records, and why; the page stays in the
// archive for a re-parse once the extraction rule is fixed.
func (cr *Crawl) Quarantine(resp *colly.Response, reason error) {
	f := Failure{URL: resp.Request.URL.String(), Kind: "quarantine", Status: resp.StatusCode, Error: reason.Error(), Attempts: 1}
	if lin, attempts, err := lineageFrom(*resp.Headers); err == nil {
		f.WARCFile, f.WARCOffset, f.Attempts = lin.WARCFile, lin.WARCOffset, attempts
	}
	cr.addFailure(f)
}

func (cr *Crawl) addFailure(f Failure) {
	cr.stats.update(func(s *Stats) {
		switch f.Kind {
		case "quarantine":
			s.Quarantined++
		case KindRefused:
			s.Refused++
		default:
			s.Failed++
		}
	})
	cr.mu.Lock()
	defer cr.mu.Unlock()
	cr.failures = append(cr.failures, f)
}

// Failures returns the run's failures sorted by URL.
func (cr *Crawl) Failures() []Failure {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	out := append([]Failure(nil), cr.failures...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].URL != out[j].URL {
			return out[i].URL < out[j].URL
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// Pages returns the page that answered each URL — fetched, revalidated or replayed — sorted by
// URL: the run's page index, from which the next incremental run sends conditional requests.
func (cr *Crawl) Pages() []ArchivedPage {
	t := cr.transport
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ArchivedPage, 0, len(t.pages))
	for _, p := range t.pages {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out
}

// Stats returns the crawl's counters so far.
func (cr *Crawl) Stats() Stats { return cr.stats.snapshot() }

// Run runs collector to completion and reports why it stopped: nil, the interruption, or the
// first record-writing error.
func (cr *Crawl) Run(collector Collector) error {
	err := collector.Collect(cr.ctx, cr)
	cr.c.Wait()
	if cause := context.Cause(cr.ctx); cause != nil {
		return cause
	}
	cr.cancel(nil)
	return err
}
