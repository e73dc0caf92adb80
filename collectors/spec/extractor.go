package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// extractor is one compiled field expression (see the package doc for the grammar).
type extractor struct {
	kind   extractorKind
	css    string // kindCSS: "" = the item itself
	attr   string // kindCSS: lower-cased (HTML attribute names are case-insensitive)
	isAttr bool
	path   string         // kindJSON
	re     *regexp.Regexp // kindURL
	name   string         // kindQuery, kindParent
	value  string         // kindConst
	inner  *extractor     // kindDoc
	filter *regexp.Regexp // "| re:" keeps its first capture group
}

type extractorKind int

const (
	kindCSS extractorKind = iota
	kindJSON
	kindURL
	kindQuery
	kindParent
	kindConst
	kindDoc
)

// compileExtractor parses one field expression of a page of format.
func compileExtractor(format, expr string) (*extractor, error) {
	base := expr
	var filter *regexp.Regexp
	if b, re, ok := strings.Cut(expr, "| re:"); ok {
		base = strings.TrimSpace(b)
		var err error
		if filter, err = regexp.Compile(strings.TrimSpace(re)); err != nil || filter.NumSubexp() < 1 {
			return nil, fmt.Errorf("| re: needs a regular expression with a capture group: %s", reason(err, "none in "+strconv.Quote(re)))
		}
	}
	e, err := compileBase(format, base)
	if err != nil {
		return nil, err
	}
	e.filter = filter
	return e, nil
}

func compileBase(format, expr string) (*extractor, error) {
	switch {
	case strings.HasPrefix(expr, "url:"):
		re, err := regexp.Compile(strings.TrimPrefix(expr, "url:"))
		if err != nil || re.NumSubexp() < 1 {
			return nil, fmt.Errorf("url: needs a regular expression with a capture group: %s", reason(err, "none"))
		}
		return &extractor{kind: kindURL, re: re}, nil
	case strings.HasPrefix(expr, "query:"):
		name := strings.TrimPrefix(expr, "query:")
		if name == "" {
			return nil, errors.New("query: needs a parameter name")
		}
		return &extractor{kind: kindQuery, name: name}, nil
	case strings.HasPrefix(expr, "parent:"):
		name := strings.TrimPrefix(expr, "parent:")
		if !fieldName.MatchString(name) {
			return nil, fmt.Errorf("parent: needs the name of a value carried by the linking page, got %q", name)
		}
		return &extractor{kind: kindParent, name: name}, nil
	case strings.HasPrefix(expr, "const:"):
		return &extractor{kind: kindConst, value: strings.TrimPrefix(expr, "const:")}, nil
	case strings.HasPrefix(expr, "doc:"):
		inner, err := compileBase(format, strings.TrimPrefix(expr, "doc:"))
		if err != nil {
			return nil, err
		}
		if inner.kind != kindCSS && inner.kind != kindJSON {
			return nil, errors.New("doc: takes a CSS selector or JSON path")
		}
		return &extractor{kind: kindDoc, inner: inner}, nil
	}
	if format == "json" {
		if err := checkJSONPath(expr); err != nil {
			return nil, err
		}
		return &extractor{kind: kindJSON, path: expr}, nil
	}
	sel, attr, isAttr := strings.Cut(expr, "@")
	sel = strings.TrimSpace(sel)
	if sel == "." {
		sel = ""
	}
	if sel != "" {
		if err := checkCSS(sel); err != nil {
			return nil, err
		}
	}
	if isAttr && strings.TrimSpace(attr) == "" {
		return nil, fmt.Errorf("%q: @ needs an attribute name", expr)
	}
	return &extractor{kind: kindCSS, css: sel, attr: strings.ToLower(strings.TrimSpace(attr)), isAttr: isAttr}, nil
}

// compileSelect checks a selector of elements (HTML) or a path to values (JSON).
func compileSelect(format, sel string) (*extractor, error) {
	if format == "json" {
		if err := checkJSONPath(sel); err != nil {
			return nil, err
		}
		return &extractor{kind: kindJSON, path: sel}, nil
	}
	if err := checkCSS(sel); err != nil {
		return nil, err
	}
	return &extractor{kind: kindCSS, css: sel}, nil
}

// checkJSONPath validates a dot path: names and array indexes separated by dots, * for every
// element; "" or "." is the value itself.
func checkJSONPath(p string) error {
	if p == "" || p == "." {
		return nil
	}
	for i, part := range strings.Split(p, ".") {
		switch {
		case part == "":
			return fmt.Errorf("invalid JSON path %q: empty name at part %d", p, i+1)
		case strings.ContainsAny(part, "[]"):
			return fmt.Errorf("invalid JSON path %q: write indexes as .0 and every element as .*, not brackets", p)
		case strings.TrimSpace(part) != part:
			return fmt.Errorf("invalid JSON path %q: space around %q", p, part)
		case strings.Contains(part, "*") && part != "*":
			return fmt.Errorf("invalid JSON path %q: * stands alone for every element", p)
		}
	}
	return nil
}

// scope is what an extractor sees: the item, the whole document, the URL and the values carried
// from the linking page.
type scope struct {
	item    *goquery.Selection // HTML
	doc     *goquery.Selection
	jitem   any // JSON
	jdoc    any
	isJSON  bool
	url     *url.URL
	path    string // below the base URL's path: what match sees
	parent  map[string]string
	missing map[string]bool
}

// eval applies e in sc; ok is false when the value is absent.
func (e *extractor) eval(sc *scope) (string, bool) {
	v, ok := e.base(sc)
	if ok && e.filter != nil {
		m := e.filter.FindStringSubmatch(v)
		if m == nil {
			return "", false
		}
		v = m[1]
	}
	return v, ok
}

func (e *extractor) base(sc *scope) (string, bool) {
	switch e.kind {
	case kindURL:
		if m := e.re.FindStringSubmatch(sc.path); m != nil {
			return m[1], true
		}
		return "", false
	case kindQuery:
		q := sc.url.Query()
		if !q.Has(e.name) {
			return "", false
		}
		return strings.TrimSpace(q.Get(e.name)), true
	case kindParent:
		v, ok := sc.parent[e.name]
		return v, ok
	case kindConst:
		return e.value, true
	case kindDoc:
		d := *sc
		d.item, d.jitem = sc.doc, sc.jdoc
		return e.inner.base(&d)
	case kindJSON:
		x, ok := jsonFirst(sc.jitem, e.path)
		if !ok || x == nil {
			return "", false
		}
		return jsonString(x), true
	default:
		return htmlValue(sc.item, e)
	}
}

// htmlValue applies a CSS extractor to an item element.
func htmlValue(s *goquery.Selection, e *extractor) (string, bool) {
	if s == nil {
		return "", false
	}
	target := s
	if e.css != "" {
		target = s.Find(e.css).First()
		if target.Length() == 0 {
			return "", false
		}
	}
	if e.isAttr {
		v, ok := target.Attr(e.attr)
		return strings.TrimSpace(v), ok
	}
	return clean(target.Text()), true
}

// clean collapses the whitespace that templates and line wrapping leave in text.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// jsonAll returns every value a dot path reaches; * fans out over an array's elements or an
// object's values.
func jsonAll(v any, path string) []any {
	if path == "" || path == "." {
		return []any{v}
	}
	cur := []any{v}
	for _, part := range strings.Split(path, ".") {
		var next []any
		for _, x := range cur {
			switch t := x.(type) {
			case map[string]any:
				if part == "*" {
					for _, k := range sortedKeys(t) {
						next = append(next, t[k])
					}
				} else if y, ok := t[part]; ok {
					next = append(next, y)
				}
			case []any:
				if part == "*" {
					next = append(next, t...)
				} else if i, err := strconv.Atoi(part); err == nil && i >= 0 && i < len(t) {
					next = append(next, t[i])
				}
			}
		}
		cur = next
	}
	return cur
}

func jsonFirst(v any, path string) (any, bool) {
	all := jsonAll(v, path)
	if len(all) == 0 {
		return nil, false
	}
	return all[0], true
}

// asList is the elements of an array, or the value alone.
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

// template is a URL built from an item: literal text and {extractor} placeholders.
type template struct {
	parts []templatePart
}

type templatePart struct {
	text string
	ex   *extractor
}

var placeholder = regexp.MustCompile(`\{([^{}]+)\}`)

func parseTemplate(format, t string) (*template, error) {
	out := &template{}
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(t, -1) {
		out.parts = append(out.parts, templatePart{text: t[last:m[0]]})
		ex, err := compileExtractor(format, t[m[2]:m[3]])
		if err != nil {
			return nil, fmt.Errorf("placeholder {%s}: %v", t[m[2]:m[3]], err)
		}
		out.parts = append(out.parts, templatePart{ex: ex})
		last = m[1]
	}
	out.parts = append(out.parts, templatePart{text: t[last:]})
	return out, nil
}

// expand fills the template from sc. A template that is one placeholder takes the value as a
// URL; otherwise each value is escaped as a path segment. A missing value gives ok false.
func (t *template) expand(sc *scope) (string, bool) {
	var b strings.Builder
	var nph int
	for _, p := range t.parts {
		if p.ex != nil {
			nph++
		}
	}
	for _, p := range t.parts {
		if p.ex == nil {
			b.WriteString(p.text)
			continue
		}
		v, ok := p.ex.eval(sc)
		if !ok || sc.missing[v] {
			return "", false
		}
		if nph == 1 && len(t.parts) == 3 && t.parts[0].text == "" && t.parts[2].text == "" {
			b.WriteString(v)
		} else {
			b.WriteString(url.PathEscape(v))
		}
	}
	return b.String(), true
}
