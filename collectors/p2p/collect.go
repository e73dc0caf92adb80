package p2p

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/gocolly/colly/v2"
)

func init() {
	collectors.Register(collectors.Source{
		Name:        "p2p",
		Description: "P2P lending platform directory (platform pages: address, capital, 2016 turnover, status)",
		Site:        "p2p",
		Fields:      Fields,
		New:         New,
	})
}

type collector struct{ base *url.URL }

// New returns a collector for the directory at cfg.BaseURL.
func New(cfg collectors.Config) (collectors.Collector, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("p2p: base URL %q: %w", cfg.BaseURL, err)
	}
	return &collector{base: base}, nil
}

// Collect walks the directory's pages and fetches every platform page they link to.
func (p *collector) Collect(ctx context.Context, crawl *collectors.Crawl) error {
	listPath := p.base.Path + "/platforms"
	c := crawl.Colly()
	c.OnResponse(func(r *colly.Response) {
		switch {
		case r.Request.URL.Path == listPath:
			page, err := ParseList(r.Body, r.Request.URL)
			if err != nil {
				crawl.Quarantine(r, err)
			}
			for _, link := range page.Platforms {
				_ = r.Request.Visit(link) // already-visited and off-site links are skipped by design
			}
			if page.Next != "" {
				_ = r.Request.Visit(page.Next)
			}
		case strings.HasPrefix(r.Request.URL.Path, listPath+"/"):
			key, fields, err := ParseDetail(r.Body)
			if err != nil {
				crawl.Quarantine(r, err)
				return
			}
			crawl.Emit(r, key, fields)
		}
	})
	start := p.base.JoinPath("platforms")
	start.RawQuery = "page=1"
	if err := c.Visit(start.String()); err != nil {
		return fmt.Errorf("p2p: starting at %s: %w", start, err)
	}
	return nil
}
