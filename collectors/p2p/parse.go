package p2p

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Fields are the raw fields of a platform record, as its page shows them.
var Fields = []string{"platform_id", "name", "address", "registered_capital", "online_date", "turnover_2016", "status", "background"}

// detailFields maps a platform page's cells to record fields.
var detailFields = []struct{ selector, field string }{
	{"td.address", "address"},
	{"td.capital", "registered_capital"},
	{"td.online", "online_date"},
	{"td.turnover", "turnover_2016"},
	{"td.status", "status"},
	{"td.background", "background"},
}

// ErrLayout marks a page that lacks the structure the parser expects: a changed site, or a
// malformed page. Such pages are quarantined.
var ErrLayout = errors.New("p2p: page layout not recognised")

// ListPage is what a directory page links to.
type ListPage struct {
	Platforms []string // absolute detail-page URLs, in page order
	Next      string   // absolute URL of the next page, "" on the last page
}

// ParseList reads a directory page fetched from pageURL.
func ParseList(body []byte, pageURL *url.URL) (ListPage, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return ListPage{}, fmt.Errorf("parsing list page: %w", err)
	}
	table := doc.Find("table.platforms")
	if table.Length() == 0 {
		return ListPage{}, fmt.Errorf("%w: no table.platforms on list page", ErrLayout)
	}
	var page ListPage
	var bad []string
	table.Find("tr.platform td.name a").Each(func(_ int, a *goquery.Selection) {
		href, ok := a.Attr("href")
		if !ok || strings.TrimSpace(href) == "" {
			bad = append(bad, strings.TrimSpace(a.Text()))
			return
		}
		if u, err := pageURL.Parse(strings.TrimSpace(href)); err == nil {
			page.Platforms = append(page.Platforms, u.String())
		} else {
			bad = append(bad, href)
		}
	})
	if len(bad) > 0 {
		return page, fmt.Errorf("%w: %d platform links without a usable href (%q)", ErrLayout, len(bad), bad[0])
	}
	if href, ok := doc.Find("div.pager a.next").Attr("href"); ok {
		u, err := pageURL.Parse(strings.TrimSpace(href))
		if err != nil {
			return page, fmt.Errorf("%w: next-page link %q: %v", ErrLayout, href, err)
		}
		page.Next = u.String()
	}
	return page, nil
}

// ParseDetail reads one platform page into its natural key (the platform id) and raw fields.
// A cell that is absent, empty or "--" is a missing field and left out of the map.
func ParseDetail(body []byte) (key string, fields map[string]string, err error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return "", nil, fmt.Errorf("parsing platform page: %w", err)
	}
	div := doc.Find("div.platform[data-id]").First()
	if div.Length() == 0 {
		return "", nil, fmt.Errorf("%w: no div.platform[data-id] on platform page", ErrLayout)
	}
	id := strings.TrimSpace(div.AttrOr("data-id", ""))
	name := clean(div.Find("h1.name").First().Text())
	if id == "" || name == "" {
		return "", nil, fmt.Errorf("%w: platform page without id or name (id %q)", ErrLayout, id)
	}
	fields = map[string]string{"platform_id": id, "name": name}
	info := div.Find("table.info")
	for _, df := range detailFields {
		if v := clean(info.Find(df.selector).First().Text()); v != "" && v != "--" {
			fields[df.field] = v
		}
	}
	return id, fields, nil
}

// clean collapses the whitespace that templates and line wrapping leave in cells.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
