package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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

// Link is a URL to visit and the values carried to the page it leads to (parent: fields there).
type Link struct {
	URL   string            `json:"url"`
	Carry map[string]string `json:"carry,omitempty"`
}

// Extraction is what one page yields.
type Extraction struct {
	Items []Item
	Links []Link // absolute URLs to follow, in page order
	// Problems are reasons to quarantine the page; items and links found are still valid.
	Problems []error
	// Paging is what the page says about its list (paginate: total, pages, cursor), "" if absent.
	Paging Paging
}

// Paging is what a list page says about the list.
type Paging struct {
	Total, Pages, Cursor string
}

// Err joins the problems, or is nil.
func (e Extraction) Err() error { return errors.Join(e.Problems...) }

// Input is one fetched page as extraction sees it.
type Input struct {
	URL *url.URL
	// Path is the URL's path below the base URL's path, as match and url: fields see it; "" means
	// URL.Path.
	Path string
	Body []byte // UTF-8
	// Parent holds the values the linking page carried (follow … carry).
	Parent map[string]string
}

// Extract applies the page spec to one page. An error means the page could not be read at all;
// problems with parts of it are in Extraction.Problems.
func (p *Page) Extract(in Input) (Extraction, error) {
	if in.Path == "" {
		in.Path = in.URL.Path
	}
	if p.Format == "json" {
		return p.extractJSON(in)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(in.Body))
	if err != nil {
		return Extraction{}, fmt.Errorf("parsing %s page: %w", p.Name, err)
	}
	var ex Extraction
	sc := &scope{doc: doc.Selection, item: doc.Selection, url: in.URL, path: in.Path, parent: in.Parent}
	if p.Items != nil {
		sc.missing = p.Items.missing
	}
	if p.Require != "" && doc.Find(p.Require).Length() == 0 {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q", ErrLayout, p.Name, p.Require))
		return ex, nil
	}
	base := in.URL
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := in.URL.Parse(strings.TrimSpace(href)); err == nil {
			base = b // <base href> changes what relative links mean
		}
	}
	for _, f := range p.Follow {
		p.followHTML(&ex, f, doc.Selection, sc, base)
	}
	p.paging(&ex, sc)
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
		it := *sc
		it.item = s
		p.addItem(&ex, i, &it)
	})
	return ex, nil
}

func (p *Page) followHTML(ex *Extraction, f *Follow, doc *goquery.Selection, sc *scope, base *url.URL) {
	items := doc
	if f.Select != "" {
		items = doc.Find(f.Select)
	}
	items.Each(func(_ int, item *goquery.Selection) {
		isc := *sc
		isc.item = item
		var href string
		if f.url != nil {
			var ok bool
			if href, ok = f.url.expand(&isc); !ok {
				ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page: a link template %q lacks a value (%s)", ErrLayout, p.Name, f.URL, clip(clean(item.Text()))))
				return
			}
		} else {
			a := item
			if f.Link != "" {
				if a = item.Find(f.Link).First(); a.Length() == 0 {
					return // an item without the link: nothing to follow
				}
			}
			href = strings.TrimSpace(a.AttrOr("href", ""))
			if href == "" {
				ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page: a link %q (%s) has no href", ErrLayout, p.Name, clip(clean(a.Text())), f.Select))
				return
			}
		}
		p.addLink(ex, base, href, f.Carry, &isc)
	})
}

func (p *Page) addLink(ex *Extraction, base *url.URL, href string, carry Fields, sc *scope) {
	u, err := base.Parse(href)
	if err != nil {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page: bad link %q: %v", ErrLayout, p.Name, href, err))
		return
	}
	l := Link{URL: u.String()}
	for _, c := range carry {
		if v, ok := c.ex.eval(sc); ok {
			if l.Carry == nil {
				l.Carry = map[string]string{}
			}
			l.Carry[c.Name] = v
		}
	}
	ex.Links = append(ex.Links, l)
}

// paging reads the list's counts and cursor from the whole page.
func (p *Page) paging(ex *Extraction, sc *scope) {
	pg := p.Paginate
	if pg == nil {
		return
	}
	d := *sc
	d.item, d.jitem = sc.doc, sc.jdoc
	get := func(e *extractor) string {
		if e == nil {
			return ""
		}
		v, _ := e.eval(&d)
		return v
	}
	ex.Paging = Paging{Total: get(pg.total), Pages: get(pg.pages), Cursor: get(pg.cursor)}
}

// addItem builds one item, checking required fields.
func (p *Page) addItem(ex *Extraction, i int, sc *scope) {
	it := p.Items
	fields := make(map[string]string, len(it.Fields))
	for _, f := range it.Fields {
		if v, ok := f.ex.eval(sc); ok && !it.missing[v] {
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

// jsonData finds the JSON a json page carries: the body itself (or a JSONP call's argument), the
// text of a script element, or the value assigned to a JavaScript variable.
func (p *Page) jsonData(body []byte) ([]byte, error) {
	var texts []string
	if p.Script != "" {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("parsing %s page: %w", p.Name, err)
		}
		doc.Find(p.Script).Each(func(_ int, s *goquery.Selection) { texts = append(texts, s.Text()) })
		if len(texts) == 0 {
			return nil, fmt.Errorf("%w: %s page has no %q holding data", ErrLayout, p.Name, p.Script)
		}
	} else {
		texts = []string{string(body)}
	}
	if p.Var == "" {
		raw := []byte(strings.TrimSpace(texts[0]))
		if !json.Valid(raw) {
			if v, ok := unwrapJSONP(raw); ok {
				return v, nil
			}
		}
		return raw, nil
	}
	var firstErr error
	for _, t := range texts {
		v, err := assignedJSON(t, p.assign, p.Var)
		if err == nil {
			return v, nil
		}
		if firstErr == nil || !errors.Is(err, errNoScriptData) {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("%w: %s page: %v", ErrLayout, p.Name, firstErr)
}

func (p *Page) extractJSON(in Input) (Extraction, error) {
	var ex Extraction
	raw, err := p.jsonData(in.Body)
	if err != nil {
		if errors.Is(err, ErrLayout) {
			ex.Problems = append(ex.Problems, err)
			return ex, nil
		}
		return ex, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page is not JSON: %v", ErrLayout, p.Name, err))
		return ex, nil
	}
	sc := &scope{jdoc: doc, jitem: doc, isJSON: true, url: in.URL, path: in.Path, parent: in.Parent}
	if p.Items != nil {
		sc.missing = p.Items.missing
	}
	if p.Require != "" {
		if len(jsonAll(doc, p.Require)) == 0 {
			ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q", ErrLayout, p.Name, p.Require))
			return ex, nil
		}
	}
	for _, f := range p.Follow {
		for _, v := range jsonAll(doc, f.Select) {
			for _, el := range asList(v) {
				isc := *sc
				isc.jitem = el
				href := ""
				if f.url != nil {
					var ok bool
					if href, ok = f.url.expand(&isc); !ok {
						ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page: a link template %q lacks a value", ErrLayout, p.Name, f.URL))
						continue
					}
				} else if s, ok := el.(string); ok {
					href = strings.TrimSpace(s)
				}
				if href != "" {
					p.addLink(&ex, in.URL, href, f.Carry, &isc)
				}
			}
		}
	}
	p.paging(&ex, sc)
	if p.Items == nil {
		return ex, nil
	}
	vals := jsonAll(doc, p.Items.Select)
	if len(vals) == 0 {
		ex.Problems = append(ex.Problems, fmt.Errorf("%w: %s page has no %q", ErrLayout, p.Name, p.Items.Select))
		return ex, nil
	}
	var items []any
	for _, v := range vals {
		items = append(items, asList(v)...)
	}
	for i, item := range items {
		isc := *sc
		isc.jitem = item
		p.addItem(&ex, i, &isc)
	}
	return ex, nil
}
