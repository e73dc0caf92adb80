package spec

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/gocolly/colly/v2"
)

// Source turns the spec into a registrable source.
func (s *Spec) Source() collectors.Source {
	return collectors.Source{
		Name:         s.Name,
		Description:  s.Description,
		Site:         s.Site,
		Fields:       s.Fields(),
		AllowedHosts: s.AllowedHosts,
		Charset:      s.Charset,
		AlwaysFetch: func(u *url.URL) bool {
			page := s.pageForURL(u)
			return page == nil || page.AlwaysFetch()
		},
		New: func(cfg collectors.Config) (collectors.Collector, error) {
			base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
			if err != nil {
				return nil, fmt.Errorf("%s: base URL %q: %w", s.Name, cfg.BaseURL, err)
			}
			return &collector{spec: s, base: base}, nil
		},
		Probe: s.probe,
		ProbeRequest: func(u *url.URL) (collectors.Request, error) {
			r, err := s.ProbeRequest(u)
			return collectors.Request{Method: r.Method, URL: r.URL, Body: r.Body, Header: r.Header}, err
		},
	}
}

// pageForURL finds the page kind of a URL whose base URL is unknown: the path is matched with
// leading segments dropped one by one (/p2p/platforms/p1, /platforms/p1, /p1).
func (s *Spec) pageForURL(u *url.URL) *Page {
	page, _ := s.pageAndPath(u)
	return page
}

func (s *Spec) pageAndPath(u *url.URL) (*Page, string) {
	path := u.Path
	for {
		if page := s.PageFor(path); page != nil {
			return page, path
		}
		i := strings.Index(path[min(1, len(path)):], "/")
		if path == "" || i < 0 {
			return nil, ""
		}
		path = path[i+1:]
	}
}

// ProbeRequest is the request the crawl would send for u (its page kind's method, body and
// headers; the first page of a list), for fhi probe.
func (s *Spec) ProbeRequest(u *url.URL) (Request, error) {
	page, path := s.pageAndPath(u)
	if page == nil {
		return Request{}, fmt.Errorf("no page of spec %s matches %s (patterns: %s)", s.Name, u.Path, s.patterns())
	}
	// The base URL is what comes before the path the page kind matched.
	base := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimSuffix(u.Path, path)}
	return page.NewRequest(u, base, ""), nil
}

// probe extracts one page whose base URL is unknown.
func (s *Spec) probe(u *url.URL, body []byte) (collectors.Probe, error) {
	page, path := s.pageAndPath(u)
	if page == nil {
		return collectors.Probe{}, fmt.Errorf("no page of spec %s matches %s (patterns: %s)", s.Name, u.Path, s.patterns())
	}
	ex, err := page.Extract(Input{URL: u, Path: path, Body: body})
	if err != nil {
		return collectors.Probe{}, err
	}
	p := collectors.Probe{Page: page.Name, Links: []string{}, Items: []map[string]string{}, Keys: []string{}, Problems: []string{}}
	for _, l := range ex.Links {
		p.Links = append(p.Links, l.URL)
	}
	for _, it := range ex.Items {
		p.Items = append(p.Items, it.Fields)
		p.Keys = append(p.Keys, it.Key)
	}
	for _, e := range ex.Problems {
		p.Problems = append(p.Problems, e.Error())
	}
	return p, nil
}

func (s *Spec) patterns() string {
	var out []string
	for _, p := range s.Pages {
		out = append(out, p.Name+" "+p.Match)
	}
	return strings.Join(out, ", ")
}

type collector struct {
	spec *Spec
	base *url.URL
}

// Keys the spec collector keeps in a request's colly context.
const (
	carryPrefix = "spec.carry."  // a value carried from the linking page
	counterKey  = "spec.counter" // the page number, offset or cursor asked for
	largestKey  = "spec.largest" // the most items a page of this list has had
)

// Collect visits the start URLs and handles every response by the page spec its path matches.
func (c *collector) Collect(ctx context.Context, crawl *collectors.Crawl) error {
	crawl.OnPage(func(r *colly.Response) { c.handle(crawl, r) })
	for _, s := range c.spec.Start {
		u, err := c.base.Parse(c.base.Path + "/" + strings.TrimLeft(s, "/"))
		if err != nil {
			return fmt.Errorf("%s: start URL %q: %w", c.spec.Name, s, err)
		}
		if err := c.visit(crawl, u, nil, "", false); err != nil {
			return fmt.Errorf("%s: starting at %s: %w", c.spec.Name, u, err)
		}
	}
	return nil
}

// relPath is u's path below the base URL's path on the base host; on another host, all of it.
func (c *collector) relPath(u *url.URL) string {
	if u.Host == c.base.Host {
		if rel, ok := strings.CutPrefix(u.Path, c.base.Path); ok {
			return rel
		}
	}
	return u.Path
}

// visit asks for u as its page kind requests it, carrying values to its page.
func (c *collector) visit(crawl *collectors.Crawl, u *url.URL, carry map[string]string, counter string, refresh bool) error {
	ctx := colly.NewContext()
	for k, v := range carry {
		ctx.Put(carryPrefix+k, v)
	}
	req := collectors.Request{URL: u.String(), Ctx: ctx, Refresh: refresh}
	if page := c.spec.PageFor(c.relPath(u)); page != nil {
		r := page.NewRequest(u, c.base, counter)
		req.Method, req.URL, req.Body, req.Header = r.Method, r.URL, r.Body, r.Header
		if r.Counter != "" {
			ctx.Put(counterKey, r.Counter)
		}
	}
	return crawl.Visit(req)
}

// Handle is one page's work, the boundary another scheduler can drive: the page kind its URL
// matches, the records it yields (emitted with the page's lineage), its problems (the page is
// quarantined) and the requests it leads to (links, the next page).
func (c *collector) handle(crawl *collectors.Crawl, r *colly.Response) {
	page := c.spec.PageFor(c.relPath(r.Request.URL))
	if page == nil {
		return // a page the spec does not describe: fetched because linked, nothing to extract
	}
	parent := map[string]string{}
	r.Ctx.ForEach(func(k string, v any) any {
		if name, ok := strings.CutPrefix(k, carryPrefix); ok {
			parent[name], _ = v.(string)
		}
		return nil
	})
	ex, err := page.Extract(Input{URL: r.Request.URL, Path: c.relPath(r.Request.URL), Body: r.Body, Parent: parent})
	if err != nil {
		crawl.Quarantine(r, err)
		return
	}
	if perr := ex.Err(); perr != nil {
		crawl.Quarantine(r, perr)
	}
	for _, it := range ex.Items {
		crawl.Emit(r, it.Key, it.Fields)
	}
	// A list page that changed since the last run may show new or re-dated items: what it links
	// is fetched, not carried forward by an incremental run's schedule.
	refresh := crawl.Changed(r)
	for _, link := range ex.Links {
		u, err := url.Parse(link.URL)
		if err != nil {
			continue
		}
		_ = c.visit(crawl, u, link.Carry, "", refresh) // visited, off-host and robots-disallowed links are skipped by design
	}
	if page.Paginate != nil {
		n := len(ex.Items)
		if page.Items == nil {
			n = len(ex.Links) // a list whose records are on the pages it links
		}
		largest, _ := strconv.Atoi(r.Ctx.Get(largestKey))
		largest = max(largest, n)
		next, ok := page.NextCounter(r.Ctx.Get(counterKey), n, largest, ex.Paging)
		if !ok {
			return
		}
		ctx := colly.NewContext()
		r.Ctx.ForEach(func(k string, v any) any {
			if strings.HasPrefix(k, carryPrefix) {
				ctx.Put(k, v)
			}
			return nil
		})
		ctx.Put(largestKey, strconv.Itoa(largest))
		nr := page.NewRequest(r.Request.URL, c.base, next)
		ctx.Put(counterKey, nr.Counter)
		// A 404 past the end is how APIs without counts end a list.
		_ = crawl.Visit(collectors.Request{Method: nr.Method, URL: nr.URL, Body: nr.Body, Header: nr.Header, Ctx: ctx, Optional: true})
	}
}
