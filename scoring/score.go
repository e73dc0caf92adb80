package scoring

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Ranking constants: the report publishes the top 20 and names the next three as candidates.
const (
	TopN       = 20
	CandidateN = 3
	// rankRounding: scores are rounded to this before ranking, so that sums differing only by
	// floating-point noise tie.
	rankRounding = 1e-9
)

// Options select the modelling choices of Score. The zero value is the framework's own method.
type Options struct {
	// Normalisation, when set, replaces every indicator's framework normalisation (one of
	// NormMinMax, NormZScore, NormRank, NormBorda, NormGoalposts, NormDist2Max, NormFracMax).
	Normalisation string `json:"normalisation,omitempty"`
	// Aggregation, when set, replaces every group's framework aggregation.
	Aggregation     string `json:"aggregation,omitempty"`
	MonteCarloDraws int    `json:"monte_carlo_draws,omitempty"` // 0 = no uncertainty analysis; see Sensitivity
	Seed            int64  `json:"seed,omitempty"`              // seed of the Monte Carlo draws and Sobol' samples
	// SobolSamples is the base sample size N of the variance-based sensitivity analysis (0 = off;
	// the model is run N·(k + 2) times for k uncertain choices); see SobolResult.
	SobolSamples int `json:"sobol_samples,omitempty"`
}

func (o Options) check() error {
	var errs []error
	if o.Normalisation != "" && (!contains(normalisations, o.Normalisation) || o.Normalisation == NormDist2Ref) {
		errs = append(errs, fmt.Errorf("normalisation %q: want one of %s (dist2ref needs a reference: set it in the framework)", o.Normalisation, strings.Join(normalisations, ", ")))
	}
	if o.Aggregation != "" && (!contains(aggregations, o.Aggregation) || o.Aggregation == AggGeneralised) {
		errs = append(errs, fmt.Errorf("aggregation %q: want one of %s (generalised needs a power: set it in the framework)", o.Aggregation, strings.Join(aggregations, ", ")))
	}
	if o.MonteCarloDraws < 0 {
		errs = append(errs, fmt.Errorf("monte carlo draws: must be ≥ 0, got %d", o.MonteCarloDraws))
	}
	if o.SobolSamples < 0 {
		errs = append(errs, fmt.Errorf("sobol samples: must be ≥ 0, got %d", o.SobolSamples))
	}
	return errors.Join(errs...)
}

// NodeWeight is one kept node of the (pruned) framework with its weights and the diagnostics of
// the weighting of its children.
type NodeWeight struct {
	ID        string  `json:"id"`
	Parent    string  `json:"parent,omitempty"`
	Level     int     `json:"level"`
	Name      string  `json:"name"`
	NameEN    string  `json:"name_en"`
	Method    string  `json:"method,omitempty"` // how this group weights its children; empty for indicators
	Local     float64 `json:"local"`            // weight within the parent (1 for the root)
	Effective float64 `json:"effective"`        // product of local weights from the root

	Children    []string `json:"children,omitempty"`
	Aggregation string   `json:"aggregation,omitempty"` // groups: how the children are combined
	Direction   string   `json:"direction,omitempty"`   // indicators only
	Transform   string   `json:"transform,omitempty"`   // indicators only
	Unit        string   `json:"unit,omitempty"`        // indicators: unit of the raw value
	Denominator string   `json:"denominator,omitempty"` // indicators: the column the raw value was divided by
	Normalised  string   `json:"normalisation,omitempty"`

	// AHP diagnostics (Method ahp): the matrix among the present children and its eigen-analysis,
	// and where the judgments come from. Provenance is "placeholder" when nobody elicited them:
	// every output showing these weights must say so.
	Matrix     [][]float64 `json:"matrix,omitempty"`
	LambdaMax  float64     `json:"lambda_max,omitempty"`
	CI         float64     `json:"ci,omitempty"`
	CR         float64     `json:"cr,omitempty"`
	Provenance string      `json:"provenance,omitempty"`
	Judgements *Judgements `json:"judgements,omitempty"`
	// Placeholder reports that this node's weight, or an ancestor's, comes from placeholder
	// judgements (so its effective weight does too).
	Placeholder bool `json:"placeholder,omitempty"`

	// PCA diagnostics (Method pca), as in PCAResult.
	Eigenvalues    []float64   `json:"eigenvalues,omitempty"`
	Explained      []float64   `json:"explained,omitempty"`
	Loadings       [][]float64 `json:"loadings,omitempty"` // child × kept factor, rotated when Rotated
	Kept           int         `json:"kept,omitempty"`
	Retain         string      `json:"retain,omitempty"`
	Rotation       string      `json:"rotation,omitempty"`
	Basis          string      `json:"basis,omitempty"`
	Rotated        bool        `json:"rotated,omitempty"`
	FactorVariance []float64   `json:"factor_variance,omitempty"`
	Note           string      `json:"note,omitempty"`
}

// UnitValue is one unit's value on one node.
type UnitValue struct {
	Unit  string
	Node  string
	Level int
	Raw   float64 // indicators: value after denomination, imputation and treatment; NaN for groups and missing values
	// Score is the standardised score (indicators) or the aggregate (groups), on [0, 100] under
	// the default min-max normalisation and means. NaN when the unit has no value here (an
	// indicator left missing by the reweight rule, or a group below its min_coverage).
	Score float64
	Rank  int // competition rank among units on this node ("1224"), 1 = best; 0 when Score is NaN
	// Imputed is the missing-value rule that supplied the raw value ("" when observed); Treated
	// the outlier treatment applied to it (TreatedHigh, TreatedLow, TreatedLogCT or "").
	Imputed string
	Treated string
	// Coverage is the share of the group's weight carried by the unit's available children
	// (1 when none is missing); for indicators 1, or 0 when the value is missing.
	Coverage float64
}

// Imputation records one missing value replaced by its indicator's missing-value rule.
type Imputation struct {
	Unit      string
	Indicator string
	Rule      string
	Group     string `json:",omitempty"` // group-mean and group-median: the unit's attribute value
	Value     float64
}

// Availability is one unit's data availability over the present indicators (COINr
// get_data_avail), measured where the screen looks (before imputation unless
// Screen.AfterImputation).
type Availability struct {
	Unit      string  `json:"unit"`
	Available int     `json:"available"`
	Total     int     `json:"total"`
	Share     float64 `json:"share"`
	Screened  bool    `json:"screened,omitempty"` // dropped by the data-availability screen
}

// Clamped counts the scores of one indicator clamped to [0, 100] by its normalisation (goalposts,
// or clamp: true).
type Clamped struct {
	Indicator string `json:"indicator"`
	Count     int    `json:"count"`
}

// Result is the outcome of Score.
type Result struct {
	Root    string
	Units   []string // scored units, input order (after drop-unit and the screen)
	Missing []string // framework indicators with no column in the input, framework order
	// Unused lists input columns that are neither framework indicators nor declared denominators
	// or attributes (ignored), input order.
	Unused []string
	// Constant lists present indicators pruned because they do not vary (rule drop).
	Constant []string
	// Dropped lists units removed by a drop-unit missing-value rule, input order.
	Dropped []string
	// ScreenedUnits and ScreenedIndicators were removed by the data-availability screen.
	ScreenedUnits      []string
	ScreenedIndicators []string
	Availability       []Availability
	Imputed            []Imputation
	// Treatments logs the outlier treatment of every indicator with transform winsorise, framework
	// order (also those that passed untreated).
	Treatments []Treatment
	Clamped    []Clamped
	// Placeholders lists the AHP groups whose judgements are placeholders: weights derived from
	// them are not a method's result, and every output showing them must say so.
	Placeholders []string
	Options      Options // as given

	Nodes       []NodeWeight // every kept node, framework order
	Values      []UnitValue  // node order, then unit order
	Top         []string     // the TopN best units on the root
	Candidates  []string     // the CandidateN units after Top
	Sensitivity *Sensitivity // nil when Options.MonteCarloDraws == 0
	Sobol       *SobolResult // nil when Options.SobolSamples == 0
}

// Ranking returns the units' values on node ordered by rank (ties in unit order, unranked
// units last), or nil if the node was not kept.
func (r *Result) Ranking(node string) []UnitValue {
	var out []UnitValue
	for _, v := range r.Values {
		if v.Node == node {
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		ra, rb := out[a].Rank, out[b].Rank
		if ra == 0 || rb == 0 {
			return rb == 0 && ra != 0
		}
		return ra < rb
	})
	return out
}

// Value returns the value of unit on node and whether it exists.
func (r *Result) Value(unit, node string) (UnitValue, bool) {
	for _, v := range r.Values {
		if v.Node == node && v.Unit == unit {
			return v, true
		}
	}
	return UnitValue{}, false
}

// Node returns the weights of node id and whether it was kept.
func (r *Result) Node(id string) (NodeWeight, bool) {
	for _, n := range r.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return NodeWeight{}, false
}

// Treatment returns the treatment log of indicator id, or nil.
func (r *Result) Treatment(id string) *Treatment {
	for i := range r.Treatments {
		if r.Treatments[i].Indicator == id {
			return &r.Treatments[i]
		}
	}
	return nil
}

// ErrNoIndicators reports that no framework indicator is present (and varying) in the input.
var ErrNoIndicators = errors.New("scoring: no framework indicator present in the input")

// MissingValueError lists the units lacking a value for an indicator whose rule is "error".
type MissingValueError struct {
	Indicator string
	Units     []string
}

func (e *MissingValueError) Error() string {
	return fmt.Sprintf("indicator %s: missing for %s (declare a missing rule: %s)", e.Indicator, strings.Join(e.Units, ", "), strings.Join(missings[1:], ", "))
}

func (e *MissingValueError) Unwrap() error { return ErrMissingValue }

// mnode is a kept node of the pruned model.
type mnode struct {
	n        *Node
	parent   int       // index into model.nodes; -1 for the root
	children []int     // indices into model.nodes
	childPos []int     // positions of the kept children in n.Children (AHP sub-matrix rows)
	input    []float64 // indicators: the column after denomination, before imputation (kept units)
	raw      []float64 // indicators: after imputation and treatment
	imputed  []string  // per unit: the rule that supplied the value, "" if observed
	treated  []string  // per unit: the treatment mark
	fixed    float64   // constant-column score when isFixed
	isFixed  bool
	matrix   *mat.Dense // AHP sub-matrix among kept children
}

// model is a framework pruned to the input, with prepared indicator columns.
type model struct {
	fw    *Framework
	units []string
	attrs map[string][]string // attribute → value per kept unit
	nodes []*mnode
	res   *Result // the report fields filled while preparing
}

// Score computes the index for every unit of t under fw.
//
// Steps: (1) prune — framework indicators without a column are dropped (Result.Missing), groups
// left empty are dropped, and sibling weights are renormalised (AHP uses the sub-matrix of the
// present children; fixed weights are rescaled; equal and PCA weights are computed over what is
// present) — missing is never treated as zero; (2) divide indicators by their declared
// denominators; (3) screen units (and indicators) by data availability, apply each indicator's
// missing-value rule (the screen before or after, as configured), the outlier treatment or
// transform and the constant-column rule; (4) normalise each indicator (its framework method, or
// Options.Normalisation), inverting cost indicators; (5) weight every group bottom-up (PCA sees
// its children's scores) and aggregate over each unit's available children; (6) rank every node
// (competition ranking "1224" on scores rounded to 1e-9; ties listed in input order); (7)
// optionally run the Monte Carlo and Sobol' analyses.
//
// Score is deterministic: the same inputs and seed give identical results.
func Score(fw *Framework, t Table, opts Options) (*Result, error) {
	if err := opts.check(); err != nil {
		return nil, fmt.Errorf("checking options: %w", err)
	}
	m, err := prepare(fw, t)
	if err != nil {
		return nil, err
	}
	m.res.Options = opts
	scores, err := m.leafScores(opts.Normalisation, true)
	if err != nil {
		return nil, err
	}
	ev, err := m.evaluate(scores, opts.Aggregation, nil)
	if err != nil {
		return nil, err
	}
	m.fill(ev)
	if opts.MonteCarloDraws > 0 {
		s, err := m.sensitivity(opts, ev)
		if err != nil {
			return nil, fmt.Errorf("running sensitivity analysis: %w", err)
		}
		m.res.Sensitivity = s
	}
	if opts.SobolSamples > 0 {
		s, err := m.sobol(opts)
		if err != nil {
			return nil, fmt.Errorf("running Sobol' analysis: %w", err)
		}
		m.res.Sobol = s
	}
	return m.res, nil
}

// prepare prunes fw to the columns of t and prepares each indicator's raw column.
func prepare(fw *Framework, t Table) (*model, error) {
	if fw == nil || fw.Root == nil {
		return nil, errors.New("scoring: nil framework")
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	col := map[string]int{}
	for j, id := range t.Indicators {
		col[id] = j
	}
	res := &Result{Root: fw.Root.ID, Placeholders: fw.Placeholders()}
	leaves := fw.Leaves()
	declared := map[string]bool{}
	for _, c := range fw.Denominators {
		declared[c.ID] = true
	}
	var present []*Node
	for _, l := range leaves {
		declared[l.ID] = true
		if _, ok := col[l.ID]; ok {
			present = append(present, l)
		} else {
			res.Missing = append(res.Missing, l.ID)
		}
	}
	for _, id := range t.Indicators {
		if !declared[id] {
			res.Unused = append(res.Unused, id)
		}
	}
	if len(present) == 0 {
		return nil, fmt.Errorf("%w (want columns such as %s)", ErrNoIndicators, leaves[0].ID)
	}
	var errs []error
	for _, a := range fw.Attributes {
		if t.Attribute(a.ID) == nil && usesAttribute(present, a.ID) {
			errs = append(errs, fmt.Errorf("checking table: attribute column %s is missing (the framework groups imputation by it)", a.ID))
		}
	}
	// Denominate, over all units (COINr's Denominate runs first).
	inputs := map[string][]float64{}
	for _, l := range present {
		x := t.Column(l.ID)
		if l.Denominator != "" {
			d := t.Column(l.Denominator)
			if d == nil {
				errs = append(errs, fmt.Errorf("indicator %s: denominator column %s is missing from the input", l.ID, l.Denominator))
				continue
			}
			for u := range x {
				dv := d[u] / l.DenominatorScale
				switch {
				case math.IsNaN(dv) || math.IsNaN(x[u]):
					x[u] = math.NaN() // a missing denominator makes the value missing: its rule applies
				case dv == 0:
					errs = append(errs, fmt.Errorf("indicator %s: denominator %s is 0 for %s", l.ID, l.Denominator, t.Units[u]))
				default:
					x[u] /= dv
				}
			}
		}
		inputs[l.ID] = x
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Drop-unit rule first: it changes the sample every other rule sees.
	keep := make([]bool, len(t.Units))
	for u := range keep {
		keep[u] = true
		for _, l := range present {
			if l.Missing == MissingDropUnit && math.IsNaN(inputs[l.ID][u]) {
				keep[u] = false
			}
		}
	}
	for u, k := range keep {
		if !k {
			res.Dropped = append(res.Dropped, t.Units[u])
		}
	}
	m := &model{fw: fw, res: res}
	scr := fw.Screen
	if !scr.AfterImputation {
		present = m.screen(t, present, inputs, keep)
	}
	rows := keptRows(keep)
	if len(rows) == 0 {
		return nil, errors.New("scoring: no units to score (every unit dropped or screened, or the table is empty)")
	}
	m.subset(t, rows)
	prepared := map[string]*mnode{}
	for _, l := range present {
		x := make([]float64, len(rows))
		for i, u := range rows {
			x[i] = inputs[l.ID][u]
		}
		mn := &mnode{n: l, input: x}
		if err := m.impute(mn, true); err != nil {
			errs = append(errs, err)
			continue
		}
		prepared[l.ID] = mn
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if scr.AfterImputation && scr.MinAvailability > 0 {
		// Availability of the imputed values: screen, then restrict the columns to the kept units.
		imputed := map[string][]float64{}
		sub := make([]bool, len(rows))
		for i := range sub {
			sub[i] = true
		}
		for _, l := range present {
			imputed[l.ID] = prepared[l.ID].raw
		}
		present = m.screen(Table{Units: m.units}, present, imputed, sub)
		kept := map[string]bool{}
		for _, l := range present {
			kept[l.ID] = true
		}
		for id := range prepared {
			if !kept[id] {
				delete(prepared, id)
			}
		}
		keepIdx := keptRows(sub)
		if len(keepIdx) == 0 {
			return nil, errors.New("scoring: no units to score (every unit screened)")
		}
		newRows := make([]int, len(keepIdx))
		for i, k := range keepIdx {
			newRows[i] = rows[k]
		}
		rows = newRows
		m.subset(t, rows)
		for _, mn := range prepared {
			mn.input, mn.raw, mn.imputed = pick(mn.input, keepIdx), pick(mn.raw, keepIdx), pickS(mn.imputed, keepIdx)
		}
	}
	res.Units = m.units
	for _, mn := range prepared {
		for i, r := range mn.imputed {
			if r != "" && r != MissingReweight {
				im := Imputation{Unit: m.units[i], Indicator: mn.n.ID, Rule: r, Value: mn.raw[i]}
				if g := m.attrs[mn.n.MissingGroup]; g != nil && (r == MissingGroupMean || r == MissingGroupMedian) {
					im.Group = g[i]
				}
				res.Imputed = append(res.Imputed, im)
			}
		}
	}
	sort.SliceStable(res.Imputed, func(a, b int) bool {
		return leafOrder(fw, res.Imputed[a].Indicator) < leafOrder(fw, res.Imputed[b].Indicator)
	})
	for _, l := range present {
		mn := prepared[l.ID]
		keepIt, err := m.treat(mn, true)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !keepIt {
			delete(prepared, l.ID)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if m.build(fw.Root, -1, prepared) < 0 {
		return nil, fmt.Errorf("%w: every present indicator is constant or screened (%s)", ErrNoIndicators, strings.Join(append(res.Constant, res.ScreenedIndicators...), ", "))
	}
	for _, mn := range m.nodes {
		if mn.n.Method == MethodAHP && len(mn.children) > 0 {
			mn.matrix = SubMatrix(mn.n.Matrix, mn.childPos)
		}
	}
	return m, nil
}

func usesAttribute(ls []*Node, a string) bool {
	for _, l := range ls {
		if l.MissingGroup == a && (l.Missing == MissingGroupMean || l.Missing == MissingGroupMedian) {
			return true
		}
	}
	return false
}

func leafOrder(fw *Framework, id string) int {
	for i, l := range fw.Leaves() {
		if l.ID == id {
			return i
		}
	}
	return -1
}

func keptRows(keep []bool) []int {
	var rows []int
	for u, k := range keep {
		if k {
			rows = append(rows, u)
		}
	}
	return rows
}

func pick(x []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, k := range idx {
		out[i] = x[k]
	}
	return out
}

func pickS(x []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = x[k]
	}
	return out
}

// subset sets the model's units and attributes to the table rows.
func (m *model) subset(t Table, rows []int) {
	m.units = make([]string, len(rows))
	for i, u := range rows {
		m.units[i] = t.Units[u]
	}
	m.attrs = map[string][]string{}
	for _, a := range t.Attributes {
		v := make([]string, len(rows))
		for i, u := range rows {
			v[i] = a.Values[u]
		}
		m.attrs[a.Name] = v
	}
}

// screen applies the data-availability screen to the units marked in keep (columns holds each
// present indicator's values over t's units) and returns the indicators kept. It records the
// availability of every unit considered.
func (m *model) screen(t Table, present []*Node, columns map[string][]float64, keep []bool) []*Node {
	scr := m.fw.Screen
	avail := make([]Availability, 0, len(t.Units))
	for u, name := range t.Units {
		if !keep[u] {
			continue
		}
		a := Availability{Unit: name, Total: len(present)}
		for _, l := range present {
			if !math.IsNaN(columns[l.ID][u]) {
				a.Available++
			}
		}
		a.Share = float64(a.Available) / float64(a.Total)
		if scr.MinAvailability > 0 && scr.Units && a.Share < scr.MinAvailability {
			a.Screened = true
			keep[u] = false
			m.res.ScreenedUnits = append(m.res.ScreenedUnits, name)
		}
		avail = append(avail, a)
	}
	m.res.Availability = avail
	if scr.MinAvailability == 0 || !scr.Indicators {
		return present
	}
	var out []*Node
	for _, l := range present {
		n, k := 0, 0
		for u := range t.Units {
			if keep[u] {
				n++
				if !math.IsNaN(columns[l.ID][u]) {
					k++
				}
			}
		}
		if n > 0 && float64(k)/float64(n) < scr.MinAvailability {
			m.res.ScreenedIndicators = append(m.res.ScreenedIndicators, l.ID)
			continue
		}
		out = append(out, l)
	}
	return out
}

// impute fills mn.raw and mn.imputed from mn.input by the indicator's missing-value rule.
func (m *model) impute(mn *mnode, strict bool) error {
	l := mn.n
	return m.imputeRule(mn, l.Missing, strict)
}

func (m *model) imputeRule(mn *mnode, rule string, strict bool) error {
	l, x := mn.n, mn.input
	mn.raw = append([]float64(nil), x...)
	mn.imputed = make([]string, len(x))
	var obs []float64
	var missingUnits []string
	for i, v := range x {
		if math.IsNaN(v) {
			missingUnits = append(missingUnits, m.units[i])
		} else {
			obs = append(obs, v)
		}
	}
	if len(missingUnits) == 0 {
		return nil
	}
	if rule == MissingError || (len(obs) == 0 && rule != MissingReweight) {
		if !strict {
			rule = MissingReweight
		} else {
			return &MissingValueError{Indicator: l.ID, Units: missingUnits}
		}
	}
	fill := math.NaN()
	switch rule {
	case MissingZero:
		fill = 0
	case MissingMin:
		fill, _ = minMax(obs)
	case MissingMean:
		fill = meanOf(obs)
	case MissingMedian:
		fill = median(obs)
	case MissingWorst:
		lo, hi := minMax(obs)
		fill = lo
		if l.Direction == Cost {
			fill = hi
		}
	case MissingGroupMean, MissingGroupMedian:
		groups := m.attrs[l.MissingGroup]
		byGroup := map[string][]float64{}
		for i, v := range x {
			if !math.IsNaN(v) && groups[i] != "" {
				byGroup[groups[i]] = append(byGroup[groups[i]], v)
			}
		}
		for i, v := range x {
			if !math.IsNaN(v) {
				continue
			}
			obs := byGroup[groups[i]]
			if len(obs) == 0 {
				mn.imputed[i] = MissingReweight // no observed value in the group: left missing
				continue
			}
			if rule == MissingGroupMean {
				mn.raw[i] = meanOf(obs)
			} else {
				mn.raw[i] = median(obs)
			}
			mn.imputed[i] = rule
		}
		return nil
	}
	for i, v := range x {
		if math.IsNaN(v) {
			mn.raw[i] = fill
			mn.imputed[i] = rule
		}
	}
	return nil
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// treat applies the transform or outlier treatment and the constant rule to mn.raw. It returns
// false (and no error) for an indicator pruned as constant. record adds the treatment log and
// the constant list to the result.
func (m *model) treat(mn *mnode, record bool) (bool, error) {
	l, x := mn.n, mn.raw
	mn.treated = make([]string, len(x))
	switch l.Transform {
	case TransformLog, TransformLog1p:
		for i, v := range x {
			if math.IsNaN(v) {
				continue
			}
			if l.Transform == TransformLog1p {
				v++
			}
			if !(v > 0) {
				return false, fmt.Errorf("indicator %s: transforming %s for %s: value %v out of domain", l.ID, l.Transform, m.units[i], x[i])
			}
			x[i] = math.Log(v)
		}
	case TransformWinsorise:
		out, marks, tr := Treat(x, l.Treat)
		tr.Indicator = l.ID
		for i, mk := range marks {
			if mk != "" {
				tr.Units = append(tr.Units, m.units[i])
				tr.Points = append(tr.Points, mk)
			}
		}
		if record {
			m.res.Treatments = append(m.res.Treatments, tr)
		}
		mn.raw, mn.treated = out, marks
		x = out
	}
	obs := observed(x)
	if len(obs) < 2 || isConstant(obs) {
		switch l.Constant {
		case ConstantError:
			return false, fmt.Errorf("indicator %s: constant across %d units (declare constant: drop, zero or mid)", l.ID, len(obs))
		case ConstantZero:
			mn.isFixed, mn.fixed = true, 0
		case ConstantMid:
			mn.isFixed, mn.fixed = true, 50
		default:
			if record {
				m.res.Constant = append(m.res.Constant, l.ID)
			}
			return false, nil
		}
	}
	return true, nil
}

// build appends the kept subtree of n in pre-order and returns its index, or -1 if empty.
func (m *model) build(n *Node, parent int, prepared map[string]*mnode) int {
	if n.IsLeaf() {
		mn := prepared[n.ID]
		if mn == nil {
			return -1
		}
		mn.parent = parent
		m.nodes = append(m.nodes, mn)
		return len(m.nodes) - 1
	}
	idx := len(m.nodes)
	mn := &mnode{n: n, parent: parent}
	m.nodes = append(m.nodes, mn)
	for pos, c := range n.Children {
		if ci := m.build(c, idx, prepared); ci >= 0 {
			mn.children = append(mn.children, ci)
			mn.childPos = append(mn.childPos, pos)
		}
	}
	if len(mn.children) == 0 {
		m.nodes = m.nodes[:idx]
		return -1
	}
	return idx
}

// leafScores normalises every kept indicator by its framework method, or by override when set;
// group entries are nil. record adds clamping counts to the result.
func (m *model) leafScores(override string, record bool) ([][]float64, error) {
	out := make([][]float64, len(m.nodes))
	for i, mn := range m.nodes {
		if len(mn.children) > 0 {
			continue
		}
		s, err := m.leafScore(mn, override, record)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func (m *model) leafScore(mn *mnode, override string, record bool) ([]float64, error) {
	if mn.isFixed {
		s := make([]float64, len(m.units))
		for u := range s {
			s[u] = mn.fixed
			if math.IsNaN(mn.raw[u]) {
				s[u] = math.NaN()
			}
		}
		return s, nil
	}
	spec := mn.n.Norm
	if override != "" {
		spec = NormSpec{Method: override}
	}
	ref := -1
	if spec.Method == NormDist2Ref {
		for u, name := range m.units {
			if name == spec.Reference {
				ref = u
			}
		}
		if ref < 0 {
			return nil, fmt.Errorf("indicator %s: reference unit %q is not among the scored units", mn.n.ID, spec.Reference)
		}
	}
	s, clamped, err := Normalise(mn.raw, spec, mn.n.Direction, mn.n.Goalposts, ref)
	if err != nil {
		return nil, fmt.Errorf("indicator %s: %w", mn.n.ID, err)
	}
	if record && clamped > 0 {
		m.res.Clamped = append(m.res.Clamped, Clamped{Indicator: mn.n.ID, Count: clamped})
	}
	return s, nil
}

// evaluation is one computation of weights and scores over the model.
type evaluation struct {
	local    []float64   // per node: weight within its parent
	scores   [][]float64 // per node, per unit
	coverage [][]float64 // per group node, per unit: share of weight available
	ahp      []*AHPResult
	pca      []*PCAResult
}

// weightSource overrides how a group's weights are obtained (Monte Carlo); nil means the
// framework's method.
type weightSource func(i int, childScores [][]float64) ([]float64, bool)

// aggregatorFor returns group i's aggregation, override replacing the method when set.
func (m *model) aggregatorFor(i int, override string) aggregator {
	n := m.nodes[i].n
	a := aggregator{method: n.Aggregation, power: n.Power, minCoverage: n.MinCoverage}
	if override != "" {
		a.method = override
	}
	if a.method == "" {
		a.method = AggArithmetic
	}
	return a
}

// evaluate computes local weights and scores bottom-up. leaf holds the standardised scores of the
// indicators (nil for groups). override, when it returns ok, supplies a group's weights.
func (m *model) evaluate(leaf [][]float64, agg string, override weightSource) (*evaluation, error) {
	n := len(m.nodes)
	ev := &evaluation{local: make([]float64, n), scores: make([][]float64, n), coverage: make([][]float64, n), ahp: make([]*AHPResult, n), pca: make([]*PCAResult, n)}
	ev.local[0] = 1
	for i := n - 1; i >= 0; i-- {
		mn := m.nodes[i]
		if len(mn.children) == 0 {
			ev.scores[i] = leaf[i]
			continue
		}
		cs := make([][]float64, len(mn.children))
		for k, c := range mn.children {
			cs[k] = ev.scores[c]
		}
		var w []float64
		if override != nil {
			if ow, ok := override(i, cs); ok {
				w = ow
			}
		}
		if w == nil {
			var err error
			w, err = m.weights(i, cs, ev)
			if err != nil {
				return nil, err
			}
		}
		for k, c := range mn.children {
			ev.local[c] = w[k]
		}
		ev.scores[i], ev.coverage[i] = m.aggregatorFor(i, agg).aggregate(cs, w)
	}
	return ev, nil
}

// weights computes group i's local weights by its framework method over the kept children.
func (m *model) weights(i int, cs [][]float64, ev *evaluation) ([]float64, error) {
	mn := m.nodes[i]
	k := len(mn.children)
	switch mn.n.Method {
	case MethodAHP:
		res, err := AHP(mn.matrix, m.fw.RandomIndex)
		if err != nil {
			var ie *InconsistencyError
			if errors.As(err, &ie) {
				labelInconsistency(ie, mn.n.ID, m.childIDs(i))
			}
			return nil, fmt.Errorf("weighting %s among %d present children: %w", mn.n.ID, k, err)
		}
		ev.ahp[i] = &res
		return res.Weights, nil
	case MethodPCA:
		// PCA needs complete rows: units missing a child are left out of the decomposition only.
		var rows []int
		for u := range m.units {
			ok := true
			for _, s := range cs {
				if math.IsNaN(s[u]) {
					ok = false
				}
			}
			if ok {
				rows = append(rows, u)
			}
		}
		if len(rows) < 2 {
			return nil, fmt.Errorf("weighting %s by PCA: fewer than 2 units have every child", mn.n.ID)
		}
		x := mat.NewDense(len(rows), k, nil)
		for c, s := range cs {
			for r, u := range rows {
				x.Set(r, c, s[u])
			}
		}
		res, err := PCAWeightsWith(x, m.childIDs(i), mn.n.PCA)
		if err != nil {
			return nil, fmt.Errorf("weighting %s by PCA: %w", mn.n.ID, err)
		}
		if len(rows) < len(m.units) {
			res.Note = strings.TrimPrefix(res.Note+fmt.Sprintf("; decomposed over the %d of %d units with every child", len(rows), len(m.units)), "; ")
		}
		ev.pca[i] = &res
		return res.Weights, nil
	case MethodFixed:
		w := make([]float64, k)
		sum := 0.0
		for c, pos := range mn.childPos {
			w[c] = mn.n.Fixed[pos]
			sum += w[c]
		}
		if !(sum > 0) {
			return nil, fmt.Errorf("weighting %s: fixed weights of the present children sum to 0", mn.n.ID)
		}
		for c := range w {
			w[c] /= sum
		}
		return w, nil
	default:
		return equalWeights(k), nil
	}
}

func equalWeights(k int) []float64 {
	w := make([]float64, k)
	for c := range w {
		w[c] = 1 / float64(k)
	}
	return w
}

func (m *model) childIDs(i int) []string {
	ids := make([]string, len(m.nodes[i].children))
	for k, c := range m.nodes[i].children {
		ids[k] = m.nodes[c].n.ID
	}
	return ids
}

// competitionRanks ranks scores descending, "1224" style, on scores rounded to rankRounding;
// NaN scores get rank 0 and do not count.
func competitionRanks(scores []float64, out []int) []int {
	if out == nil {
		out = make([]int, len(scores))
	}
	for u, s := range scores {
		if math.IsNaN(s) {
			out[u] = 0
			continue
		}
		r := 1
		su := math.Round(s / rankRounding)
		for _, t := range scores {
			if math.Round(t/rankRounding) > su {
				r++
			}
		}
		out[u] = r
	}
	return out
}

// fill writes the evaluation into the result.
func (m *model) fill(ev *evaluation) {
	res := m.res
	eff := make([]float64, len(m.nodes))
	placeholder := make([]bool, len(m.nodes))
	for i, mn := range m.nodes {
		if mn.parent < 0 {
			eff[i] = 1
		} else {
			eff[i] = eff[mn.parent] * ev.local[i]
			p := m.nodes[mn.parent].n
			placeholder[i] = placeholder[mn.parent] || (p.Judgements != nil && p.Judgements.Provenance == ProvenancePlaceholder)
		}
		nw := NodeWeight{ID: mn.n.ID, Level: mn.n.Level, Name: mn.n.Name, NameEN: mn.n.NameEN, Local: ev.local[i], Effective: eff[i], Placeholder: placeholder[i]}
		if mn.parent >= 0 {
			nw.Parent = m.nodes[mn.parent].n.ID
		}
		if len(mn.children) == 0 {
			nw.Direction, nw.Transform, nw.Unit, nw.Denominator = mn.n.Direction, mn.n.Transform, mn.n.Unit, mn.n.Denominator
			nw.Normalised = mn.n.Norm.Method
			if res.Options.Normalisation != "" {
				nw.Normalised = res.Options.Normalisation
			}
		} else {
			nw.Method = mn.n.Method
			nw.Children = m.childIDs(i)
			nw.Aggregation = m.aggregatorFor(i, res.Options.Aggregation).method
		}
		if a := ev.ahp[i]; a != nil {
			nw.Matrix = denseRows(mn.matrix)
			nw.LambdaMax, nw.CI, nw.CR = a.LambdaMax, a.CI, a.CR
			if j := mn.n.Judgements; j != nil {
				nw.Provenance = j.Provenance
				if j.Provenance != "" {
					nw.Judgements = j
				}
			}
		}
		if p := ev.pca[i]; p != nil {
			nw.Eigenvalues, nw.Explained, nw.Loadings = p.Eigenvalues, p.Explained, p.Loadings
			nw.Kept, nw.Rotated, nw.FactorVariance, nw.Note = p.Kept, p.Rotated, p.FactorVariance, p.Note
			nw.Retain, nw.Rotation, nw.Basis = p.Retain, p.Rotation, p.Basis
		}
		res.Nodes = append(res.Nodes, nw)
		ranks := competitionRanks(ev.scores[i], nil)
		for u, unit := range m.units {
			v := UnitValue{Unit: unit, Node: mn.n.ID, Level: mn.n.Level, Raw: math.NaN(), Score: ev.scores[i][u], Rank: ranks[u], Coverage: 1}
			if len(mn.children) == 0 {
				v.Raw, v.Imputed, v.Treated = mn.raw[u], mn.imputed[u], mn.treated[u]
				if math.IsNaN(v.Raw) {
					v.Coverage = 0
				}
			} else {
				v.Coverage = ev.coverage[i][u]
			}
			res.Values = append(res.Values, v)
		}
	}
	for k, v := range res.Ranking(res.Root) {
		if v.Rank == 0 {
			break
		}
		switch {
		case k < TopN:
			res.Top = append(res.Top, v.Unit)
		case k < TopN+CandidateN:
			res.Candidates = append(res.Candidates, v.Unit)
		}
	}
}
