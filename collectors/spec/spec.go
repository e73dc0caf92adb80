package spec

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/andybalholm/cascadia"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html/charset"
)

// ErrSpec marks a spec file that is not valid; the message names the file and the key.
var ErrSpec = errors.New("spec: invalid")

// Spec describes one source's site.
type Spec struct {
	Name        string   `yaml:"source"`
	Description string   `yaml:"description"`
	Site        string   `yaml:"site"`
	Start       []string `yaml:"start"`
	// AllowedHosts are hosts besides the base URL's that may be fetched: exact names
	// ("jobs.example.com") or a wildcard for every subdomain ("*.example.com").
	AllowedHosts []string `yaml:"allowed_hosts"`
	// Charset overrides what the site declares (a site that labels GBK pages UTF-8).
	Charset string  `yaml:"charset"`
	Pages   []*Page `yaml:"pages"`

	file string
}

// Page describes one kind of page of the site.
type Page struct {
	Name   string `yaml:"name"`
	Match  string `yaml:"match"`
	Format string `yaml:"format"` // html (default) or json
	// Script (format json) is the CSS selector of the HTML elements holding the data; Var the
	// JavaScript variable the data are assigned to in them (or, without Script, in the body).
	Script   string       `yaml:"script"`
	Var      string       `yaml:"var"`
	Require  string       `yaml:"require"`
	Follow   []*Follow    `yaml:"follow"`
	Items    *Items       `yaml:"items"`
	Paginate *Paginate    `yaml:"paginate"`
	Request  *RequestSpec `yaml:"request"`
	// Revisit is "always" (fetched every run: lists, which reveal new and changed items) or
	// "adaptive" (revisited on a schedule that backs off while the page stays unchanged). The
	// default is always for pages that follow links or paginate, adaptive for the others.
	Revisit string `yaml:"revisit"`

	match   *regexp.Regexp
	assign  *regexp.Regexp
	require *extractor
}

// Follow names links to visit. Written as a string it selects the links themselves (HTML: the
// <a> elements; JSON: a path to URLs); as a mapping it selects items and builds each link from
// them, carrying values to the linked page.
type Follow struct {
	Select string `yaml:"select"`
	Link   string `yaml:"link"` // HTML: the link inside each item ("" = the item)
	URL    string `yaml:"url"`  // a template over the item: '/loan/{loanId}', '{job_href}'
	Carry  Fields `yaml:"carry"`

	url *template
}

// UnmarshalYAML accepts a string (the selector) or a mapping.
func (f *Follow) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		f.Select = n.Value
		return nil
	}
	type plain Follow
	return n.Decode((*plain)(f))
}

// RequestSpec says how a page kind is requested when plain GET is not how the site does it.
type RequestSpec struct {
	Method string            `yaml:"method"` // default GET, POST when a body is given
	Form   map[string]string `yaml:"form"`   // an application/x-www-form-urlencoded body
	JSON   map[string]any    `yaml:"json"`   // an application/json body
	// Headers are sent with the request; {base} and {origin} stand for the base URL and its origin
	// (Referer: '{base}/jobs/list', Origin: '{origin}').
	Headers map[string]string `yaml:"headers"`
}

// Items cut a page into records.
type Items struct {
	Select   string   `yaml:"select"`
	Key      string   `yaml:"key"`
	Required []string `yaml:"required"`
	Missing  []string `yaml:"missing"`
	Fields   Fields   `yaml:"fields"`

	missing map[string]bool
	sel     *extractor
}

// Paginate requests the next page of a list that does not link it.
type Paginate struct {
	// Param is the parameter holding the page number, offset or cursor; with in: path, a regular
	// expression on the URL path whose capture group is the page number ('/list/([0-9]+)\.html$').
	Param string `yaml:"param"`
	In    string `yaml:"in"`    // query (default), form, json or path
	Start int    `yaml:"start"` // the first page's number or offset, default 1
	Step  int    `yaml:"step"`  // how far Param moves per page: 1 for page numbers, the page size for offsets
	// Total and Pages (JSON paths or CSS) are the item and page counts the answer states; the list
	// ends when the next page would pass them. Cursor is the next page's token instead of a number.
	Total  string `yaml:"total"`
	Pages  string `yaml:"pages"`
	Cursor string `yaml:"cursor"`

	path   *regexp.Regexp
	total  *extractor
	pages  *extractor
	cursor *extractor
}

// Field is one named extractor.
type Field struct {
	Name string
	From string
	ex   *extractor
}

// Fields keep the order they are written in: it is the column order of the raw Parquet files.
type Fields []Field

// UnmarshalYAML reads a mapping in document order.
func (f *Fields) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: fields must be a mapping of name: extractor", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: field %s: extractor must be a string", v.Line, k.Value)
		}
		*f = append(*f, Field{Name: k.Value, From: v.Value})
	}
	return nil
}

var (
	fieldName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	keyTemplate = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)
	jsName      = regexp.MustCompile(`^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$`)
	headerName  = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	hostPattern = regexp.MustCompile(`^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?$`)
)

// Parse reads and validates a spec; file names it in errors.
func Parse(file string, data []byte) (*Spec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSpec, file, err)
	}
	s.file = file
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// validate compiles every selector, regular expression and JSON path and reports every problem
// at once, each with its key path.
func (s *Spec) validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s: %s", ErrSpec, s.file, path, fmt.Sprintf(format, args...)))
	}
	if !fieldName.MatchString(s.Name) {
		bad("source", "must be a lowercase name like p2p, got %q", s.Name)
	}
	if len(s.Start) == 0 {
		bad("start", "needs at least one URL")
	}
	if len(s.Pages) == 0 {
		bad("pages", "needs at least one page")
	}
	for i, h := range s.AllowedHosts {
		if !hostPattern.MatchString(h) {
			bad(fmt.Sprintf("allowed_hosts[%d]", i), "must be a host name or *.domain, got %q", h)
		}
	}
	if s.Charset != "" {
		if enc, _ := charset.Lookup(s.Charset); enc == nil {
			bad("charset", "unknown character set %q", s.Charset)
		}
	}
	var fields []string
	seen := map[string]bool{}
	for i, p := range s.Pages {
		path := fmt.Sprintf("pages[%d]", i)
		s.validatePage(p, path, bad)
		if p.Items != nil {
			for _, f := range p.Items.Fields {
				if !seen[f.Name] {
					seen[f.Name] = true
					fields = append(fields, f.Name)
				}
			}
		}
	}
	if len(fields) == 0 && len(errs) == 0 {
		bad("pages", "no page has items: the source would yield no records")
	}
	return errors.Join(errs...)
}

func (s *Spec) validatePage(p *Page, path string, bad func(path, format string, args ...any)) {
	if p.Name == "" {
		bad(path+".name", "is required")
	}
	re, err := regexp.Compile(p.Match)
	if err != nil || p.Match == "" {
		bad(path+".match", "must be a regular expression: %v", reason(err, "empty"))
	}
	p.match = re
	switch p.Format {
	case "":
		p.Format = "html"
	case "html", "json":
	default:
		bad(path+".format", "must be html or json, got %q", p.Format)
	}
	isJSON := p.Format == "json"
	if p.Script != "" {
		if !isJSON {
			bad(path+".script", "only applies to format: json")
		} else if err := checkCSS(p.Script); err != nil {
			bad(path+".script", "%v", err)
		}
	}
	if p.Var != "" {
		if !isJSON {
			bad(path+".var", "only applies to format: json")
		} else if !jsName.MatchString(p.Var) {
			bad(path+".var", "must be a JavaScript name such as listData or window.__DATA__, got %q", p.Var)
		} else {
			p.assign = assignment(p.Var)
		}
	}
	switch p.Revisit {
	case "", "always", "adaptive":
	default:
		bad(path+".revisit", "must be always or adaptive, got %q", p.Revisit)
	}
	if p.Require != "" {
		if p.require, err = compileSelect(p.Format, p.Require); err != nil {
			bad(path+".require", "%v", err)
		}
	}
	for j, f := range p.Follow {
		fp := fmt.Sprintf("%s.follow[%d]", path, j)
		if f.Select == "" && f.URL == "" {
			bad(fp, "needs select or url")
		}
		if f.Select != "" {
			if _, err := compileSelect(p.Format, f.Select); err != nil {
				bad(fp+".select", "%v", err)
			}
		}
		if f.Link != "" {
			if isJSON {
				bad(fp+".link", "only applies to HTML pages")
			} else if err := checkCSS(f.Link); err != nil {
				bad(fp+".link", "%v", err)
			}
		}
		if f.URL != "" {
			if f.url, err = parseTemplate(p.Format, f.URL); err != nil {
				bad(fp+".url", "%v", err)
			}
		}
		validateFields(p.Format, f.Carry, fp+".carry", bad)
	}
	if r := p.Request; r != nil {
		rp := path + ".request"
		if r.Method == "" {
			r.Method = http.MethodGet
			if r.Form != nil || r.JSON != nil {
				r.Method = http.MethodPost
			}
		}
		r.Method = strings.ToUpper(r.Method)
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch:
		default:
			bad(rp+".method", "must be GET, POST, PUT or PATCH, got %q", r.Method)
		}
		if r.Form != nil && r.JSON != nil {
			bad(rp, "form and json exclude each other")
		}
		if (r.Form != nil || r.JSON != nil) && r.Method == http.MethodGet {
			bad(rp+".method", "a GET request has no body")
		}
		for _, k := range sortedKeys(r.Headers) {
			if !headerName.MatchString(k) {
				bad(rp+".headers."+k, "is not a header name")
			}
		}
	}
	if pg := p.Paginate; pg != nil {
		pp := path + ".paginate"
		if pg.Param == "" {
			bad(pp+".param", "is required")
		}
		if pg.Step == 0 {
			pg.Step = 1
		}
		if pg.Start == 0 && pg.Step == 1 {
			pg.Start = 1
		}
		switch pg.In {
		case "", "query":
			pg.In = "query"
		case "form":
			if p.Request == nil || p.Request.Form == nil {
				bad(pp+".in", "form needs a request with a form body")
			}
		case "json":
			if p.Request == nil || p.Request.JSON == nil {
				bad(pp+".in", "json needs a request with a json body")
			}
		case "path":
			if pg.path, err = regexp.Compile(pg.Param); err != nil || pg.path.NumSubexp() != 1 {
				bad(pp+".param", "with in: path, a regular expression with one capture group (the page number): %v", reason(err, "no group"))
			}
		default:
			bad(pp+".in", "must be query, form, json or path, got %q", pg.In)
		}
		for _, c := range []struct {
			key, expr string
			dst       **extractor
		}{{"total", pg.Total, &pg.total}, {"pages", pg.Pages, &pg.pages}, {"cursor", pg.Cursor, &pg.cursor}} {
			if c.expr == "" {
				continue
			}
			if *c.dst, err = compileExtractor(p.Format, c.expr); err != nil {
				bad(pp+"."+c.key, "%v", err)
			}
		}
		if pg.Cursor != "" && (pg.Total != "" || pg.Pages != "" || pg.In == "path") {
			bad(pp+".cursor", "a cursor list is not counted: drop total, pages and in: path")
		}
		if p.Items == nil && len(p.Follow) == 0 {
			bad(pp, "needs items or follow: a next page is requested only after a page with items (or links)")
		}
	}
	it := p.Items
	if it == nil {
		return
	}
	if it.Select != "" || isJSON {
		if it.sel, err = compileSelect(p.Format, it.Select); err != nil {
			bad(path+".items.select", "%v", err)
		}
	}
	if len(it.Fields) == 0 {
		bad(path+".items.fields", "needs at least one field")
	}
	names := validateFields(p.Format, it.Fields, path+".items.fields", bad)
	if it.Key == "" {
		bad(path+".items.key", "is required (a template such as {id})")
	}
	for _, m := range keyTemplate.FindAllStringSubmatch(it.Key, -1) {
		if !names[m[1]] {
			bad(path+".items.key", "names unknown field %q", m[1])
		}
	}
	for _, r := range it.Required {
		if !names[r] {
			bad(path+".items.required", "names unknown field %q", r)
		}
	}
	if it.Missing == nil {
		it.Missing = []string{"", "--"}
	}
	it.missing = map[string]bool{}
	for _, m := range it.Missing {
		it.missing[m] = true
	}
}

// validateFields compiles fields in place and returns their names.
func validateFields(format string, fs Fields, path string, bad func(path, format string, args ...any)) map[string]bool {
	names := map[string]bool{}
	for j := range fs {
		f := &fs[j]
		fp := path + "." + f.Name
		if !fieldName.MatchString(f.Name) {
			bad(fp, "field names are lowercase identifiers")
		}
		if names[f.Name] {
			bad(fp, "defined twice")
		}
		names[f.Name] = true
		var err error
		if f.ex, err = compileExtractor(format, f.From); err != nil {
			bad(fp, "%v", err)
		}
	}
	return names
}

func reason(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkCSS compiles a CSS selector as goquery would; goquery itself matches nothing on an invalid
// one, which would read as "the layout changed".
func checkCSS(sel string) error {
	if _, err := cascadia.Compile(sel); err != nil {
		return fmt.Errorf("invalid CSS selector %q: %v", sel, err)
	}
	return nil
}

// Fields returns every field any page extracts, in first-seen order.
func (s *Spec) Fields() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.Pages {
		if p.Items == nil {
			continue
		}
		for _, f := range p.Items.Fields {
			if !seen[f.Name] {
				seen[f.Name] = true
				out = append(out, f.Name)
			}
		}
	}
	return out
}

// File is the name the spec was parsed under.
func (s *Spec) File() string { return s.file }

// PageFor returns the first page whose pattern matches path (relative to the base path), or nil.
func (s *Spec) PageFor(path string) *Page {
	for _, p := range s.Pages {
		if p.match.MatchString(path) {
			return p
		}
	}
	return nil
}

// AlwaysFetch reports whether the page is fetched on every run rather than on the adaptive
// revisit schedule: lists, unless the spec says otherwise.
func (p *Page) AlwaysFetch() bool {
	switch p.Revisit {
	case "always":
		return true
	case "adaptive":
		return false
	}
	return len(p.Follow) > 0 || p.Paginate != nil
}
