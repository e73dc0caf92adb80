package sampleweb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/fhi-index/fhi/collectors"
	"hash/fnv"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Site is one simulated source site: a path prefix on a host of its own (and, for a site that
// spreads over two hosts, on a second one).
type Site struct {
	Name        string // e.g. "p2p"
	BaseURL     string // e.g. "http://127.0.0.2:PORT/p2p"
	Description string
	// Hosts are the host:port pairs the site serves, its base URL's first; a source of the site
	// must be allowed to fetch from all of them.
	Hosts []string
}

// siteList names every site in the order Sites returns them.
var siteList = []Site{
	{Name: "p2p", BaseURL: "/p2p", Description: "P2P lending portal (like 网贷之家): platform directory (HTML) and loan projects (JSON API)"},
	{Name: "registry", BaseURL: "/registry", Description: "enterprise registry (like 企查查): keyword/industry search and company pages (HTML)"},
	{Name: "jobs-api", BaseURL: "/jobs-api", Description: "recruitment site with a paged JSON API and a POST AJAX API (like 拉勾)"},
	{Name: "jobs-gbk", BaseURL: "/jobs-gbk", Description: "recruitment site rendered in GBK, search data in window.__SEARCH_RESULT__ (like 前程无忧)"},
	{Name: "vc", BaseURL: "/vc", Description: "venture-capital deal database (like IT桔子): deal list in window.__INITIAL_STATE__, moved deal pages"},
	{Name: "crowdfunding", BaseURL: "/crowdfunding", Description: "crowdfunding portal: platform list and project list (HTML)"},
	{Name: "licensees", BaseURL: "/licensees", Description: "regulators' lists: payment licences, big-data credit and blockchain firms (HTML tables)"},
	{Name: "city", BaseURL: "/city", Description: "city open data: bulletins, work reports, city services, credit users, Baidu heat (JSONP), survey (XLSX)"},
	{Name: "lender", BaseURL: "/lender", Description: "a P2P platform's own site (like 人人贷): loan list in an escaped JS string, loan pages on a second host"},
}

// lenderDetailHost is the second host of the lender site, where its loan pages live (/loan/{id}).
const lenderDetailHost = "lender-detail"

// Server is a running sample web.
type Server struct {
	world *World
	lns   []net.Listener
	srv   *http.Server
	done  chan error
	// hosts maps each site (and lenderDetailHost) to its host:port; all the same in one-host mode.
	hosts map[string]string
	index string // the host:port of the index, the listen address
	// inflight, when set, counts requests in flight per host (inflight.go).
	inflight atomic.Pointer[InFlight]
}

// Start builds the world for opts, listens on addr ("127.0.0.1:0" picks a free port) and serves in
// the background until Close.
//
// With a loopback IPv4 address (127.x.y.z) every site gets a host of its own: the next addresses
// on the same port (127.0.0.2 for p2p, 127.0.0.3 for registry …; Linux routes all of 127/8 to the
// loopback interface), so crawls see one host per site — robots.txt, politeness and concurrency
// per host, as on the real web — and any client (curl, a browser, fhi run --site) reaches them
// with no resolver setup. The listen address itself serves every site under its path prefix, as
// a single host does. Where those addresses cannot be bound (another OS, another address), every
// site lives on the listen address.
func Start(addr string, opts Options) (*Server, error) {
	w, err := NewWorld(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	s := &Server{world: w, lns: []net.Listener{ln}, done: make(chan error, 8), index: ln.Addr().String()}
	s.hosts = s.siteHosts(ln)
	h := NewHandler(w, opts.Faults).(*handler)
	h.hosts = map[string]string{}
	for name, host := range s.hosts {
		if host != s.index {
			h.hosts[host] = name
		}
	}
	h.lenderDetail = "http://" + s.hosts[lenderDetailHost]
	s.srv = &http.Server{Handler: s.counted(h), ReadHeaderTimeout: 10 * time.Second}
	for _, l := range s.lns {
		go func() { s.done <- s.srv.Serve(l) }()
	}
	return s, nil
}

// siteHosts binds one loopback address per site on ln's port, or gives every site ln's address.
func (s *Server) siteHosts(ln net.Listener) map[string]string {
	names := []string{}
	for _, st := range siteList {
		names = append(names, st.Name)
	}
	names = append(names, lenderDetailHost)
	single := map[string]string{}
	for _, n := range names {
		single[n] = s.index
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	ip4 := tcp.IP.To4()
	if !ok || ip4 == nil || ip4[0] != 127 || int(ip4[3])+len(names) > 254 {
		return single
	}
	hosts := map[string]string{}
	var extra []net.Listener
	for i, n := range names {
		ip := net.IPv4(ip4[0], ip4[1], ip4[2], ip4[3]+byte(i+1))
		l, err := net.Listen("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port)))
		if err != nil {
			for _, e := range extra {
				e.Close()
			}
			return single
		}
		extra = append(extra, l)
		hosts[n] = l.Addr().String()
	}
	s.lns = append(s.lns, extra...)
	return hosts
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:8080": the index, which also serves
// every site under its path prefix.
func (s *Server) URL() string { return "http://" + s.index }

// Sites returns one Site per simulated site with its base URL on this server.
func (s *Server) Sites() []Site {
	out := make([]Site, len(siteList))
	for i, st := range siteList {
		host := s.hosts[st.Name]
		st.BaseURL = "http://" + host + st.BaseURL
		st.Hosts = []string{host}
		if st.Name == "lender" && s.hosts[lenderDetailHost] != host {
			st.Hosts = append(st.Hosts, s.hosts[lenderDetailHost])
		}
		out[i] = st
	}
	return out
}

// Site returns the site called name.
func (s *Server) Site(name string) (Site, bool) {
	for _, st := range s.Sites() {
		if st.Name == name {
			return st, true
		}
	}
	return Site{}, false
}

// Targets says where each of sources crawls on this server: its site's base URL and the other
// hosts the site spans (the lender's loan pages live on a second host). Sources whose site the
// sample web does not serve are left out.
func (s *Server) Targets(sources []collectors.Source) (baseURLs map[string]string, otherHosts map[string][]string) {
	baseURLs, otherHosts = map[string]string{}, map[string][]string{}
	for _, src := range sources {
		if site, ok := s.Site(src.Site); ok {
			baseURLs[src.Name] = site.BaseURL
			if len(site.Hosts) > 1 {
				otherHosts[src.Name] = site.Hosts[1:]
			}
		}
	}
	return baseURLs, otherHosts
}

// World returns the world the server serves.
func (s *Server) World() *World { return s.world }

// Close stops the server, waiting up to 5 s for requests in flight.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	for range s.lns {
		if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	return err
}

// page is a rendered answer.
type page struct {
	body  []byte
	ctype string
	mod   int  // day of last change, for Last-Modified
	html  bool // eligible for the malformed fault
}

// statusError is an HTTP error answer of a page function.
type statusError struct{ code int }

func (e statusError) Error() string { return http.StatusText(e.code) }

var errNotFound = statusError{http.StatusNotFound}

type pageFunc func(r *http.Request) (*page, error)

// handler serves the sites of one world with one fault setting.
type handler struct {
	w        *World
	faults   Faults
	mux      *http.ServeMux
	attempts sync.Map // URL → *atomic.Int64, for per-URL seeded fault decisions
	shifts   sync.Map // list name → *atomic.Int64, for the shift fault
	limiter  *bucket
	cookie   string
	xlsxOnce sync.Once
	xlsx     []byte
	xlsxErr  error
	// hosts maps a site's own host:port to its name; requests to any other host (the index, a
	// single-host server, a test recorder) may reach every site.
	hosts map[string]string
	// lenderDetail is the origin of the lender's loan pages, as its list data link them.
	lenderDetail string
	lenderOnce   sync.Once
	lender       *lenderBook
}

// NewHandler returns the HTTP handler of all sites of w with the given faults.
func NewHandler(w *World, faults Faults) http.Handler {
	h := &handler{w: w, faults: faults, mux: http.NewServeMux()}
	if faults.RateLimit > 0 {
		h.limiter = newBucket(faults.RateLimit)
	}
	h.cookie = fmt.Sprintf("sw_visitor=%016x; Path=/; Max-Age=86400; HttpOnly", hash64(w.opts.Seed, "cookie"))
	h.mux.HandleFunc("GET /robots.txt", h.robots)
	h.handle("GET /{$}", h.index)
	h.routesP2P()
	h.routesRegistry()
	h.routesJobs()
	h.routesVC()
	h.routesCrowdfunding()
	h.routesLicensees()
	h.routesCity()
	h.routesLender()
	h.routesShapes()
	return h
}

// ServeHTTP serves a site's host only that site's pages (and its own robots.txt), like a real host.
func (h *handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if site, ok := h.hosts[r.Host]; ok {
		if r.URL.Path == "/robots.txt" {
			h.siteRobots(rw, site)
			return
		}
		if !onSite(site, r.URL.Path) {
			http.NotFound(rw, r)
			return
		}
	}
	h.mux.ServeHTTP(rw, r)
}

// onSite says whether path belongs to site on its own host.
func onSite(site, path string) bool {
	if site == lenderDetailHost {
		return strings.HasPrefix(path, "/loan/")
	}
	return path == "/"+site || strings.HasPrefix(path, "/"+site+"/")
}

// handle registers a page function behind the fault, caching and cookie layer.
func (h *handler) handle(pattern string, fn pageFunc) {
	h.mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) { h.serve(rw, r, fn) })
}

func (h *handler) serve(rw http.ResponseWriter, r *http.Request, fn pageFunc) {
	if h.injectFault(rw, r) {
		return
	}
	p, err := fn(r)
	if err != nil {
		code := http.StatusInternalServerError
		var se statusError
		if errors.As(err, &se) {
			code = se.code
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.WriteHeader(code)
		fmt.Fprintf(rw, "<!DOCTYPE html><html><head><title>%d</title></head><body><h1>%d %s</h1></body></html>\n", code, code, http.StatusText(code))
		return
	}
	body := p.body
	if p.html && h.faults.Malformed && unit(hash64(h.w.opts.Seed, "malformed", r.URL.RequestURI())) < 0.1 {
		body = malform(body)
	}
	etag := etagOf(body)
	mod := baseDate.AddDate(0, 0, p.mod)
	hdr := rw.Header()
	hdr.Set("Content-Type", p.ctype)
	hdr.Set("ETag", etag)
	hdr.Set("Last-Modified", mod.Format(http.TimeFormat))
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Set-Cookie", h.cookie)
	if notModified(r, etag, mod) {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		rw.Write(body)
	}
}

// notModified applies RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
func notModified(r *http.Request, etag string, mod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !mod.After(t) {
			return true
		}
	}
	return false
}

func etagOf(body []byte) string {
	h := fnv.New64a()
	h.Write(body)
	return fmt.Sprintf(`"%016x"`, h.Sum64())
}

// malform damages HTML the way sloppy real sites do: closing cell and row tags dropped, an
// unclosed element and a stray end tag added. An HTML5 parser still recovers every value.
func malform(body []byte) []byte {
	b := bytes.ReplaceAll(body, []byte("</td>"), nil)
	b = bytes.ReplaceAll(b, []byte("</tr>"), nil)
	b = bytes.ReplaceAll(b, []byte("</html>"), []byte("<div class=\"ad\"><p>广告</span></font>"))
	return b
}

// injectFault applies the request-level faults; it reports whether the request was answered.
func (h *handler) injectFault(rw http.ResponseWriter, r *http.Request) bool {
	f := h.faults
	if f.Latency > 0 {
		select {
		case <-time.After(f.Latency):
		case <-r.Context().Done():
			return true
		}
	}
	if h.limiter != nil && !h.limiter.take() {
		rw.Header().Set("Retry-After", "1")
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintln(rw, "429 too many requests: slow down")
		return true
	}
	if f.ServerErrorRate == 0 && f.DropRate == 0 && f.SlowRate == 0 {
		return false
	}
	u := r.URL.RequestURI()
	v, _ := h.attempts.LoadOrStore(u, new(atomic.Int64))
	n := strconv.FormatInt(v.(*atomic.Int64).Add(1), 10)
	seed := h.w.opts.Seed
	if f.DropRate > 0 && unit(hash64(seed, "drop", u, n)) < f.DropRate {
		if hj, ok := rw.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2 or a test recorder: abort the stream instead
	}
	if f.ServerErrorRate > 0 && unit(hash64(seed, "5xx", u, n)) < f.ServerErrorRate {
		codes := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
		code := codes[hash64(seed, "5xxcode", u, n)%3]
		if code == http.StatusServiceUnavailable {
			rw.Header().Set("Retry-After", "1")
		}
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.WriteHeader(code)
		fmt.Fprintf(rw, "<html><body><h1>%d %s</h1><p>nginx</p></body></html>\n", code, http.StatusText(code))
		return true
	}
	if f.SlowRate > 0 && unit(hash64(seed, "slow", u, n)) < f.SlowRate {
		select {
		case <-time.After(f.slowDelay()):
		case <-r.Context().Done():
			return true
		}
	}
	return false
}

// shift returns how far list `name` has shifted: it grows by one every 5 requests up to 10, as if
// new items were being inserted at the head while a crawler pages through.
func (h *handler) shift(name string) int {
	if !h.faults.Shift {
		return 0
	}
	v, _ := h.shifts.LoadOrStore(name, new(atomic.Int64))
	n := int(v.(*atomic.Int64).Add(1)-1) / 5
	return min(n, 10)
}

// bucket is a token-bucket rate limiter with a one-second burst.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64) *bucket {
	return &bucket{rate: rate, tokens: math_max(1, rate), last: time.Now()}
}

func (b *bucket) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens += now.Sub(b.last).Seconds() * b.rate
	b.last = now
	if capac := math_max(1, b.rate); b.tokens > capac {
		b.tokens = capac
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func math_max(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// robotsTxt disallows admin and export paths; some pages link to them so crawlers' obedience can
// be tested.
const robotsTxt = `# sample web robots.txt
User-agent: *
Disallow: /p2p/admin/
Disallow: /registry/export
Disallow: /vc/private/
Disallow: /jobs-gbk/cgi-bin/
Disallow: /lender/account/
Disallow: /loan/contract/
Crawl-delay: 0

User-agent: BadBot
Disallow: /
`

func (h *handler) robots(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.Header().Set("Last-Modified", baseDate.Format(http.TimeFormat))
	rw.Write([]byte(robotsTxt))
}

// siteRobots is the robots.txt of one site's own host: the rules for its paths.
func (h *handler) siteRobots(rw http.ResponseWriter, site string) {
	var b strings.Builder
	fmt.Fprintf(&b, "# sample web robots.txt of the %s host\nUser-agent: *\n", site)
	for _, line := range strings.Split(robotsTxt, "\n") {
		if p, ok := strings.CutPrefix(line, "Disallow: "); ok && onSite(site, p) {
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("Crawl-delay: 0\n\nUser-agent: BadBot\nDisallow: /\n")
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.Header().Set("Last-Modified", baseDate.Format(http.TimeFormat))
	rw.Write([]byte(b.String()))
}

func (h *handler) index(r *http.Request) (*page, error) {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>sample web</title></head><body><h1>sample web</h1><ul>\n")
	for _, s := range siteList {
		fmt.Fprintf(&b, "<li><a href=\"%s/\">%s</a> — %s</li>\n", s.BaseURL, s.Name, s.Description)
	}
	b.WriteString("</ul></body></html>\n")
	return &page{body: []byte(b.String()), ctype: "text/html; charset=utf-8", html: true}, nil
}

// pageParam reads ?page=N (default 1); anything else than a positive integer is a 404.
func pageParam(r *http.Request) (int, error) {
	s := r.URL.Query().Get("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errNotFound
	}
	return n, nil
}

// window returns the [start, end) slice bounds of page n (1-based) of a list of total items with
// size per page, shifted by shift items; ok is false past the end.
func window(n, size, total, shift int) (start, end int, last, ok bool) {
	pages := (total + shift + size - 1) / size
	if pages == 0 {
		pages = 1
	}
	if n > pages {
		return 0, 0, false, false
	}
	start = (n-1)*size - shift
	if start < 0 {
		start = 0
	}
	end = n*size - shift
	if n == 1 {
		end = size
	}
	if end > total || n == pages {
		end = total
	}
	if start > end {
		start = end
	}
	return start, end, n == pages, true
}
