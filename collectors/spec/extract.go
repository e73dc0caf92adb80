package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// ErrLayout marks a page that lacks what its spec requires: a changed site or a malformed page.
var ErrLayout = errors.New("spec: page layout not recognised")

// Item is one extracted record.
type Item struct {
	Key    string
	Fields map[string]string
}

// Extraction is what one page yields.
type Extraction struct {
	Items []Item
	Links []string // absolute URLs to follow, in page order
	// Problems are reasons to quarantine the page; items and links found are still valid.
	Problems []error
}

// Err joins the problems, or is nil.
func (e Extraction) Err() error { return errors.Join(e.Problems...) }

// Extract applies the page spec to a UTF-8 body fetched from pageURL. An error means the page
// could not be read at all; problems with parts of it are in Extraction.Problems.
func (p *Page) Extract(pageURL *url.URL, body []byte) (Extraction, error) {
	if p.Format == "json" {
		return p.extractJSON(pageURL, body)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return Extraction{}, fmt.Errorf("parsing %s page: %w", p.Name, err)
	}
	var ex Extraction
	if p.Require != "" && doc.Find(p.Require).Length() == 0 {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q", ErrLayout, p.Name, p.Require))
		return ex, nil
	}
	for _, sel := range p.Follow {
		doc.Find(sel).Each(func(_ int, a *goquery.Selection) {
			href := strings.TrimSpace(a.AttrOr("href", ""))
			if href == "" {
				ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page: a link %q (%s) has no href", ErrLayout, p.Name, clean(a.Text()), sel))
				return
			}
			if u, err := pageURL.Parse(href); err == nil {
				ex.Links = append(ex.Links, u.String())
			} else {
				ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page: bad link %q: %v", ErrLayout, p.Name, href, err))
			}
		})
	}
	if p.Items == nil {
		return ex, nil
	}
	sel := doc.Selection
	if p.Items.Select != "" {
		sel = doc.Find(p.Items.Select)
	}
	if sel.Length() == 0 && p.Require == "" {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q", ErrLayout, p.Name, p.Items.Select))
	}
	sel.Each(func(i int, s *goquery.Selection) {
		p.addItem(&ex, i, func(from string) (string, bool) { return htmlValue(s, from) }, pageURL)
	})
	return ex, nil
}

// addItem builds one item through get, checking required fields.
func (p *Page) addItem(ex *Extraction, i int, get func(string) (string, bool), pageURL *url.URL) {
	it := p.Items
	fields := make(map[string]string, len(it.Fields))
	for _, f := range it.Fields {
		var v string
		var ok bool
		switch {
		case f.re != nil:
			if m := f.re.FindStringSubmatch(pageURL.Path); m != nil {
				v, ok = m[1], true
			}
		case strings.HasPrefix(f.from, "const:"):
			v, ok = strings.TrimPrefix(f.from, "const:"), true
		default:
			v, ok = get(f.from)
		}
		if ok && f.filter != nil {
			m := f.filter.FindStringSubmatch(v)
			v, ok = "", m != nil
			if ok {
				v = m[1]
			}
		}
		if ok && !it.missing[v] {
			fields[f.Name] = v
		}
	}
	for _, r := range it.Required {
		if _, ok := fields[r]; !ok {
			ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page item %d lacks required field %s", ErrLayout, p.Name, i+1, r))
			return
		}
	}
	key := keyTemplate.ReplaceAllStringFunc(it.Key, func(m string) string { return fields[m[1:len(m)-1]] })
	ex.Items = append(ex.Items, Item{Key: key, Fields: fields})
}

// htmlValue applies one extractor to an item element.
func htmlValue(s *goquery.Selection, from string) (string, bool) {
	sel, attr, hasAttr := strings.Cut(from, "@")
	target := s
	if sel = strings.TrimSpace(sel); sel != "" && sel != "." {
		target = s.Find(sel).First()
		if target.Length() == 0 {
			return "", false
		}
	}
	if hasAttr {
		v, ok := target.Attr(attr)
		return strings.TrimSpace(v), ok
	}
	return clean(target.Text()), true
}

// clean collapses the whitespace that templates and line wrapping leave in text.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func (p *Page) extractJSON(pageURL *url.URL, body []byte) (Extraction, error) {
	var ex Extraction
	raw := body
	if p.Script != "" {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return ex, fmt.Errorf("parsing %s page: %w", p.Name, err)
		}
		s := doc.Find(p.Script).First()
		if s.Length() == 0 {
			ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q holding JSON", ErrLayout, p.Name, p.Script))
			return ex, nil
		}
		raw = []byte(s.Text())
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page is not JSON: %v", ErrLayout, p.Name, err))
		return ex, nil
	}
	if p.Require != "" {
		if _, ok := jsonPath(doc, p.Require); !ok {
			ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q", ErrLayout, p.Name, p.Require))
			return ex, nil
		}
	}
	for _, path := range p.Follow {
		v, ok := jsonPath(doc, path)
		if !ok {
			continue
		}
		for _, link := range asList(v) {
			if s, ok := link.(string); ok && s != "" {
				if u, err := pageURL.Parse(s); err == nil {
					ex.Links = append(ex.Links, u.String())
				}
			}
		}
	}
	if p.Items == nil {
		return ex, nil
	}
	v, ok := jsonPath(doc, p.Items.Select)
	if !ok {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q", ErrLayout, p.Name, p.Items.Select))
		return ex, nil
	}
	for i, item := range asList(v) {
		p.addItem(&ex, i, func(from string) (string, bool) {
			x, ok := jsonPath(item, from)
			if !ok || x == nil {
				return "", false
			}
			return jsonString(x), true
		}, pageURL)
	}
	return ex, nil
}

// jsonPath walks a dot path ("data.list", "company.name", "weeks.0"); "" is the value itself.
func jsonPath(v any, path string) (any, bool) {
	if path == "" || path == "." {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// jsonString renders a JSON value as the raw string a field keeps: numbers in their JSON text,
// objects and arrays as compact JSON.
func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
