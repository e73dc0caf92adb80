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
		Name:        s.Name,
		Description: s.Description,
		Site:        s.Site,
		Fields:      s.Fields(),
		New: func(cfg collectors.Config) (collectors.Collector, error) {
			base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
			if err != nil {
				return nil, fmt.Errorf("%s: base URL %q: %w", s.Name, cfg.BaseURL, err)
			}
			return &collector{spec: s, base: base}, nil
		},
		Probe: s.probe,
	}
}

// probe extracts one page whose base URL is unknown: the page spec is found by matching the URL
// path with leading segments dropped one by one (/p2p/platforms/p1, /platforms/p1, /p1).
func (s *Spec) probe(u *url.URL, body []byte) (collectors.Probe, error) {
	path := u.Path
	var page *Page
	for {
		if page = s.PageFor(path); page != nil {
			break
		}
		i := strings.Index(path[1:], "/")
		if path == "" || i < 0 {
			return collectors.Probe{}, fmt.Errorf("no page of spec %s matches %s (patterns: %s)", s.Name, u.Path, s.patterns())
		}
		path = path[i+1:]
	}
	ex, err := page.Extract(u, body)
	if err != nil {
		return collectors.Probe{}, err
	}
	p := collectors.Probe{Page: page.Name, Links: ex.Links, Items: []map[string]string{}, Keys: []string{}, Problems: []string{}}
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

// Collect visits the start URLs and handles every response by the page spec its path matches.
func (c *collector) Collect(ctx context.Context, crawl *collectors.Crawl) error {
	col := crawl.Colly()
	col.OnResponse(func(r *colly.Response) {
		rel, ok := strings.CutPrefix(r.Request.URL.Path, c.base.Path)
		if !ok {
			return
		}
		page := c.spec.PageFor(rel)
		if page == nil {
			return // a page the spec does not describe: fetched because linked, nothing to extract
		}
		ex, err := page.Extract(r.Request.URL, r.Body)
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
		for _, link := range ex.Links {
			_ = r.Request.Visit(link) // already-visited, off-site and robots-disallowed links are skipped by design
		}
		if page.Paginate != nil && len(ex.Items) > 0 {
			crawl.VisitOptional(r, nextPage(r.Request.URL, page.Paginate))
		}
	})
	for _, s := range c.spec.Start {
		u, err := c.base.Parse(c.base.Path + "/" + strings.TrimLeft(s, "/"))
		if err != nil {
			return fmt.Errorf("%s: start URL %q: %w", c.spec.Name, s, err)
		}
		if err := col.Visit(u.String()); err != nil {
			return fmt.Errorf("%s: starting at %s: %w", c.spec.Name, u, err)
		}
	}
	return nil
}

// nextPage is u with its page parameter advanced by one.
func nextPage(u *url.URL, p *Paginate) string {
	q := u.Query()
	n, err := strconv.Atoi(q.Get(p.Param))
	if err != nil {
		n = p.Start
	}
	q.Set(p.Param, strconv.Itoa(n+1))
	next := *u
	next.RawQuery = q.Encode()
	return next.String()
}
