package spec

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/internal/yamlsafe"
	"go.yaml.in/yaml/v3"
)

// ErrSpec marks a spec file that is not valid; the message names the file and the key.
var ErrSpec = errors.New("spec: invalid")

// Spec describes one source's site.
type Spec struct {
	Name        string   `yaml:"source"`
	Description string   `yaml:"description"`
	Site        string   `yaml:"site"`
	Start       []string `yaml:"start"`
	Pages       []*Page  `yaml:"pages"`

	file string
}

// Page describes one kind of page of the site.
type Page struct {
	Name     string    `yaml:"name"`
	Match    string    `yaml:"match"`
	Format   string    `yaml:"format"` // html (default) or json
	Script   string    `yaml:"script"` // json: CSS selector of the HTML element holding the JSON
	Require  string    `yaml:"require"`
	Follow   []string  `yaml:"follow"`
	Items    *Items    `yaml:"items"`
	Paginate *Paginate `yaml:"paginate"`

	match *regexp.Regexp
}

// Items cut a page into records.
type Items struct {
	Select   string   `yaml:"select"`
	Key      string   `yaml:"key"`
	Required []string `yaml:"required"`
	Missing  []string `yaml:"missing"`
	Fields   Fields   `yaml:"fields"`

	missing map[string]bool
}

// Paginate requests the next page number of an API that does not link it.
type Paginate struct {
	Param string `yaml:"param"`
	Start int    `yaml:"start"` // the first page's number, default 1
}

// Field is one named extractor.
type Field struct {
	Name string
	From string
	re   *regexp.Regexp // for url: extractors
	// from is From without its "| re:" filter; filter keeps the filter's first capture group.
	from   string
	filter *regexp.Regexp
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
)

// Parse reads and validates a spec; file names it in errors.
func Parse(file string, data []byte) (*Spec, error) {
	var s Spec
	if err := yamlsafe.DecodeStrict(data, &s); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSpec, file, err)
	}
	s.file = file
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// validate reports every problem at once, each with its key path.
func (s *Spec) validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s: %s", ErrSpec, s.file, path, fmt.Sprintf(format, args...)))
	}
	if err := collectors.ValidSourceName(s.Name); err != nil {
		bad("source", "%v", err)
	}
	if len(s.Start) == 0 {
		bad("start", "needs at least one URL")
	}
	if len(s.Pages) == 0 {
		bad("pages", "needs at least one page")
	}
	seen := map[string]bool{}
	var fields []string
	for i, p := range s.Pages {
		path := fmt.Sprintf("pages[%d]", i)
		if p.Name == "" {
			bad(path+".name", "is required")
		}
		re, err := regexp.Compile(p.Match)
		if err != nil || p.Match == "" {
			bad(path+".match", "must be a regular expression: %v", err)
		}
		p.match = re
		switch p.Format {
		case "":
			p.Format = "html"
		case "html", "json":
		default:
			bad(path+".format", "must be html or json, got %q", p.Format)
		}
		if p.Script != "" && p.Format != "json" {
			bad(path+".script", "only applies to format: json")
		}
		if p.Paginate != nil {
			if p.Paginate.Param == "" {
				bad(path+".paginate.param", "is required")
			}
			if p.Paginate.Start == 0 {
				p.Paginate.Start = 1
			}
			if p.Items == nil {
				bad(path+".paginate", "needs items: a page number is advanced only after a page with items")
			}
		}
		it := p.Items
		if it == nil {
			continue
		}
		if len(it.Fields) == 0 {
			bad(path+".items.fields", "needs at least one field")
		}
		names := map[string]bool{}
		for j := range it.Fields {
			f := &it.Fields[j]
			fp := fmt.Sprintf("%s.items.fields.%s", path, f.Name)
			if !fieldName.MatchString(f.Name) {
				bad(fp, "field names are lowercase identifiers")
			}
			if names[f.Name] {
				bad(fp, "defined twice")
			}
			names[f.Name] = true
			f.from = f.From
			if base, re, ok := strings.Cut(f.From, "| re:"); ok {
				f.from = strings.TrimSpace(base)
				if f.filter, err = regexp.Compile(strings.TrimSpace(re)); err != nil || f.filter.NumSubexp() < 1 {
					bad(fp, "| re: needs a regular expression with a capture group")
				}
			}
			if re, ok := strings.CutPrefix(f.from, "url:"); ok {
				if f.re, err = regexp.Compile(re); err != nil || f.re.NumSubexp() < 1 {
					bad(fp, "url: needs a regular expression with a capture group")
				}
			}
			if !seen[f.Name] {
				seen[f.Name] = true
				fields = append(fields, f.Name)
			}
		}
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
	if len(fields) == 0 && len(errs) == 0 {
		bad("pages", "no page has items: the source would yield no records")
	}
	return errors.Join(errs...)
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

// PageFor returns the first page whose pattern matches path (relative to the base path), or nil.
func (s *Spec) PageFor(path string) *Page {
	for _, p := range s.Pages {
		if p.match.MatchString(path) {
			return p
		}
	}
	return nil
}
