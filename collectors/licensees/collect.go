package licensees

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
		Name:        "licensees",
		Description: "regulators' licensee lists: payment licences, big-data credit and blockchain filings (city, capital, status, 2016 volume)",
		Site:        "licensees",
		Fields:      Fields,
		New:         New,
	})
}

type collector struct{ base *url.URL }

// New returns a collector for the lists at cfg.BaseURL.
func New(cfg collectors.Config) (collectors.Collector, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("licensees: base URL %q: %w", cfg.BaseURL, err)
	}
	return &collector{base: base}, nil
}

// Collect fetches the three lists and emits one record per row.
func (l *collector) Collect(ctx context.Context, crawl *collectors.Crawl) error {
	bySector := map[string]string{}
	for _, s := range Sectors {
		bySector[l.base.Path+"/"+s] = s
	}
	c := crawl.Colly()
	c.OnResponse(func(r *colly.Response) {
		sector, ok := bySector[path.Clean(r.Request.URL.Path)]
		if !ok {
			return
		}
		rows, err := ParseList(r.Body, sector)
		if err != nil {
			crawl.Quarantine(r, err)
		}
		for _, row := range rows {
			crawl.Emit(r, row.Key, row.Fields)
		}
	})
	for _, s := range Sectors {
		u := l.base.JoinPath(s)
		if err := c.Visit(u.String()); err != nil {
			return fmt.Errorf("licensees: visiting %s: %w", u, err)
		}
	}
	return nil
}
