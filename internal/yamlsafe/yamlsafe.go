// Package yamlsafe decodes the YAML files fhi reads from users (fhi.yaml, source specs, the
// framework) with bounds: a size limit, few aliases, no alias cycles and a bounded expansion, so a
// hostile or mistaken file fails at once instead of growing without end. Its errors describe what
// the file should hold in YAML terms, never in Go type names.
package yamlsafe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on one YAML input. fhi's own files use no aliases at all; a handful leaves room for a
// team that likes anchors, and none of these is near what a real config, spec or framework needs.
const (
	MaxBytes    = 1 << 20 // 1 MiB
	MaxAliases  = 32      // alias nodes (*name) in the document
	MaxExpanded = 200_000 // nodes in the document with every alias expanded
)

// ErrLimit marks a YAML input refused for its size, its aliases or their expansion.
var ErrLimit = errors.New("yamlsafe: YAML input over a limit")

// Parse reads the first document of data into a node tree, refusing inputs over the limits and
// aliases that contain themselves. An empty input gives an empty document node.
func Parse(data []byte) (*yaml.Node, error) {
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d a YAML input may have", ErrLimit, len(data), MaxBytes)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := check(&doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// check counts aliases, rejects cycles (an alias inside the node it names) and bounds the expanded
// size: the tree itself is as large as the input, only aliases can make it larger.
func check(doc *yaml.Node) error {
	aliases := 0
	var onPath []*yaml.Node
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Kind == yaml.AliasNode {
			aliases++
			if aliases > MaxAliases {
				return fmt.Errorf("%w: more than %d aliases (line %d)", ErrLimit, MaxAliases, n.Line)
			}
			for _, p := range onPath {
				if p == n.Alias {
					return fmt.Errorf("%w: line %d: alias *%s is inside the anchor &%s it names", ErrLimit, n.Line, n.Value, n.Alias.Anchor)
				}
			}
			return nil
		}
		onPath = append(onPath, n)
		defer func() { onPath = onPath[:len(onPath)-1] }()
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(doc); err != nil {
		return err
	}
	if aliases == 0 {
		return nil
	}
	// With no cycles the expansion is finite; memoised, its size costs one pass over the tree.
	size := map[*yaml.Node]int{}
	var expanded func(n *yaml.Node) int
	expanded = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if s, ok := size[n]; ok {
			return s
		}
		s := 1
		for _, c := range n.Content {
			s += expanded(c)
			if s > MaxExpanded {
				break
			}
		}
		size[n] = s
		return s
	}
	if s := expanded(doc); s > MaxExpanded {
		return fmt.Errorf("%w: its aliases expand to more than %d nodes", ErrLimit, MaxExpanded)
	}
	return nil
}

// DecodeStrict decodes the first document of data into v after Parse's checks; a key v has no
// field for is an error. Type errors are listed one per problem, with their line.
func DecodeStrict(data []byte, v any) error {
	if _, err := Parse(data); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return nil // an empty file: nothing set
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			msgs[i] = Explain(m)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return err
}

var (
	typeMismatch = regexp.MustCompile("cannot unmarshal !!(\\w+) (`[^`]*` )?into (\\S+)")
	unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)
	kindNames    = map[string]string{"seq": "a list", "map": "a mapping", "str": "a string", "int": "a number",
		"float": "a number", "bool": "a boolean", "null": "null", "binary": "binary data", "timestamp": "a timestamp"}
)

// Explain rewrites one of the YAML decoder's messages in terms of the file: "line 3: cannot
// unmarshal !!seq into main.CrawlConfig" becomes "line 3: got a list, want a mapping".
func Explain(msg string) string {
	msg = unknownField.ReplaceAllString(msg, `unknown key "$1"`)
	return typeMismatch.ReplaceAllStringFunc(msg, func(m string) string {
		sub := typeMismatch.FindStringSubmatch(m)
		got := kindNames[sub[1]]
		if got == "" {
			got = "a value"
		}
		if sub[2] != "" {
			got += " " + strings.TrimSpace(sub[2])
		}
		return "got " + got + ", want " + want(sub[3])
	})
}

// want describes a Go type as the YAML that decodes into it.
func want(goType string) string {
	t := strings.TrimLeft(goType, "*")
	switch {
	case t == "time.Duration":
		return "a duration such as 500ms or 2m"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "a whole number"
	}
	return "a mapping" // a struct: its name is Go's business, not the file's
}
