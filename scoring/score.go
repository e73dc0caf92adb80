package scoring

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Aggregation methods: how a group's score is computed from its children's scores and weights.
const (
	// AggArithmetic, the default and the report's method: Σ w_c·S_c.
	AggArithmetic = "arithmetic"
	// AggGeometric is Π S_c^w_c. Any child scoring 0 (every min-max worst unit) makes the group 0:
	// the geometric mean does not let a strength compensate a total absence.
	AggGeometric = "geometric"
)

// Ranking constants: the report publishes the top 20 and names the next three as candidates.
const (
	TopN       = 20
	CandidateN = 3
	// rankRounding: scores are rounded to this before ranking, so that sums differing only by
	// floating-point noise tie.
	rankRounding = 1e-9
)

// Options select the modelling choices of Score. The zero value is the report's method.
type Options struct {
	Normalisation   string // NormMinMax (default), NormZScore, NormRank or NormGoalposts
	Aggregation     string // AggArithmetic (default) or AggGeometric
	MonteCarloDraws int    // 0 = no uncertainty analysis; see Sensitivity
	Seed            int64  // seed of the Monte Carlo draws
}

func (o Options) withDefaults() (Options, error) {
	if o.Normalisation == "" {
		o.Normalisation = NormMinMax
	}
	if o.Aggregation == "" {
		o.Aggregation = AggArithmetic
	}
	var errs []error
	if !contains(normalisations, o.Normalisation) {
		errs = append(errs, fmt.Errorf("normalisation %q: want one of %s", o.Normalisation, strings.Join(normalisations, ", ")))
	}
	if o.Aggregation != AggArithmetic && o.Aggregation != AggGeometric {
		errs = append(errs, fmt.Errorf("aggregation %q: want %s or %s", o.Aggregation, AggArithmetic, AggGeometric))
	}
	if o.MonteCarloDraws < 0 {
		errs = append(errs, fmt.Errorf("monte carlo draws: must be ≥ 0, got %d", o.MonteCarloDraws))
	}
	return o, errors.Join(errs...)
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

	Children  []string `json:"children,omitempty"`
	Direction string   `json:"direction,omitempty"` // indicators only
	Transform string   `json:"transform,omitempty"` // indicators only

	// AHP diagnostics (Method ahp): the matrix among the present children and its eigen-analysis.
	Matrix    [][]float64 `json:"matrix,omitempty"`
	LambdaMax float64     `json:"lambda_max,omitempty"`
	CI        float64     `json:"ci,omitempty"`
	CR        float64     `json:"cr,omitempty"`

	// PCA diagnostics (Method pca), as in PCAResult.
	Eigenvalues    []float64   `json:"eigenvalues,omitempty"`
	Explained      []float64   `json:"explained,omitempty"`
	Loadings       [][]float64 `json:"loadings,omitempty"` // child × kept factor, rotated when Rotated
	Kept           int         `json:"kept,omitempty"`
	Rotated        bool        `json:"rotated,omitempty"`
	FactorVariance []float64   `json:"factor_variance,omitempty"`
	Note           string      `json:"note,omitempty"`
}

// UnitValue is one unit's value on one node.
type UnitValue struct {
	Unit  string
	Node  string
	Level int
	Raw   float64 // indicators: value after imputation and transform; NaN for groups
	Score float64 // indicators: standardised score; groups: aggregate; always in [0, 100]
	Rank  int     // competition rank among units on this node ("1224"), 1 = best
}

// Imputation records one missing value replaced by its indicator's missing-value rule.
type Imputation struct {
	Unit      string
	Indicator string
	Rule      string
	Value     float64 // the raw value used
}

// Result is the outcome of Score.
type Result struct {
	Root    string
	Units   []string // scored units, input order (after drop-unit)
	Missing []string // framework indicators with no column in the input, framework order
	// Unused lists input columns that are not framework indicators (ignored), input order.
	Unused []string
	// Constant lists present indicators pruned because they do not vary (rule drop).
	Constant []string
	// Dropped lists units removed by a drop-unit missing-value rule, input order.
	Dropped    []string
	Imputed    []Imputation
	Winsorised []Winsorised
	Options    Options // as applied, defaults filled in

	Nodes       []NodeWeight // every kept node, framework order
	Values      []UnitValue  // node order, then unit order
	Top         []string     // the TopN best units on the root
	Candidates  []string     // the CandidateN units after Top
	Sensitivity *Sensitivity // nil when Options.MonteCarloDraws == 0
}

// Ranking returns the units' values on node ordered by rank (ties in unit order), or nil if the
// node was not kept.
func (r *Result) Ranking(node string) []UnitValue {
	var out []UnitValue
	for _, v := range r.Values {
		if v.Node == node {
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Rank < out[b].Rank })
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
	parent   int   // index into model.nodes; -1 for the root
	children []int // indices into model.nodes
	childPos []int // positions of the kept children in n.Children (AHP sub-matrix rows)
	raw      []float64
	fixed    float64 // constant-column score when isFixed
	isFixed  bool
	matrix   *mat.Dense // AHP sub-matrix among kept children
}

// model is a framework pruned to the input, with prepared indicator columns.
type model struct {
	fw    *Framework
	units []string
	nodes []*mnode
	res   *Result // the report fields filled while preparing
}

// Score computes the index for every unit of t under fw.
//
// Steps: (1) prune — framework indicators without a column are dropped (Result.Missing), groups
// left empty are dropped, and sibling weights are renormalised (AHP uses the sub-matrix of the
// present children; fixed weights are rescaled; equal and PCA weights are computed over what is
// present) — missing is never treated as zero; (2) apply each indicator's missing-value rule,
// transform and constant-column rule; (3) standardise to [0, 100] (Options.Normalisation,
// inverting cost indicators); (4) weight every group bottom-up (PCA sees its children's scores)
// and aggregate (Options.Aggregation); (5) rank every node (competition ranking "1224" on scores
// rounded to 1e-9; ties listed in input order); (6) optionally run the Monte Carlo analysis.
//
// Score is deterministic: the same inputs and seed give identical results.
func Score(fw *Framework, t Table, opts Options) (*Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("checking options: %w", err)
	}
	m, err := prepare(fw, t)
	if err != nil {
		return nil, err
	}
	m.res.Options = opts
	scores, err := m.leafScores(opts.Normalisation)
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
	return m.res, nil
}

// prepare prunes fw to the columns of t and prepares each indicator's raw column.
func prepare(fw *Framework, t Table) (*model, error) {
	if fw == nil || fw.Root == nil {
		return nil, errors.New("scoring: nil framework")
	}
	if len(t.Values) != len(t.Units) {
		return nil, fmt.Errorf("checking table: %d units but %d rows", len(t.Units), len(t.Values))
	}
	col := map[string]int{}
	for j, id := range t.Indicators {
		if _, dup := col[id]; dup {
			return nil, fmt.Errorf("checking table: duplicate indicator %q", id)
		}
		col[id] = j
	}
	seen := map[string]bool{}
	for u, name := range t.Units {
		if seen[name] {
			return nil, fmt.Errorf("checking table: duplicate unit %q", name)
		}
		seen[name] = true
		if len(t.Values[u]) != len(t.Indicators) {
			return nil, fmt.Errorf("checking table: unit %s has %d values, want %d", name, len(t.Values[u]), len(t.Indicators))
		}
	}
	res := &Result{Root: fw.Root.ID}
	leaves := fw.Leaves()
	inFw := map[string]bool{}
	var present []*Node
	for _, l := range leaves {
		inFw[l.ID] = true
		if _, ok := col[l.ID]; ok {
			present = append(present, l)
		} else {
			res.Missing = append(res.Missing, l.ID)
		}
	}
	for _, id := range t.Indicators {
		if !inFw[id] {
			res.Unused = append(res.Unused, id)
		}
	}
	if len(present) == 0 {
		return nil, fmt.Errorf("%w (want columns such as %s)", ErrNoIndicators, leaves[0].ID)
	}
	// Drop-unit rule first: it changes the sample every other rule sees.
	keep := make([]bool, len(t.Units))
	for u := range keep {
		keep[u] = true
		for _, l := range present {
			if l.Missing == MissingDropUnit && math.IsNaN(t.Values[u][col[l.ID]]) {
				keep[u] = false
			}
		}
	}
	var units []string
	var rows []int
	for u, k := range keep {
		if k {
			units = append(units, t.Units[u])
			rows = append(rows, u)
		} else {
			res.Dropped = append(res.Dropped, t.Units[u])
		}
	}
	if len(units) == 0 {
		return nil, errors.New("scoring: no units to score (every unit dropped or the table is empty)")
	}
	res.Units = units
	m := &model{fw: fw, units: units, res: res}
	prepared := map[string]*mnode{}
	var errs []error
	for _, l := range present {
		x := make([]float64, len(rows))
		for i, u := range rows {
			x[i] = t.Values[u][col[l.ID]]
		}
		mn, err := m.prepareLeaf(l, x)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if mn != nil {
			prepared[l.ID] = mn
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if m.build(fw.Root, -1, prepared) < 0 {
		return nil, fmt.Errorf("%w: every present indicator is constant (%s)", ErrNoIndicators, strings.Join(res.Constant, ", "))
	}
	for _, mn := range m.nodes {
		if mn.n.Method == MethodAHP && len(mn.children) > 0 {
			mn.matrix = SubMatrix(mn.n.Matrix, mn.childPos)
		}
	}
	return m, nil
}

// prepareLeaf applies the missing-value rule, the transform and the constant rule to x. It
// returns nil (and no error) for an indicator pruned as constant.
func (m *model) prepareLeaf(l *Node, x []float64) (*mnode, error) {
	var obs []float64
	var missingUnits []string
	for i, v := range x {
		if math.IsNaN(v) {
			missingUnits = append(missingUnits, m.units[i])
		} else {
			obs = append(obs, v)
		}
	}
	if len(missingUnits) > 0 {
		if l.Missing == MissingError || len(obs) == 0 {
			return nil, &MissingValueError{Indicator: l.ID, Units: missingUnits}
		}
		var fill float64
		switch l.Missing {
		case MissingZero:
			fill = 0
		case MissingMin:
			fill, _ = minMax(obs)
		case MissingMean:
			for _, v := range obs {
				fill += v
			}
			fill /= float64(len(obs))
		case MissingWorst:
			lo, hi := minMax(obs)
			fill = lo
			if l.Direction == Cost {
				fill = hi
			}
		}
		for i, v := range x {
			if math.IsNaN(v) {
				x[i] = fill
				m.res.Imputed = append(m.res.Imputed, Imputation{Unit: m.units[i], Indicator: l.ID, Rule: l.Missing, Value: fill})
			}
		}
	}
	switch l.Transform {
	case TransformLog, TransformLog1p:
		for i, v := range x {
			if l.Transform == TransformLog1p {
				v++
			}
			if !(v > 0) {
				return nil, fmt.Errorf("indicator %s: transforming %s for %s: value %v out of domain", l.ID, l.Transform, m.units[i], x[i])
			}
			x[i] = math.Log(v)
		}
	case TransformWinsorise:
		if len(x) >= 4 && !isConstant(x) {
			out, idx, skew, kurt := Winsorise(x)
			if len(idx) > 0 {
				w := Winsorised{Indicator: l.ID, Points: len(idx), High: skew > 0, Skew: skew, Kurtosis: kurt}
				for _, i := range idx {
					w.Units = append(w.Units, m.units[i])
					w.Values = append(w.Values, x[i])
				}
				m.res.Winsorised = append(m.res.Winsorised, w)
			}
			x = out
		}
	}
	mn := &mnode{n: l, raw: x}
	if len(x) < 2 || isConstant(x) {
		switch l.Constant {
		case ConstantError:
			return nil, fmt.Errorf("indicator %s: constant across %d units (declare constant: drop, zero or mid)", l.ID, len(x))
		case ConstantZero:
			mn.isFixed, mn.fixed = true, 0
		case ConstantMid:
			mn.isFixed, mn.fixed = true, 50
		default:
			m.res.Constant = append(m.res.Constant, l.ID)
			return nil, nil
		}
	}
	return mn, nil
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

// leafScores standardises every kept indicator by method; group entries are nil.
func (m *model) leafScores(method string) ([][]float64, error) {
	out := make([][]float64, len(m.nodes))
	for i, mn := range m.nodes {
		if len(mn.children) > 0 {
			continue
		}
		if mn.isFixed {
			s := make([]float64, len(m.units))
			for u := range s {
				s[u] = mn.fixed
			}
			out[i] = s
			continue
		}
		s, err := Standardise(mn.raw, method, mn.n.Direction, mn.n.Goalposts)
		if err != nil {
			return nil, fmt.Errorf("indicator %s: %w", mn.n.ID, err)
		}
		out[i] = s
	}
	return out, nil
}

// evaluation is one computation of weights and scores over the model.
type evaluation struct {
	local  []float64   // per node: weight within its parent
	scores [][]float64 // per node, per unit
	ahp    []*AHPResult
	pca    []*PCAResult
}

// weightSource overrides how a group's weights are obtained (Monte Carlo); nil means the
// framework's method.
type weightSource func(i int, childScores [][]float64) ([]float64, bool)

// evaluate computes local weights and scores bottom-up. leaf holds the standardised scores of the
// indicators (nil for groups). override, when it returns ok, supplies a group's weights.
func (m *model) evaluate(leaf [][]float64, agg string, override weightSource) (*evaluation, error) {
	n := len(m.nodes)
	ev := &evaluation{local: make([]float64, n), scores: make([][]float64, n), ahp: make([]*AHPResult, n), pca: make([]*PCAResult, n)}
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
		ev.scores[i] = aggregate(cs, w, agg)
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
		x := mat.NewDense(len(m.units), k, nil)
		for c, s := range cs {
			x.SetCol(c, s)
		}
		res, err := PCAWeights(x, m.childIDs(i))
		if err != nil {
			return nil, fmt.Errorf("weighting %s by PCA: %w", mn.n.ID, err)
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

// aggregate combines child score columns cs with weights w (summing to 1).
func aggregate(cs [][]float64, w []float64, agg string) []float64 {
	out := make([]float64, len(cs[0]))
	for u := range out {
		if agg == AggGeometric {
			s := 0.0
			zero := false
			for k, c := range cs {
				if w[k] == 0 {
					continue
				}
				if c[u] <= 0 {
					zero = true
					break
				}
				s += w[k] * math.Log(c[u])
			}
			if !zero {
				out[u] = clamp(math.Exp(s), 0, 100)
			}
			continue
		}
		s := 0.0
		for k, c := range cs {
			s += w[k] * c[u]
		}
		out[u] = clamp(s, 0, 100) // clamp only rounding noise: weights sum to 1
	}
	return out
}

// competitionRanks ranks scores descending, "1224" style, on scores rounded to rankRounding.
func competitionRanks(scores []float64, out []int) []int {
	if out == nil {
		out = make([]int, len(scores))
	}
	for u, s := range scores {
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
	for i, mn := range m.nodes {
		if mn.parent < 0 {
			eff[i] = 1
		} else {
			eff[i] = eff[mn.parent] * ev.local[i]
		}
		nw := NodeWeight{ID: mn.n.ID, Level: mn.n.Level, Name: mn.n.Name, NameEN: mn.n.NameEN, Local: ev.local[i], Effective: eff[i]}
		if mn.parent >= 0 {
			nw.Parent = m.nodes[mn.parent].n.ID
		}
		if len(mn.children) == 0 {
			nw.Direction, nw.Transform = mn.n.Direction, mn.n.Transform
		} else {
			nw.Method = mn.n.Method
			nw.Children = m.childIDs(i)
		}
		if a := ev.ahp[i]; a != nil {
			nw.Matrix = denseRows(mn.matrix)
			nw.LambdaMax, nw.CI, nw.CR = a.LambdaMax, a.CI, a.CR
		}
		if p := ev.pca[i]; p != nil {
			nw.Eigenvalues, nw.Explained, nw.Loadings = p.Eigenvalues, p.Explained, p.Loadings
			nw.Kept, nw.Rotated, nw.FactorVariance, nw.Note = p.Kept, p.Rotated, p.FactorVariance, p.Note
		}
		res.Nodes = append(res.Nodes, nw)
		ranks := competitionRanks(ev.scores[i], nil)
		for u, unit := range m.units {
			raw := math.NaN()
			if len(mn.children) == 0 {
				raw = mn.raw[u]
			}
			res.Values = append(res.Values, UnitValue{Unit: unit, Node: mn.n.ID, Level: mn.n.Level, Raw: raw, Score: ev.scores[i][u], Rank: ranks[u]})
		}
	}
	for k, v := range res.Ranking(res.Root) {
		switch {
		case k < TopN:
			res.Top = append(res.Top, v.Unit)
		case k < TopN+CandidateN:
			res.Candidates = append(res.Candidates, v.Unit)
		}
	}
}
