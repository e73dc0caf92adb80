package crowdfunding

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/gocolly/colly/v2"
)

func init() {
	collectors.Register(collectors.Source{
		Name:        "crowdfunding",
		Description: "crowdfunding platform list (city, status, total raised)",
		Site:        "crowdfunding",
		Fields:      Fields,
		New:         New,
	})
}

type collector struct{ base *url.URL }

// New returns a collector for the portal at cfg.BaseURL.
func New(cfg collectors.Config) (collectors.Collector, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("crowdfunding: base URL %q: %w", cfg.BaseURL, err)
	}
	return &collector{base: base}, nil
}

// Collect fetches the platform list and emits one record per platform.
func (p *collector) Collect(ctx context.Context, crawl *collectors.Crawl) error {
	listPath := p.base.Path + "/platforms"
	c := crawl.Colly()
	c.OnResponse(func(r *colly.Response) {
		if path.Clean(r.Request.URL.Path) != listPath {
			return
		}
		platforms, err := ParsePlatforms(r.Body)
		if err != nil {
			crawl.Quarantine(r, err)
		}
		for _, pl := range platforms {
			crawl.Emit(r, pl.Key, pl.Fields)
		}
	})
	start := p.base.JoinPath("platforms")
	if err := c.Visit(start.String()); err != nil {
		return fmt.Errorf("crowdfunding: visiting %s: %w", start, err)
	}
	return nil
}
