package licensees

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Sectors are the three lists, in crawl order; each is also the list's path under the base URL.
var Sectors = []string{"payment", "credit", "blockchain"}

// Fields are the raw fields of a licensee record, as its table row shows them.
var Fields = []string{"sector", "licensee_id", "licence", "company", "brand", "city", "registered_capital", "status", "volume"}

// cellFields maps a row's cells to record fields.
var cellFields = []struct{ selector, field string }{
	{"td.licence", "licence"},
	{"td.company", "company"},
	{"td.brand", "brand"},
	{"td.city", "city"},
	{"td.capital", "registered_capital"},
	{"td.status", "status"},
	{"td.volume", "volume"},
}

// ErrLayout marks a page that lacks the structure the parser expects: a changed site, or a
// malformed page. Such pages are quarantined.
var ErrLayout = errors.New("licensees: page layout not recognised")

// Row is one licensee: its natural key (sector/id) and raw fields.
type Row struct {
	Key    string
	Fields map[string]string
}

// ParseList reads the list of sector. It returns every usable row; a missing table, or rows
// without an id or company name, are reported as an ErrLayout error alongside the usable rows.
// A cell that is absent, empty or "--" is a missing field and left out of the map.
func ParseList(body []byte, sector string) ([]Row, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parsing %s list: %w", sector, err)
	}
	table := doc.Find("table.licensees")
	if table.Length() == 0 {
		return nil, fmt.Errorf("%w: no table.licensees on %s list", ErrLayout, sector)
	}
	var rows []Row
	bad := 0
	table.Find("tr.licensee").Each(func(_ int, tr *goquery.Selection) {
		id := clean(tr.AttrOr("data-id", ""))
		fields := map[string]string{"sector": sector, "licensee_id": id}
		for _, cf := range cellFields {
			if v := clean(tr.Find(cf.selector).First().Text()); v != "" && v != "--" {
				fields[cf.field] = v
			}
		}
		if id == "" || fields["company"] == "" {
			bad++
			return
		}
		rows = append(rows, Row{Key: sector + "/" + id, Fields: fields})
	})
	if bad > 0 {
		return rows, fmt.Errorf("%w: %d rows of the %s list without id or company", ErrLayout, bad, sector)
	}
	return rows, nil
}

// clean collapses the whitespace that templates and line wrapping leave in cells.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
