package scoring

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/mat"
)

// Weighting methods of a group: how its children's local weights are set.
const (
	MethodAHP   = "ahp"   // Saaty eigenvector of pairwise judgments (a matrix, or experts' importance scores)
	MethodPCA   = "pca"   // Nicoletti PCA recipe on the children's scores across units (see PCAWeights)
	MethodEqual = "equal" // 1/m each
	MethodFixed = "fixed" // explicit weights, normalised to sum 1
)

// Directions of an indicator.
const (
	Benefit = "benefit" // higher raw value is better
	Cost    = "cost"    // higher raw value is worse; inverted when standardised
)

// Transforms applied to raw values before standardisation.
const (
	TransformNone      = "none"
	TransformLog       = "log"       // natural log; every value must be > 0
	TransformLog1p     = "log1p"     // ln(1 + x); every value must be > −1 (counts with zeros)
	TransformWinsorise = "winsorise" // see Winsorise: while |skew| > 2 and excess kurtosis > 3.5, ≤ 5 points
)

// Missing-value rules: what a NaN cell of a present indicator becomes. Imputations are reported in
// Result.Imputed; nothing is silently NaN.
const (
	MissingError    = "error"     // the default: a missing value is an error naming unit and indicator
	MissingZero     = "zero"      // raw 0 (e.g. a count where "no record" means none)
	MissingMin      = "min"       // the smallest observed raw value
	MissingMean     = "mean"      // the mean of observed raw values
	MissingWorst    = "worst"     // the worst observed raw value (min for benefit, max for cost)
	MissingDropUnit = "drop-unit" // drop the unit from the whole scoring (reported in Result.Dropped)
)

// Constant-column rules: what a present indicator with no variance across units (after imputation
// and transform) becomes. Standardising it would divide by zero.
const (
	ConstantDrop  = "drop"  // the default: prune it like a missing indicator (reported in Result.Constant)
	ConstantError = "error" // an error
	ConstantZero  = "zero"  // score 0 for every unit
	ConstantMid   = "mid"   // score 50 for every unit
)

var (
	methods    = []string{MethodAHP, MethodPCA, MethodEqual, MethodFixed}
	directions = []string{Benefit, Cost}
	transforms = []string{TransformNone, TransformLog, TransformLog1p, TransformWinsorise}
	missings   = []string{MissingError, MissingZero, MissingMin, MissingMean, MissingWorst, MissingDropUnit}
	constants  = []string{ConstantDrop, ConstantError, ConstantZero, ConstantMid}
	rules      = []string{RuleDifference, RuleRatio}
)

// Framework is a validated indicator hierarchy: groups weight their children by a method, leaves
// are indicators (columns of the input table) with a direction and data rules.
type Framework struct {
	Name        string
	Version     string
	RandomIndex RandomIndex // defaults to SaatyRI
	Root        *Node
}

// Node is one group or indicator of a Framework.
type Node struct {
	ID       string
	Name     string // Chinese name
	NameEN   string
	Note     string
	Level    int // 0 for the root
	Parent   *Node
	Children []*Node // empty for an indicator

	// Indicator definition (data/framework.yaml; read by the transform's lint and the sample web):
	// the metric's unit, the sources it is computed from, the SQL step that computes it (its file
	// name without .sql) and what it measures.
	Unit       string
	Sources    []string
	Step       string
	Definition string

	// Indicator settings, resolved: the node's own value, else the nearest ancestor's, else the
	// file's defaults, else benefit / none / error / drop.
	Direction string
	Transform string
	Missing   string
	Constant  string
	Goalposts []float64 // [lo, hi] in raw (transformed) units for goalposts normalisation; nil if none

	// Group settings.
	Method string
	// Matrix is the pairwise-comparison matrix of an ahp group, children in order: as given, or
	// built from the experts' importance scores by Rule and Scale and combined by geometric mean.
	Matrix  *mat.Dense
	Experts [][]float64 // importance scores per expert, children in order (nil when Matrix was given)
	Rule    string
	Scale   float64
	Fixed   []float64 // fixed weights, children in order, summing to 1
	AHP     *AHPResult
}

// IsLeaf reports whether n is an indicator.
func (n *Node) IsLeaf() bool { return len(n.Children) == 0 }

// Nodes returns every node in pre-order (framework order).
func (f *Framework) Nodes() []*Node {
	var out []*Node
	var walk func(*Node)
	walk = func(n *Node) {
		out = append(out, n)
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(f.Root)
	return out
}

// Leaves returns the indicators in framework order.
func (f *Framework) Leaves() []*Node {
	var out []*Node
	for _, n := range f.Nodes() {
		if n.IsLeaf() {
			out = append(out, n)
		}
	}
	return out
}

// Node returns the node with the given id, or nil.
func (f *Framework) Node(id string) *Node {
	for _, n := range f.Nodes() {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// The YAML schema. Field names are typed once, in the tags; key paths in errors come from them.
type fileSpec struct {
	Name        string    `yaml:"name"`
	Version     string    `yaml:"version"`
	Description string    `yaml:"description"`
	RandomIndex []float64 `yaml:"random_index"`
	Defaults    leafSpec  `yaml:"defaults"`
	Root        *nodeSpec `yaml:"root"`
}

type leafSpec struct {
	Direction string `yaml:"direction"`
	Transform string `yaml:"transform"`
	Missing   string `yaml:"missing"`
	Constant  string `yaml:"constant"`
}

type nodeSpec struct {
	ID        string      `yaml:"id"`
	Name      string      `yaml:"name"`
	NameEN    string      `yaml:"name_en"`
	Note      string      `yaml:"note"`
	Direction string      `yaml:"direction"`
	Transform string      `yaml:"transform"`
	Missing   string      `yaml:"missing"`
	Constant  string      `yaml:"constant"`
	Goalposts []float64   `yaml:"goalposts"`
	Weighting *weightSpec `yaml:"weighting"`
	Children  []nodeSpec  `yaml:"children"`

	// indicator definition
	Unit       string   `yaml:"unit"`
	Sources    []string `yaml:"sources"`
	Step       string   `yaml:"step"`
	Definition string   `yaml:"definition"`
}

type weightSpec struct {
	Method  string               `yaml:"method"`
	Matrix  [][]string           `yaml:"matrix"`
	Experts []map[string]float64 `yaml:"experts"`
	Rule    string               `yaml:"rule"`
	Scale   float64              `yaml:"scale"`
	Weights map[string]float64   `yaml:"weights"`
}

// ErrFramework marks every framework validation problem; ParseFramework's error wraps it (and
// any *InconsistencyError) so callers can branch with errors.Is / errors.As.
var ErrFramework = errors.New("scoring: invalid framework")

// fieldError is one validation problem at a key path.
type fieldError struct {
	path string
	msg  string
}

func (e *fieldError) Error() string { return e.path + ": " + e.msg }
func (e *fieldError) Unwrap() error { return ErrFramework }

// ParseFramework decodes and validates a framework YAML document (format: data/framework.yaml).
// Decoding is strict: unknown keys are errors. Every problem is reported at once, joined with
// errors.Join, each prefixed by its key path ("root.children[1].weighting.method: …"). AHP groups
// are checked for consistency with their full matrices; an inconsistent one contributes an
// *InconsistencyError naming the group id.
func ParseFramework(yamlBytes []byte) (*Framework, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(yamlBytes))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding framework YAML: %w", err)
	}
	var errs []error
	if len(doc.Content) == 1 {
		checkKeys(doc.Content[0], reflect.TypeOf(fileSpec{}), "", &errs)
	}
	var spec fileSpec
	if err := doc.Decode(&spec); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				errs = append(errs, &fieldError{path: "yaml", msg: m})
			}
		} else {
			errs = append(errs, fmt.Errorf("decoding framework YAML: %w", err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	fw, errs := build(&spec)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return fw, nil
}

// checkKeys walks the YAML tree against the Go schema type t and reports unknown keys with paths.
func checkKeys(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the type mismatch
		}
		var known []string
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			known = append(known, tag)
			fields[tag] = t.Field(i).Type
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			p := joinPath(path, k)
			ft, ok := fields[k]
			if !ok {
				*errs = append(*errs, &fieldError{path: p, msg: fmt.Sprintf("unknown key (line %d); want one of %s", n.Content[i].Line, strings.Join(known, ", "))})
				continue
			}
			checkKeys(n.Content[i+1], ft, p, errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, c := range n.Content {
			checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// builder carries validation state through build.
type builder struct {
	errs []error
	ids  map[string]string // id → path of first use
	ri   RandomIndex
	fw   *Framework
	dflt leafSpec
}

func (b *builder) fail(path, format string, args ...any) {
	b.errs = append(b.errs, &fieldError{path: path, msg: fmt.Sprintf(format, args...)})
}

func build(spec *fileSpec) (*Framework, []error) {
	b := &builder{ids: map[string]string{}, ri: SaatyRI}
	if len(spec.RandomIndex) > 0 {
		b.ri = RandomIndex(spec.RandomIndex)
		for i, v := range spec.RandomIndex {
			if !(v >= 0) {
				b.fail(fmt.Sprintf("random_index[%d]", i), "must be ≥ 0, got %v", v)
			}
		}
	}
	b.dflt = leafSpec{Direction: Benefit, Transform: TransformNone, Missing: MissingError, Constant: ConstantDrop}
	d := spec.Defaults
	b.checkEnum("defaults.direction", d.Direction, directions)
	b.checkEnum("defaults.transform", d.Transform, transforms)
	b.checkEnum("defaults.missing", d.Missing, missings)
	b.checkEnum("defaults.constant", d.Constant, constants)
	b.dflt = inherit(b.dflt, d)
	b.fw = &Framework{Name: spec.Name, Version: spec.Version, RandomIndex: b.ri}
	if spec.Root == nil {
		b.fail("root", "required")
		return nil, b.errs
	}
	b.fw.Root = b.node(spec.Root, nil, "root", b.dflt)
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	// Consistency of the full AHP matrices, once the structure is sound.
	for _, n := range b.fw.Nodes() {
		if n.Method != MethodAHP {
			continue
		}
		res, err := AHP(n.Matrix, b.ri)
		if err != nil {
			var ie *InconsistencyError
			if errors.As(err, &ie) {
				labelInconsistency(ie, n.ID, childIDs(n.Children))
				b.errs = append(b.errs, fmt.Errorf("%w: %w", ErrFramework, ie))
			} else {
				b.errs = append(b.errs, fmt.Errorf("%w: group %s: computing AHP weights: %w", ErrFramework, n.ID, err))
			}
			continue
		}
		n.AHP = &res
	}
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	return b.fw, nil
}

func labelInconsistency(ie *InconsistencyError, matrix string, labels []string) {
	ie.Matrix = matrix
	for i := range ie.Worst {
		ie.Worst[i].Row, ie.Worst[i].Col = labels[ie.Worst[i].I], labels[ie.Worst[i].J]
	}
}

func childIDs(cs []*Node) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func inherit(base, over leafSpec) leafSpec {
	if over.Direction != "" {
		base.Direction = over.Direction
	}
	if over.Transform != "" {
		base.Transform = over.Transform
	}
	if over.Missing != "" {
		base.Missing = over.Missing
	}
	if over.Constant != "" {
		base.Constant = over.Constant
	}
	return base
}

func (b *builder) checkEnum(path, v string, allowed []string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	b.fail(path, "unknown value %q; want one of %s", v, strings.Join(allowed, ", "))
}

func (b *builder) node(s *nodeSpec, parent *Node, path string, inh leafSpec) *Node {
	n := &Node{ID: s.ID, Name: s.Name, NameEN: s.NameEN, Note: s.Note, Parent: parent,
		Unit: s.Unit, Sources: s.Sources, Step: s.Step, Definition: s.Definition}
	if parent != nil {
		n.Level = parent.Level + 1
	}
	if s.ID == "" {
		b.fail(path+".id", "required")
	} else if strings.ContainsAny(s.ID, ", \t\n\"") {
		b.fail(path+".id", "%q must not contain commas, quotes or spaces (it is a CSV column name)", s.ID)
	} else if first, dup := b.ids[s.ID]; dup {
		b.fail(path+".id", "duplicate id %q (first at %s)", s.ID, first)
	} else {
		b.ids[s.ID] = path
	}
	b.checkEnum(path+".direction", s.Direction, directions)
	b.checkEnum(path+".transform", s.Transform, transforms)
	b.checkEnum(path+".missing", s.Missing, missings)
	b.checkEnum(path+".constant", s.Constant, constants)
	ls := inherit(inh, leafSpec{s.Direction, s.Transform, s.Missing, s.Constant})
	n.Direction, n.Transform, n.Missing, n.Constant = ls.Direction, ls.Transform, ls.Missing, ls.Constant
	if len(s.Goalposts) > 0 {
		if len(s.Goalposts) != 2 || !(s.Goalposts[0] < s.Goalposts[1]) {
			b.fail(path+".goalposts", "want [lo, hi] with lo < hi, got %v", s.Goalposts)
		}
		n.Goalposts = s.Goalposts
	}
	for i := range s.Children {
		n.Children = append(n.Children, b.node(&s.Children[i], n, fmt.Sprintf("%s.children[%d]", path, i), ls))
	}
	if len(s.Children) == 0 {
		if s.Weighting != nil {
			b.fail(path+".weighting", "indicator %q has no children to weight", s.ID)
		}
		return n
	}
	if s.Unit != "" || len(s.Sources) > 0 || s.Step != "" || s.Definition != "" {
		b.fail(path, "group %q: unit, sources, step and definition belong to indicators", s.ID)
	}
	if len(s.Goalposts) > 0 {
		b.fail(path+".goalposts", "only indicators have goalposts")
	}
	b.weighting(n, s.Weighting, path+".weighting")
	return n
}

func (b *builder) weighting(n *Node, w *weightSpec, path string) {
	ids := childIDs(n.Children)
	m := len(ids)
	if w == nil {
		n.Method = MethodEqual // documented default
		return
	}
	n.Method = w.Method
	if w.Method == "" {
		b.fail(path+".method", "required; want one of %s", strings.Join(methods, ", "))
		return
	}
	b.checkEnum(path+".method", w.Method, methods)
	if w.Method != MethodAHP && (w.Matrix != nil || w.Experts != nil || w.Rule != "" || w.Scale != 0) {
		b.fail(path, "matrix, experts, rule and scale apply only to method ahp")
	}
	if w.Method != MethodFixed && w.Weights != nil {
		b.fail(path+".weights", "applies only to method fixed")
	}
	switch w.Method {
	case MethodFixed:
		if len(w.Weights) == 0 {
			b.fail(path+".weights", "required for method fixed: one weight per child id")
			return
		}
		n.Fixed = make([]float64, m)
		sum := 0.0
		for i, id := range ids {
			v, ok := w.Weights[id]
			if !ok {
				b.fail(path+".weights", "no weight for child %q", id)
			} else if !(v >= 0) || math.IsInf(v, 0) {
				b.fail(path+".weights."+id, "must be ≥ 0, got %v", v)
			}
			n.Fixed[i] = v
			sum += v
		}
		for _, k := range sortedKeys(w.Weights) {
			if !contains(ids, k) {
				b.fail(path+".weights."+k, "not a child of %q", n.ID)
			}
		}
		if !(sum > 0) {
			b.fail(path+".weights", "must sum to more than 0")
			return
		}
		for i := range n.Fixed {
			n.Fixed[i] /= sum
		}
	case MethodAHP:
		b.ahp(n, w, path, ids)
	}
}

func (b *builder) ahp(n *Node, w *weightSpec, path string, ids []string) {
	m := len(ids)
	b.checkEnum(path+".rule", w.Rule, rules)
	n.Rule, n.Scale = w.Rule, w.Scale
	if n.Rule == "" {
		n.Rule = RuleDifference
	}
	if n.Scale == 0 {
		n.Scale = 1
	}
	if !(w.Scale >= 0) {
		b.fail(path+".scale", "must be > 0, got %v", w.Scale)
	}
	if _, ok := b.ri.At(m); !ok {
		b.fail(path, "%d children exceed the random-index table (%d entries)", m, len(b.ri))
		return
	}
	switch {
	case w.Matrix != nil && w.Experts != nil:
		b.fail(path, "give either matrix or experts, not both")
	case w.Matrix != nil:
		if w.Rule != "" || w.Scale != 0 {
			b.fail(path, "rule and scale apply only to experts")
		}
		if len(w.Matrix) != m {
			b.fail(path+".matrix", "want %d rows (one per child), got %d", m, len(w.Matrix))
			return
		}
		mx := mat.NewDense(m, m, nil)
		ok := true
		for i, row := range w.Matrix {
			if len(row) != m {
				b.fail(fmt.Sprintf("%s.matrix[%d]", path, i), "want %d judgments, got %d", m, len(row))
				ok = false
				continue
			}
			for j, cell := range row {
				a, err := ParseJudgment(cell)
				if err != nil {
					b.fail(fmt.Sprintf("%s.matrix[%d][%d]", path, i, j), "%v", err)
					ok = false
					continue
				}
				mx.Set(i, j, a)
			}
		}
		if !ok {
			return
		}
		for i := 0; i < m; i++ {
			for j := 0; j < m; j++ {
				if i == j && mx.At(i, j) != 1 {
					b.fail(fmt.Sprintf("%s.matrix[%d][%d]", path, i, j), "diagonal must be 1, got %s", FormatJudgment(mx.At(i, j)))
					ok = false
				}
				if j > i && math.Abs(mx.At(i, j)*mx.At(j, i)-1) > reciprocalTol {
					b.fail(fmt.Sprintf("%s.matrix[%d][%d]", path, j, i), "must be the reciprocal of matrix[%d][%d]=%s, got %s", i, j, FormatJudgment(mx.At(i, j)), FormatJudgment(mx.At(j, i)))
					ok = false
				}
			}
		}
		if ok {
			n.Matrix = mx
		}
	case len(w.Experts) > 0:
		var ms []*mat.Dense
		for e, scores := range w.Experts {
			ep := fmt.Sprintf("%s.experts[%d]", path, e)
			s := make([]float64, m)
			ok := true
			for i, id := range ids {
				v, has := scores[id]
				if !has {
					b.fail(ep, "no score for child %q", id)
					ok = false
				} else if !(v >= 1 && v <= 9) {
					b.fail(ep+"."+id, "score must be in [1, 9], got %v", v)
					ok = false
				}
				s[i] = v
			}
			for _, k := range sortedKeys(scores) {
				if !contains(ids, k) {
					b.fail(ep+"."+k, "not a child of %q", n.ID)
					ok = false
				}
			}
			if !ok {
				continue
			}
			n.Experts = append(n.Experts, s)
			mx, err := ScoresMatrix(s, n.Rule, n.Scale)
			if err != nil {
				b.fail(ep, "%v", err)
				continue
			}
			ms = append(ms, mx)
		}
		if len(ms) == len(w.Experts) {
			n.Matrix = GeometricMeanMatrix(ms)
		}
	default:
		b.fail(path, "method ahp needs a matrix or experts")
	}
}

func sortedKeys(m map[string]float64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
