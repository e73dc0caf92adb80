package collectors

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/gocolly/colly/v2"
)

// Request is one request a collector asks the crawl to make: a URL and, for sites whose lists
// are AJAX APIs, a method, a body and headers.
type Request struct {
	Method string // "" is GET
	URL    string
	Body   []byte
	Header http.Header
	// Ctx travels with the request to the callbacks of its response, and of the pages it
	// redirects to; nil starts an empty one.
	Ctx *colly.Context
	// Optional marks a request whose 404 is an expected end (the page after the last of an API
	// that does not say how many it has), not a failure.
	Optional bool
	// Refresh fetches the page even if the revisit schedule would carry it forward: it is linked
	// from a list page that changed (see Crawl.Changed).
	Refresh bool
}

// Keys the crawl keeps in a request's colly context.
const (
	optionalKey = "fhi.optional"
	bodyKey     = "fhi.body"     // the request body, so a 307/308 redirect can send it again
	chainKey    = "fhi.redirect" // URLs of the redirect chain so far, newline-separated
)

// maxRedirects is how many redirects one request may follow (browsers and net/http stop at 10 too).
const maxRedirects = 10

// Visit asks the crawl to fetch req. The error says why it will not be (colly's
// ErrAlreadyVisited, ErrRobotsTxtBlocked, a URL outside the allowed hosts); links found on pages
// are normally visited ignoring it.
func (cr *Crawl) Visit(req Request) error {
	if cr.gather != nil {
		return cr.visitGathered(req)
	}
	return cr.visitNow(req)
}

// visitNow queues req with colly (or, in gather mode, makes it at once).
func (cr *Crawl) visitNow(req Request) error {
	ctx := req.Ctx
	if ctx == nil {
		ctx = colly.NewContext()
	}
	if req.Optional {
		ctx.Put(optionalKey, "1")
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	var body *bytes.Reader
	if req.Body != nil {
		ctx.Put(bodyKey, string(req.Body))
		body = bytes.NewReader(req.Body)
	}
	hdr := req.Header.Clone()
	if req.Refresh {
		if hdr == nil {
			hdr = http.Header{}
		}
		hdr.Set(hdrRefresh, "1")
	}
	if body == nil {
		return cr.c.Request(method, req.URL, nil, ctx, hdr)
	}
	return cr.c.Request(method, req.URL, body, ctx, hdr)
}

// VisitOptional requests url from resp's page; a 404 answer ends quietly instead of being a failure.
func (cr *Crawl) VisitOptional(resp *colly.Response, url string) {
	_ = cr.Visit(Request{URL: resp.Request.AbsoluteURL(url), Optional: true})
}

// OnPage registers fn for every answer a source parses. fn runs behind the crawl's guards: a
// panic becomes a recorded failure of that URL instead of ending the process, and a page whose
// bytes do not fit its declared charset is quarantined before fn sees it.
func (cr *Crawl) OnPage(fn func(*colly.Response)) {
	cr.c.OnResponse(func(r *colly.Response) {
		defer cr.recoverPanic(r)
		if cr.ctx.Err() != nil {
			return
		}
		if problem := r.Headers.Get(hdrCharsetProblem); problem != "" {
			cr.Quarantine(r, fmt.Errorf("%w: %s", ErrCharset, problem))
			return
		}
		fn(r)
	})
}

// ErrCharset marks a page whose bytes are not in the charset it declares (or the spec sets):
// decoded, it would be mojibake.
var ErrCharset = errors.New("collectors: page is not in its declared charset")

// ErrPanic marks a page whose handling panicked; the crawl went on without it.
var ErrPanic = errors.New("collectors: panic while handling page")

// recoverPanic turns a panic in a callback into a failure of r's URL.
func (cr *Crawl) recoverPanic(r *colly.Response) {
	v := recover()
	if v == nil {
		return
	}
	u := ""
	if r != nil && r.Request != nil && r.Request.URL != nil {
		u = r.Request.URL.String()
	}
	stack := string(debug.Stack())
	if i := strings.Index(stack, "panic("); i >= 0 {
		stack = stack[i:]
	}
	if len(stack) > 2000 {
		stack = stack[:2000]
	}
	cr.addFailure(Failure{URL: u, Kind: "fetch", Error: fmt.Sprintf("%v: %v\n%s", ErrPanic, v, stack), Attempts: 1})
}

// KindRefused is the Failure kind of a URL the crawl refused to follow (see ErrRedirect).
const KindRefused = "refused"

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// ErrRedirect marks a redirect the crawl would not follow: off the allowed hosts, disallowed by
// robots.txt at its target, a loop, or too long a chain. It is a failure of the redirecting URL,
// of kind KindRefused: the crawl's policy said no, no data the site offered was lost.
var ErrRedirect = errors.New("collectors: redirect not followed")

// followRedirect requests the target of a 3xx answer through the same checks as any link
// (allowed hosts, robots.txt at the target, politeness), carrying the request's context.
func (cr *Crawl) followRedirect(r *colly.Response) {
	from := r.Request.URL
	chain := strings.Split(r.Ctx.Get(chainKey), "\n")
	if chain[0] == "" {
		chain = nil
	}
	// The failure is the requested URL's, the first of the chain: that is what a page linked.
	first := from.String()
	if len(chain) > 0 {
		first = chain[0]
	}
	fail := func(format string, args ...any) {
		f := Failure{URL: first, Kind: KindRefused, Status: r.StatusCode, Error: fmt.Sprintf("%v: %s", ErrRedirect, fmt.Sprintf(format, args...)), Attempts: 1}
		if _, attempts, err := lineageFrom(*r.Headers); err == nil {
			f.Attempts = attempts
		}
		cr.addFailure(f)
	}
	loc := r.Headers.Get("Location")
	if loc == "" {
		fail("HTTP %d without a Location", r.StatusCode)
		return
	}
	target, err := from.Parse(loc)
	if err != nil {
		fail("bad Location %q: %v", loc, err)
		return
	}
	target.Fragment = ""
	chain = append(chain, from.String())
	for _, u := range chain {
		if u == target.String() {
			fail("redirect loop: %s → %s", strings.Join(chain, " → "), target)
			return
		}
	}
	if len(chain) > maxRedirects {
		fail("more than %d redirects (%s → …)", maxRedirects, chain[0])
		return
	}
	ctx := colly.NewContext()
	r.Ctx.ForEach(func(k string, v any) any {
		ctx.Put(k, v)
		return nil
	})
	ctx.Put(chainKey, strings.Join(chain, "\n"))
	req := Request{URL: target.String(), Ctx: ctx, Header: http.Header{}}
	for k, vs := range *r.Request.Headers {
		if !isLineageHeader(k) && k != "If-None-Match" && k != "If-Modified-Since" {
			req.Header[k] = vs
		}
	}
	// 307 and 308 repeat the request as it was; 301, 302 and 303 become a GET without a body
	// (what browsers do, RFC 9110 §15.4).
	if r.StatusCode == http.StatusTemporaryRedirect || r.StatusCode == http.StatusPermanentRedirect {
		req.Method = r.Request.Method
		if b := r.Ctx.Get(bodyKey); b != "" {
			req.Body = []byte(b)
		}
	} else {
		ctx.Put(bodyKey, "")
		req.Header.Del("Content-Type")
	}
	err = cr.Visit(req)
	var visited *colly.AlreadyVisitedError
	switch {
	case err == nil, errors.As(err, &visited):
		// followed, or the target is crawled already as a page of its own
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		fail("robots.txt disallows the target %s", target)
	case errors.Is(err, colly.ErrNoURLFiltersMatch), errors.Is(err, colly.ErrForbiddenDomain), errors.Is(err, colly.ErrForbiddenURL):
		fail("target %s is off the source's hosts", target)
	default:
		fail("following to %s: %v", target, err)
	}
}
