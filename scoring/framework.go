package scoring

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/internal/yamlsafe"
	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/mat"
)

// Weighting methods of a group: how its children's local weights are set.
const (
	MethodAHP   = "ahp"   // Saaty eigenvector of pairwise judgments (a matrix, experts' matrices or importance scores)
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
	TransformWinsorise = "winsorise" // COINr's Treat(): winsorise, then log_CT if still skewed (see Treat, TreatSpec)
)

// Missing-value rules: what a NaN cell of a present indicator becomes. Every imputed value is
// reported in Result.Imputed and flagged on its UnitValue; nothing is silently NaN.
const (
	MissingError    = "error"     // the default: a missing value is an error naming unit and indicator
	MissingZero     = "zero"      // raw 0 (e.g. a count where "no record" means none)
	MissingMin      = "min"       // the smallest observed raw value
	MissingMean     = "mean"      // the mean of observed raw values (COINr i_mean)
	MissingMedian   = "median"    // the median of observed raw values (COINr i_median)
	MissingWorst    = "worst"     // the worst observed raw value (min for benefit, max for cost)
	MissingDropUnit = "drop-unit" // drop the unit from the whole scoring (reported in Result.Dropped)
	// MissingGroupMean is the mean of the observed values of the units sharing the unit's value of
	// the attribute named by missing_group (tier, region …; COINr i_mean_grp). A unit whose group
	// has no observed value, or whose attribute is empty, stays missing and is re-weighted.
	MissingGroupMean   = "group-mean"
	MissingGroupMedian = "group-median" // as group-mean with the median (COINr i_median_grp)
	// MissingReweight leaves the value missing: its parent aggregates the unit's available
	// children with their weights renormalised (COINr's default a_amean with na.rm).
	MissingReweight = "reweight"
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
	missings   = []string{MissingError, MissingZero, MissingMin, MissingMean, MissingMedian, MissingWorst, MissingDropUnit, MissingGroupMean, MissingGroupMedian, MissingReweight}
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
	// Denominators are the input columns indicators may be divided by (per resident, per GDP …).
	Denominators []Column
	// Attributes are the text columns of the input that describe units (tier, region …), used by
	// group imputation. ReadTableCSV must be told their names (Framework.AttributeIDs).
	Attributes []Column
	Screen     Screen
	// JudgementsFile is the AHP judgements file the framework names (informational: the caller
	// reads it and passes its bytes to ParseFramework).
	JudgementsFile string
}

// Column describes a non-indicator input column.
type Column struct {
	ID     string `yaml:"id" json:"id"`
	Name   string `yaml:"name" json:"name,omitempty"`
	NameEN string `yaml:"name_en" json:"name_en,omitempty"`
	Unit   string `yaml:"unit" json:"unit,omitempty"`
}

// Screen is the data-availability screen (COINr's Screen(unit_screen = "byNA")): units, and
// optionally indicators, whose share of available values is below MinAvailability are dropped and
// reported. MinAvailability 0 disables it.
type Screen struct {
	MinAvailability float64 `json:"min_availability"`
	Units           bool    `json:"units"`      // screen units (default true when enabled)
	Indicators      bool    `json:"indicators"` // screen indicators
	// AfterImputation measures availability after the missing-value rules (COINr's ASEM example
	// screens its imputed data set); by default it is measured on the values as given.
	AfterImputation bool `json:"after_imputation"`
}

// AttributeIDs returns the attribute column names, for ReadTableCSV.
func (f *Framework) AttributeIDs() []string {
	ids := make([]string, len(f.Attributes))
	for i, a := range f.Attributes {
		ids[i] = a.ID
	}
	return ids
}

// Placeholders returns the AHP groups whose judgements are placeholders, framework order.
func (f *Framework) Placeholders() []string {
	var out []string
	for _, n := range f.Nodes() {
		if n.Judgements != nil && n.Judgements.Provenance == ProvenancePlaceholder {
			out = append(out, n.ID)
		}
	}
	return out
}

// Node is one group or indicator of a Framework.
type Node struct {
	ID       string
	Name     string // Chinese name
	NameEN   string
	Note     string
	Unit     string // unit of the raw values (indicators)
	Level    int    // 0 for the root
	Parent   *Node
	Children []*Node // empty for an indicator

	// Indicator definition (data/framework.yaml; read by the transform's lint and the sample web),
	// besides Unit: the sources it is computed from, the SQL step that computes it (its file name
	// without .sql) and what it measures.
	Sources    []string
	Step       string
	Definition string

	// Indicator settings, resolved: the node's own value, else the nearest ancestor's, else the
	// file's defaults, else benefit / none / error / drop / minmax.
	Direction    string
	Transform    string
	Treat        TreatSpec // used when Transform is winsorise
	Missing      string
	MissingGroup string // attribute for group-mean / group-median
	Constant     string
	Goalposts    []float64 // [lo, hi] in raw (transformed) units for goalposts normalisation; nil if none
	Norm         NormSpec
	// Denominator names a Framework.Denominators column the raw value is divided by, after
	// DenominatorScale divides the denominator (COINr Denominate's ScaleFactor); "" for none.
	Denominator      string
	DenominatorScale float64

	// Group settings.
	Method      string
	Aggregation string  // AggArithmetic (default), AggGeometric, AggHarmonic, AggGeneralised, AggMedian, AggCopeland
	Power       float64 // exponent of AggGeneralised
	MinCoverage float64 // a unit whose available children carry less than this share of weight scores NaN (COINr dat_thresh)
	PCA         PCASpec // method pca
	// Matrix is the pairwise-comparison matrix of an ahp group, children in order: as given, or
	// the element-wise geometric mean of the experts' matrices (built from importance scores by
	// Rule and Scale, or given as matrices).
	Matrix     *mat.Dense
	Experts    [][]float64 // importance scores per expert, children in order (nil when matrices were given)
	Judgements *Judgements // provenance and the experts' individual matrices; nil for inline judgments without provenance
	Rule       string
	Scale      float64
	Fixed      []float64 // fixed weights, children in order, summing to 1
	AHP        *AHPResult
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
	Name         string       `yaml:"name"`
	Version      string       `yaml:"version"`
	Description  string       `yaml:"description"`
	RandomIndex  []float64    `yaml:"random_index"`
	Judgements   string       `yaml:"judgements"`
	Denominators []Column     `yaml:"denominators"`
	Attributes   []Column     `yaml:"attributes"`
	Screen       *screenSpec  `yaml:"screen"`
	Defaults     settingsSpec `yaml:"defaults"`
	Root         *nodeSpec    `yaml:"root"`
}

type screenSpec struct {
	MinAvailability float64 `yaml:"min_availability"`
	Units           *bool   `yaml:"units"`
	Indicators      bool    `yaml:"indicators"`
	AfterImputation bool    `yaml:"after_imputation"`
}

// settingsSpec holds the settings inherited down the tree (defaults → groups → indicators).
type settingsSpec struct {
	Direction        string     `yaml:"direction"`
	Transform        string     `yaml:"transform"`
	Treatment        *treatSpec `yaml:"treatment"`
	Missing          string     `yaml:"missing"`
	MissingGroup     string     `yaml:"missing_group"`
	Constant         string     `yaml:"constant"`
	Normalisation    string     `yaml:"normalisation"`
	NormParams       []float64  `yaml:"normalisation_params"`
	Reference        string     `yaml:"reference"`
	Clamp            *bool      `yaml:"clamp"`
	Aggregation      string     `yaml:"aggregation"`
	Power            *float64   `yaml:"power"`
	MinCoverage      *float64   `yaml:"min_coverage"`
	DenominatorScale *float64   `yaml:"denominator_scale"`
}

type treatSpec struct {
	WinMax   *int     `yaml:"winmax"`
	Skew     *float64 `yaml:"skew"`
	Kurtosis *float64 `yaml:"kurtosis"`
	Fallback string   `yaml:"fallback"`
}

type nodeSpec struct {
	ID           string      `yaml:"id"`
	Name         string      `yaml:"name"`
	NameEN       string      `yaml:"name_en"`
	Note         string      `yaml:"note"`
	Unit         string      `yaml:"unit"`
	Denominator  string      `yaml:"denominator"`
	Goalposts    []float64   `yaml:"goalposts"`
	Weighting    *weightSpec `yaml:"weighting"`
	Children     []nodeSpec  `yaml:"children"`
	settingsSpec `yaml:",inline"`

	// indicator definition
	Sources    []string `yaml:"sources"`
	Step       string   `yaml:"step"`
	Definition string   `yaml:"definition"`
}

type weightSpec struct {
	Method   string               `yaml:"method"`
	Matrix   [][]string           `yaml:"matrix"`
	Matrices [][][]string         `yaml:"matrices"`
	Experts  []map[string]float64 `yaml:"experts"`
	Rule     string               `yaml:"rule"`
	Scale    float64              `yaml:"scale"`
	Weights  map[string]float64   `yaml:"weights"`
	Retain   string               `yaml:"retain"`
	Rotation string               `yaml:"rotation"`
	Basis    string               `yaml:"basis"`
	Assign   string               `yaml:"assign"`
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

// ParseFramework decodes and validates a framework YAML document (format: data/framework.yaml)
// and, when given, the AHP judgements file it names (format: data/ahp_judgements.yaml), which
// supplies the judgments of every ahp group that declares none inline. Decoding is strict:
// unknown keys are errors. Every problem is reported at once, joined with errors.Join, each
// prefixed by its key path ("root.children[1].weighting.method: …"). AHP groups are checked for
// consistency — every expert's matrix and their geometric mean; an inconsistent one contributes
// an *InconsistencyError naming the group id (and expert).
func ParseFramework(yamlBytes []byte, judgements ...[]byte) (*Framework, error) {
	var spec fileSpec
	if err := decodeStrict(yamlBytes, &spec, "framework"); err != nil {
		return nil, err
	}
	var js *judgementsFile
	if len(judgements) > 1 {
		return nil, errors.New("scoring: ParseFramework takes at most one judgements file")
	}
	if len(judgements) == 1 && judgements[0] != nil {
		js = new(judgementsFile)
		if err := decodeStrict(judgements[0], js, "judgements"); err != nil {
			return nil, err
		}
	}
	fw, errs := build(&spec, js)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return fw, nil
}

// decodeStrict decodes YAML into v, reporting unknown keys with their paths (prefixed by what for
// the judgements file) and type errors; every problem wraps ErrFramework.
func decodeStrict(b []byte, v any, what string) error {
	doc, err := yamlsafe.Parse(b)
	if err != nil {
		return fmt.Errorf("decoding %s YAML: %w", what, err)
	}
	var errs []error
	prefix := ""
	if what != "framework" {
		prefix = what
	}
	if len(doc.Content) == 1 {
		checkKeys(doc.Content[0], reflect.TypeOf(v), prefix, &errs)
	}
	if err := doc.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, m := range te.Errors {
				errs = append(errs, &fieldError{path: joinPath(prefix, "yaml"), msg: yamlsafe.Explain(m)})
			}
		} else {
			errs = append(errs, fmt.Errorf("decoding %s YAML: %w", what, err))
		}
	}
	return errors.Join(errs...)
}

// checkKeys walks the YAML tree against the Go schema type t and reports unknown keys with paths.
// Inline (embedded) structs contribute their keys to the enclosing mapping.
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
		var collect func(t reflect.Type)
		collect = func(t reflect.Type) {
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				tag := strings.Split(f.Tag.Get("yaml"), ",")
				if len(tag) > 1 && tag[1] == "inline" {
					collect(f.Type)
					continue
				}
				known = append(known, tag[0])
				fields[tag[0]] = f.Type
			}
		}
		collect(t)
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
	case reflect.Map:
		if n.Kind != yaml.MappingNode || t.Elem().Kind() != reflect.Struct {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkKeys(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value), errs)
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// settings is the resolved inherited configuration of a node.
type settings struct {
	direction, transform, missing, missingGroup, constant string
	treat                                                 TreatSpec
	norm                                                  NormSpec
	aggregation                                           string
	power, minCoverage, denomScale                        float64
}

// builder carries validation state through build.
type builder struct {
	errs     []error
	ids      map[string]string // id → path of first use
	ri       RandomIndex
	fw       *Framework
	js       *judgementsFile
	jsUsed   map[string]bool
	denoms   map[string]bool
	attrs    map[string]bool
	colNames map[string]string // every non-indicator column id → its path
}

func (b *builder) fail(path, format string, args ...any) {
	b.errs = append(b.errs, &fieldError{path: path, msg: fmt.Sprintf(format, args...)})
}

func build(spec *fileSpec, js *judgementsFile) (*Framework, []error) {
	b := &builder{ids: map[string]string{}, ri: SaatyRI, js: js, jsUsed: map[string]bool{}, denoms: map[string]bool{}, attrs: map[string]bool{}, colNames: map[string]string{}}
	if len(spec.RandomIndex) > 0 {
		b.ri = RandomIndex(spec.RandomIndex)
		for i, v := range spec.RandomIndex {
			if !(v >= 0) {
				b.fail(fmt.Sprintf("random_index[%d]", i), "must be ≥ 0, got %v", v)
			}
		}
	}
	b.fw = &Framework{Name: spec.Name, Version: spec.Version, RandomIndex: b.ri, JudgementsFile: spec.Judgements,
		Denominators: spec.Denominators, Attributes: spec.Attributes}
	js.check(b)
	b.columns("denominators", spec.Denominators, b.denoms)
	b.columns("attributes", spec.Attributes, b.attrs)
	if s := spec.Screen; s != nil {
		if !(s.MinAvailability >= 0 && s.MinAvailability <= 1) {
			b.fail("screen.min_availability", "must be in [0, 1], got %v", s.MinAvailability)
		}
		b.fw.Screen = Screen{MinAvailability: s.MinAvailability, Units: s.Units == nil || *s.Units, Indicators: s.Indicators, AfterImputation: s.AfterImputation}
		if !b.fw.Screen.Units && !b.fw.Screen.Indicators && s.MinAvailability > 0 {
			b.fail("screen", "screens neither units nor indicators")
		}
	}
	base := settings{direction: Benefit, transform: TransformNone, missing: MissingError, constant: ConstantDrop,
		treat: DefaultTreatSpec, norm: NormSpec{Method: NormMinMax}, aggregation: AggArithmetic, denomScale: 1}
	dflt := b.inherit(base, &spec.Defaults, "defaults")
	if spec.Root == nil {
		b.fail("root", "required")
		return nil, b.errs
	}
	if spec.Judgements != "" && js == nil {
		b.fail("judgements", "names %q, but no judgements file was given to the parser (pass its bytes to ParseFramework)", spec.Judgements)
	}
	b.fw.Root = b.node(spec.Root, nil, "root", dflt)
	if js != nil {
		for i, g := range js.Groups {
			if !b.jsUsed[g.Group] {
				b.fail(fmt.Sprintf("judgements.groups[%d].group", i), "%q is not an ahp group of the framework that takes its judgments from this file", g.Group)
			}
		}
	}
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	// Consistency of the full AHP matrices, once the structure is sound.
	for _, n := range b.fw.Nodes() {
		if n.Method != MethodAHP {
			continue
		}
		if n.Judgements != nil {
			for e, em := range n.Judgements.Matrices {
				if _, err := AHP(em, b.ri); err != nil {
					var ie *InconsistencyError
					if errors.As(err, &ie) {
						labelInconsistency(ie, fmt.Sprintf("%s (expert %s)", n.ID, n.Judgements.expertName(e)), childIDs(n.Children))
						b.errs = append(b.errs, fmt.Errorf("%w: %w", ErrFramework, ie))
					} else {
						b.errs = append(b.errs, fmt.Errorf("%w: group %s, expert %s: %w", ErrFramework, n.ID, n.Judgements.expertName(e), err))
					}
				}
			}
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

func (b *builder) columns(path string, cs []Column, set map[string]bool) {
	for i, c := range cs {
		p := fmt.Sprintf("%s[%d].id", path, i)
		switch {
		case c.ID == "":
			b.fail(p, "required")
		case strings.ContainsAny(c.ID, ", \t\n\""):
			b.fail(p, "%q must not contain commas, quotes or spaces (it is a CSV column name)", c.ID)
		case b.colNames[c.ID] != "":
			b.fail(p, "duplicate column %q (first at %s)", c.ID, b.colNames[c.ID])
		default:
			b.colNames[c.ID] = p
			set[c.ID] = true
		}
	}
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

// inherit resolves over on top of base, validating every value at path.
func (b *builder) inherit(base settings, over *settingsSpec, path string) settings {
	b.checkEnum(path+".direction", over.Direction, directions)
	b.checkEnum(path+".transform", over.Transform, transforms)
	b.checkEnum(path+".missing", over.Missing, missings)
	b.checkEnum(path+".constant", over.Constant, constants)
	b.checkEnum(path+".normalisation", over.Normalisation, normalisations)
	b.checkEnum(path+".aggregation", over.Aggregation, aggregations)
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&base.direction, over.Direction)
	set(&base.transform, over.Transform)
	set(&base.constant, over.Constant)
	set(&base.aggregation, over.Aggregation)
	if over.Missing != "" {
		base.missing = over.Missing
	}
	if over.MissingGroup != "" {
		if !b.attrs[over.MissingGroup] {
			b.fail(path+".missing_group", "%q is not a declared attribute (declare it under attributes)", over.MissingGroup)
		}
		base.missingGroup = over.MissingGroup
	}
	if over.Normalisation != "" && over.Normalisation != base.norm.Method {
		base.norm = NormSpec{Method: over.Normalisation} // parameters belong to a method
	}
	if over.NormParams != nil {
		if len(over.NormParams) != 2 || math.IsNaN(over.NormParams[0]) || math.IsNaN(over.NormParams[1]) {
			b.fail(path+".normalisation_params", "want two numbers, got %v", over.NormParams)
		} else {
			base.norm.Params = over.NormParams
		}
	}
	if over.Reference != "" {
		base.norm.Reference = over.Reference
	}
	if over.Clamp != nil {
		base.norm.Clamp = *over.Clamp
	}
	if t := over.Treatment; t != nil {
		if t.WinMax != nil {
			base.treat.WinMax = *t.WinMax
		}
		if t.Skew != nil {
			base.treat.Skew = *t.Skew
		}
		if t.Kurtosis != nil {
			base.treat.Kurtosis = *t.Kurtosis
		}
		set(&base.treat.Fallback, t.Fallback)
		if err := base.treat.Check(); err != nil {
			b.fail(path+".treatment", "%v", err)
		}
	}
	if over.Power != nil {
		if *over.Power == 0 || math.IsNaN(*over.Power) || math.IsInf(*over.Power, 0) {
			b.fail(path+".power", "must be finite and non-zero (p = 0 is the geometric mean), got %v", *over.Power)
		}
		base.power = *over.Power
	}
	if over.MinCoverage != nil {
		if !(*over.MinCoverage >= 0 && *over.MinCoverage <= 1) {
			b.fail(path+".min_coverage", "must be in [0, 1], got %v", *over.MinCoverage)
		}
		base.minCoverage = *over.MinCoverage
	}
	if over.DenominatorScale != nil {
		if !(*over.DenominatorScale > 0) || math.IsInf(*over.DenominatorScale, 0) {
			b.fail(path+".denominator_scale", "must be positive, got %v", *over.DenominatorScale)
		}
		base.denomScale = *over.DenominatorScale
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

func (b *builder) node(s *nodeSpec, parent *Node, path string, inh settings) *Node {
	n := &Node{ID: s.ID, Name: s.Name, NameEN: s.NameEN, Note: s.Note, Unit: s.Unit, Parent: parent,
		Sources: s.Sources, Step: s.Step, Definition: s.Definition}
	if parent != nil {
		n.Level = parent.Level + 1
	}
	if s.ID == "" {
		b.fail(path+".id", "required")
	} else if strings.ContainsAny(s.ID, ", \t\n\"") {
		b.fail(path+".id", "%q must not contain commas, quotes or spaces (it is a CSV column name)", s.ID)
	} else if first, dup := b.ids[s.ID]; dup {
		b.fail(path+".id", "duplicate id %q (first at %s)", s.ID, first)
	} else if col := b.colNames[s.ID]; col != "" {
		b.fail(path+".id", "%q is also declared as a column at %s", s.ID, col)
	} else {
		b.ids[s.ID] = path
	}
	st := b.inherit(inh, &s.settingsSpec, path)
	n.Direction, n.Transform, n.Missing, n.MissingGroup, n.Constant = st.direction, st.transform, st.missing, st.missingGroup, st.constant
	n.Treat, n.Norm, n.DenominatorScale = st.treat, st.norm, st.denomScale
	n.Aggregation, n.Power, n.MinCoverage = st.aggregation, st.power, st.minCoverage
	if len(s.Goalposts) > 0 {
		if len(s.Goalposts) != 2 || !(s.Goalposts[0] < s.Goalposts[1]) {
			b.fail(path+".goalposts", "want [lo, hi] with lo < hi, got %v", s.Goalposts)
		}
		n.Goalposts = s.Goalposts
	}
	for i := range s.Children {
		n.Children = append(n.Children, b.node(&s.Children[i], n, fmt.Sprintf("%s.children[%d]", path, i), st))
	}
	if len(s.Children) == 0 {
		if s.Weighting != nil {
			b.fail(path+".weighting", "indicator %q has no children to weight", s.ID)
		}
		if s.Denominator != "" {
			if !b.denoms[s.Denominator] {
				b.fail(path+".denominator", "%q is not a declared denominator (declare it under denominators)", s.Denominator)
			}
			n.Denominator = s.Denominator
		}
		if (n.Missing == MissingGroupMean || n.Missing == MissingGroupMedian) && n.MissingGroup == "" {
			b.fail(path+".missing", "%s needs missing_group: the attribute that forms the groups", n.Missing)
		}
		if n.Aggregation == AggGeneralised && n.Power == 0 {
			n.Power = 1
		}
		if err := n.Norm.check(); err != nil {
			b.fail(path+".normalisation", "%v", err)
		}
		return n
	}
	if len(s.Sources) > 0 || s.Step != "" || s.Definition != "" {
		b.fail(path, "group %q: sources, step and definition belong to indicators", s.ID)
	}
	if len(s.Goalposts) > 0 {
		b.fail(path+".goalposts", "only indicators have goalposts")
	}
	if s.Denominator != "" {
		b.fail(path+".denominator", "only indicators have denominators")
	}
	if n.Aggregation == AggGeneralised && n.Power == 0 {
		b.fail(path+".power", "aggregation generalised needs power (p ≠ 0)")
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
	if w.Method != MethodAHP && (w.Matrix != nil || w.Matrices != nil || w.Experts != nil || w.Rule != "" || w.Scale != 0) {
		b.fail(path, "matrix, matrices, experts, rule and scale apply only to method ahp")
	}
	if w.Method != MethodFixed && w.Weights != nil {
		b.fail(path+".weights", "applies only to method fixed")
	}
	if w.Method != MethodPCA && (w.Retain != "" || w.Rotation != "" || w.Basis != "" || w.Assign != "") {
		b.fail(path, "retain, rotation, basis and assign apply only to method pca")
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
	case MethodPCA:
		spec, err := ParsePCASpec(w.Retain, w.Rotation, w.Basis, w.Assign)
		if err != nil {
			b.fail(path, "%v", err)
		}
		n.PCA = spec
	case MethodAHP:
		if _, ok := b.ri.At(m); !ok {
			b.fail(path, "%d children exceed the random-index table (%d entries)", m, len(b.ri))
			return
		}
		if w.Matrix == nil && w.Matrices == nil && w.Experts == nil {
			g := b.js.group(n.ID)
			if g == nil {
				if b.js == nil {
					b.fail(path, "method ahp needs a matrix, matrices or experts, or a judgements file with group %q", n.ID)
				} else {
					b.fail(path, "method ahp: the judgements file has no group %q", n.ID)
				}
				return
			}
			b.jsUsed[n.ID] = true
			b.judgements(n, judgementSpec{Matrix: g.Matrix, Matrices: g.matrices(), Experts: g.scores(), Rule: g.Rule, Scale: g.Scale}, fmt.Sprintf("judgements.groups[%d]", g.index), ids)
			j := g.provenance()
			j.Matrices = n.Judgements.Matrices
			n.Judgements = &j
			return
		}
		b.judgements(n, judgementSpec{Matrix: w.Matrix, Matrices: w.Matrices, Experts: w.Experts, Rule: w.Rule, Scale: w.Scale}, path, ids)
	}
}

// judgementSpec is the judgments of one AHP group, inline or from the judgements file.
type judgementSpec struct {
	Matrix   [][]string
	Matrices [][][]string
	Experts  []map[string]float64
	Rule     string
	Scale    float64
}

func (b *builder) judgements(n *Node, w judgementSpec, path string, ids []string) {
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
	given := 0
	for _, ok := range []bool{w.Matrix != nil, w.Matrices != nil, w.Experts != nil} {
		if ok {
			given++
		}
	}
	if given > 1 {
		b.fail(path, "give one of matrix, matrices or experts")
		return
	}
	if (w.Matrix != nil || w.Matrices != nil) && (w.Rule != "" || w.Scale != 0) {
		b.fail(path, "rule and scale apply only to experts")
	}
	n.Judgements = &Judgements{}
	switch {
	case w.Matrix != nil:
		if mx := b.matrix(w.Matrix, path+".matrix", m); mx != nil {
			n.Matrix = mx
		}
	case w.Matrices != nil:
		var ms []*mat.Dense
		for e, rows := range w.Matrices {
			if mx := b.matrix(rows, fmt.Sprintf("%s.matrices[%d]", path, e), m); mx != nil {
				ms = append(ms, mx)
			}
		}
		if len(ms) == 0 {
			b.fail(path+".matrices", "needs at least one matrix")
		} else if len(ms) == len(w.Matrices) {
			n.Judgements.Matrices = ms
			n.Matrix = GeometricMeanMatrix(ms)
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
			n.Judgements.Matrices = ms
			n.Matrix = GeometricMeanMatrix(ms)
		}
	default:
		b.fail(path, "method ahp needs a matrix, matrices or experts")
	}
}

// matrix parses and validates one pairwise matrix of m children at path; nil after a failure.
func (b *builder) matrix(rows [][]string, path string, m int) *mat.Dense {
	if len(rows) != m {
		b.fail(path, "want %d rows (one per child), got %d", m, len(rows))
		return nil
	}
	mx := mat.NewDense(m, m, nil)
	ok := true
	for i, row := range rows {
		if len(row) != m {
			b.fail(fmt.Sprintf("%s[%d]", path, i), "want %d judgments, got %d", m, len(row))
			ok = false
			continue
		}
		for j, cell := range row {
			a, err := ParseJudgment(cell)
			if err != nil {
				b.fail(fmt.Sprintf("%s[%d][%d]", path, i, j), "%v", err)
				ok = false
				continue
			}
			mx.Set(i, j, a)
		}
	}
	if !ok {
		return nil
	}
	for _, p := range CheckJudgments(mx, JudgmentRules{}) {
		b.fail(fmt.Sprintf("%s[%d][%d]", path, p.I, p.J), "%s", p.Msg)
		ok = false
	}
	if !ok {
		return nil
	}
	return mx
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
