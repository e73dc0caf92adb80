package crowdfunding

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Fields are the raw fields of a platform record, as its table row shows them.
var Fields = []string{"platform_id", "name", "city", "status", "raised"}

// cellFields maps a row's cells to record fields.
var cellFields = []struct{ selector, field string }{
	{"td.name", "name"},
	{"td.city", "city"},
	{"td.status", "status"},
	{"td.raised", "raised"},
}

// ErrLayout marks a page that lacks the structure the parser expects: a changed site, or a
// malformed page. Such pages are quarantined.
var ErrLayout = errors.New("crowdfunding: page layout not recognised")

// Platform is one row of the platform list: its natural key (the platform id) and raw fields.
type Platform struct {
	Key    string
	Fields map[string]string
}

// ParsePlatforms reads the platform list. It returns every usable row; a missing table, or rows
// without an id or name, are reported as an ErrLayout error alongside the usable rows. A cell that
// is absent, empty or "--" is a missing field and left out of the map.
func ParsePlatforms(body []byte) ([]Platform, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parsing platform list: %w", err)
	}
	table := doc.Find("table.cf-platforms")
	if table.Length() == 0 {
		return nil, fmt.Errorf("%w: no table.cf-platforms on platform list", ErrLayout)
	}
	var out []Platform
	bad := 0
	table.Find("tr.cf-platform").Each(func(_ int, tr *goquery.Selection) {
		id := clean(tr.AttrOr("data-id", ""))
		fields := map[string]string{"platform_id": id}
		for _, cf := range cellFields {
			if v := clean(tr.Find(cf.selector).First().Text()); v != "" && v != "--" {
				fields[cf.field] = v
			}
		}
		if id == "" || fields["name"] == "" {
			bad++
			return
		}
		out = append(out, Platform{Key: id, Fields: fields})
	})
	if bad > 0 {
		return out, fmt.Errorf("%w: %d platform rows without id or name", ErrLayout, bad)
	}
	return out, nil
}

// clean collapses the whitespace that templates and line wrapping leave in cells.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
