package survey

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/gocolly/colly/v2"
)

// Path is the workbook's path below the city site's base URL.
const Path = "/survey.xlsx"

func init() {
	collectors.Register(collectors.Source{
		Name:        "survey",
		Description: "fintech user questionnaire (XLSX, one record per response)",
		Site:        "city",
		Fields:      Fields,
		New: func(cfg collectors.Config) (collectors.Collector, error) {
			u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/") + Path)
			if err != nil {
				return nil, fmt.Errorf("survey: base URL %q: %w", cfg.BaseURL, err)
			}
			return &collector{url: u.String()}, nil
		},
	})
}

type collector struct{ url string }

// Collect fetches the workbook and emits its rows; a workbook that does not parse is quarantined.
func (c *collector) Collect(ctx context.Context, crawl *collectors.Crawl) error {
	col := crawl.Colly()
	col.OnResponse(func(r *colly.Response) {
		p, err := Parse(r.Body)
		if err != nil {
			crawl.Quarantine(r, err)
			return
		}
		if len(p.Problems) > 0 {
			crawl.Quarantine(r, errors.Join(p.Problems...))
		}
		for _, row := range p.Rows {
			crawl.Emit(r, row.ID, row.Fields)
		}
	})
	if err := crawl.Visit(collectors.Request{URL: c.url}); err != nil {
		return fmt.Errorf("survey: fetching %s: %w", c.url, err)
	}
	return nil
}
