package collectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/temoto/robotstxt"
)

// ErrRobotsDisallowed is a page robots.txt forbids fetching.
var ErrRobotsDisallowed = errors.New("collectors: robots.txt disallows the page")

// ProbeFetch fetches one page the way a crawl of src would request it — its page kind's method,
// body and headers, opts' user agent and env credentials — after checking robots.txt of the
// page's host (unless opts.IgnoreRobots). Redirects are not followed: a 3xx answer is an error
// naming its target. The request sent is returned even when the fetch fails, for display.
func ProbeFetch(ctx context.Context, src Source, u *url.URL, opts Options, client *http.Client) (Request, []byte, http.Header, error) {
	req := Request{Method: http.MethodGet, URL: u.String(), Header: http.Header{}}
	if src.ProbeRequest != nil {
		r, err := src.ProbeRequest(u)
		if err != nil {
			return req, nil, nil, err
		}
		req = r
		if req.Header == nil {
			req.Header = http.Header{}
		}
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	for k, vs := range opts.Headers {
		req.Header[k] = vs
	}
	if client == nil {
		client = &http.Client{Timeout: opts.RequestTimeout}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	target, err := url.Parse(req.URL)
	if err != nil {
		return req, nil, nil, err
	}
	if !opts.IgnoreRobots {
		if err := robotsAllow(ctx, &c, target, opts.UserAgent); err != nil {
			return req, nil, nil, err
		}
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return req, nil, nil, err
	}
	hr.Header = req.Header.Clone()
	resp, err := c.Do(hr)
	if err != nil {
		return req, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, opts.MaxBodyBytes))
	if err != nil {
		return req, nil, nil, fmt.Errorf("reading %s: %w", req.URL, err)
	}
	if isRedirect(resp.StatusCode) {
		return req, nil, nil, fmt.Errorf("%s answered HTTP %d, a redirect to %s (probe that URL)", req.URL, resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp.StatusCode != http.StatusOK {
		return req, nil, nil, fmt.Errorf("%s answered HTTP %d", req.URL, resp.StatusCode)
	}
	out, _ := DecodePage(resp.Header, body, src.Charset)
	return req, out, resp.Header, nil
}

// robotsAllow fetches robots.txt of u's host and says whether u may be fetched.
func robotsAllow(ctx context.Context, c *http.Client, u *url.URL, agent string) error {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, u.Scheme+"://"+u.Host+"/robots.txt", nil)
	if err != nil {
		return err
	}
	r.Header.Set("User-Agent", agent)
	resp, err := c.Do(r)
	if err != nil {
		return fmt.Errorf("fetching robots.txt of %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	robots, err := robotstxt.FromResponse(resp)
	if err != nil {
		return fmt.Errorf("reading robots.txt of %s: %w", u.Host, err)
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if g := robots.FindGroup(agent); g != nil && !g.Test(path) {
		return fmt.Errorf("%w: %s/robots.txt disallows %s for %q (a crawl would not fetch it either)", ErrRobotsDisallowed, u.Scheme+"://"+u.Host, path, agent)
	}
	return nil
}

// FormatRequest renders a request as it goes on the wire, for fhi probe.
func FormatRequest(r Request) string {
	var b strings.Builder
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	fmt.Fprintf(&b, "%s %s\n", method, r.URL)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.Join(r.Header[k], ", ")
		if isSecretHeader(k) {
			v = "(set from the environment)"
		}
		fmt.Fprintf(&b, "%s: %s\n", k, v)
	}
	if len(r.Body) > 0 {
		fmt.Fprintf(&b, "\n%s\n", r.Body)
	}
	return b.String()
}
