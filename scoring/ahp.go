package scoring

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// ConsistencyThreshold is Saaty's acceptance bound: a pairwise-comparison matrix with a
// consistency ratio CR ≥ 0.10 is rejected (Saaty 1980, The Analytic Hierarchy Process, §1.4).
const ConsistencyThreshold = 0.10

// RandomIndex is a random-consistency-index table: RandomIndex[n-1] is the mean consistency index
// of random reciprocal n×n matrices, the denominator of CR = CI/RI. Entries for n = 1 and 2 are 0
// (such matrices are always consistent).
type RandomIndex []float64

// SaatyRI is Saaty's random-index table for n = 1…15 (Saaty 1980 for n ≤ 10, extended by Saaty
// 1990, "How to make a decision: the analytic hierarchy process", EJOR 48, for n = 11…15). It is the
// default table; a framework may declare another (e.g. Alonso & Lamata 2006) under random_index.
var SaatyRI = RandomIndex{0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59}

// At returns the random index for an n×n matrix and whether the table covers n.
func (ri RandomIndex) At(n int) (float64, bool) {
	if n <= 2 {
		return 0, true
	}
	if n > len(ri) {
		return 0, false
	}
	return ri[n-1], true
}

// AHPResult is the outcome of the eigenvector method on one pairwise-comparison matrix.
type AHPResult struct {
	Weights   []float64 `json:"weights"`    // principal right eigenvector, positive, summing to 1
	LambdaMax float64   `json:"lambda_max"` // principal eigenvalue λmax ≥ n
	CI        float64   `json:"ci"`         // consistency index (λmax − n)/(n − 1); 0 when n ≤ 2
	CR        float64   `json:"cr"`         // consistency ratio CI/RI; 0 when n ≤ 2
}

// Deviation is one judgment of a pairwise-comparison matrix set against the judgment the final
// weights imply: Error = |a_ij·w_j/w_i − 1|, 0 for a perfectly consistent judgment.
type Deviation struct {
	I, J     int     // row and column, 0-based, I < J
	Row, Col string  // labels of row and column when known
	Judgment float64 // a_ij as given
	Implied  float64 // w_i/w_j
	Error    float64 // |a_ij·w_j/w_i − 1|
}

// String renders d as "a[row,col]=3 (weights imply 1.2)".
func (d Deviation) String() string {
	r, c := d.Row, d.Col
	if r == "" {
		r = fmt.Sprint(d.I + 1)
	}
	if c == "" {
		c = fmt.Sprint(d.J + 1)
	}
	return fmt.Sprintf("a[%s,%s]=%s (weights imply %.3g)", r, c, FormatJudgment(d.Judgment), d.Implied)
}

// InconsistencyError reports a pairwise-comparison matrix whose consistency ratio reaches
// ConsistencyThreshold. Worst lists the judgments contributing most to the inconsistency, largest
// first (at most three), so the expert knows which comparisons to revisit.
type InconsistencyError struct {
	Matrix string // name of the matrix: the group id, or a file name
	CR     float64
	Worst  []Deviation
}

func (e *InconsistencyError) Error() string {
	name := e.Matrix
	if name == "" {
		name = "pairwise matrix"
	}
	ws := make([]string, len(e.Worst))
	for i, d := range e.Worst {
		ws[i] = d.String()
	}
	return fmt.Sprintf("%s: inconsistent judgments: CR %.4f ≥ %.2f; revisit %s", name, e.CR, ConsistencyThreshold, strings.Join(ws, ", "))
}

// ErrNotReciprocal reports a pairwise-comparison matrix that is not positive and reciprocal.
var ErrNotReciprocal = errors.New("scoring: matrix is not positive reciprocal")

// reciprocalTol is the relative tolerance of a_ij·a_ji = 1, loose enough for published matrices
// that print reciprocals rounded to two or three decimals (0.33 for 1/3).
const reciprocalTol = 0.02

// AHP computes priority weights from the positive reciprocal n×n pairwise-comparison matrix m by
// Saaty's eigenvector method: the weights are the principal right eigenvector of m (computed with
// gonum's mat.Eigen, not a row-geometric-mean or power-iteration approximation), normalised to
// sum 1; λmax is the principal eigenvalue, CI = (λmax − n)/(n − 1) and CR = CI/RI(n).
//
// Matrices with n ≤ 2 are always consistent (CI = CR = 0). A CR at or above ConsistencyThreshold
// returns the full result together with an *InconsistencyError naming the worst judgments (its
// Matrix field is empty; callers fill it in). A matrix that is not square, not positive or not
// reciprocal (within 2%) wraps ErrNotReciprocal; an n beyond the random-index table is an error.
func AHP(m *mat.Dense, ri RandomIndex) (AHPResult, error) {
	r, c := m.Dims()
	if r != c || r == 0 {
		return AHPResult{}, fmt.Errorf("checking matrix shape %d×%d: %w", r, c, ErrNotReciprocal)
	}
	n := r
	if ps := CheckJudgments(m, JudgmentRules{}); ps != nil {
		return AHPResult{}, &JudgmentError{Problems: ps}
	}
	riN, ok := ri.At(n)
	if !ok {
		return AHPResult{}, fmt.Errorf("looking up random index for n=%d: table has %d entries", n, len(ri))
	}
	if n == 1 {
		return AHPResult{Weights: []float64{1}, LambdaMax: 1}, nil
	}
	var eig mat.Eigen
	if !eig.Factorize(m, mat.EigenRight) {
		return AHPResult{}, errors.New("computing eigenvalues: factorisation did not converge")
	}
	vals := eig.Values(nil)
	// The Perron root of a positive matrix is real, simple and the largest in modulus.
	k := 0
	for i, v := range vals {
		if real(v) > real(vals[k]) {
			k = i
		}
	}
	var vecs mat.CDense
	eig.VectorsTo(&vecs)
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = real(vecs.At(i, k))
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum // also fixes the sign: the Perron vector has entries of one sign
	}
	res := AHPResult{Weights: w, LambdaMax: real(vals[k])}
	if n > 2 {
		// λmax ≥ n for every positive reciprocal matrix; clamp rounding noise below n to 0.
		res.CI = math.Max(0, (res.LambdaMax-float64(n))/float64(n-1))
		if riN > 0 {
			res.CR = res.CI / riN
		}
	}
	if res.CR >= ConsistencyThreshold {
		return res, &InconsistencyError{CR: res.CR, Worst: WorstJudgments(m, w, 3)}
	}
	return res, nil
}

// WorstJudgments ranks the upper-triangle judgments of m by |a_ij·w_j/w_i − 1|, the relative gap
// between a judgment and the ratio the weights w imply, and returns the largest k (ties by position).
func WorstJudgments(m *mat.Dense, w []float64, k int) []Deviation {
	n, _ := m.Dims()
	var ds []Deviation
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a := m.At(i, j)
			ds = append(ds, Deviation{I: i, J: j, Judgment: a, Implied: w[i] / w[j], Error: math.Abs(a*w[j]/w[i] - 1)})
		}
	}
	sort.SliceStable(ds, func(x, y int) bool { return ds[x].Error > ds[y].Error })
	if len(ds) > k {
		ds = ds[:k]
	}
	return ds
}

// Importance-score rules turn one expert's 1–9 importance scores s into a pairwise matrix.
const (
	// RuleDifference, the default, is the scoring-difference rule common in Chinese AHP practice
	// (e.g. 基于打分的判断矩阵构造): with d = k·(s_i − s_j),
	//	a_ij = 1 + d         if d ≥ 0
	//	a_ij = 1 / (1 − d)   if d < 0
	// clamped to Saaty's range [1/9, 9]. Equal scores give 1, a score 1 point higher gives 2
	// ("weak preference"), 8 points (9 vs 1) gives 9 ("extreme"); the matrix is reciprocal by
	// construction but, unlike the ratio rule, not perfectly consistent, so CR stays meaningful.
	RuleDifference = "difference"
	// RuleRatio sets a_ij = (s_i/s_j)^k clamped to [1/9, 9]: perfectly consistent unless clamped, so
	// the weights equal the normalised scores (k = 1).
	RuleRatio = "ratio"
)

// ScoresMatrix builds the n×n pairwise-comparison matrix implied by importance scores s under rule
// (RuleDifference or RuleRatio) with scale k (k ≤ 0 means 1).
func ScoresMatrix(s []float64, rule string, k float64) (*mat.Dense, error) {
	if k <= 0 {
		k = 1
	}
	n := len(s)
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var a float64
			switch rule {
			case RuleDifference, "":
				d := k * (s[i] - s[j])
				if d >= 0 {
					a = 1 + d
				} else {
					a = 1 / (1 - d)
				}
			case RuleRatio:
				if !(s[i] > 0 && s[j] > 0) {
					return nil, fmt.Errorf("applying ratio rule: scores must be positive, got %v and %v", s[i], s[j])
				}
				a = math.Pow(s[i]/s[j], k)
			default:
				return nil, fmt.Errorf("applying rule %q: want %s or %s", rule, RuleDifference, RuleRatio)
			}
			m.Set(i, j, math.Min(9, math.Max(1.0/9, a)))
		}
	}
	return m, nil
}

// GeometricMeanMatrix combines several experts' pairwise matrices element-wise by geometric mean
// (Aczél & Saaty 1983, "Procedures for synthesizing ratio judgements"), the only synthesis that
// keeps the result reciprocal. All matrices must be n×n.
func GeometricMeanMatrix(ms []*mat.Dense) *mat.Dense {
	n, _ := ms[0].Dims()
	out := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for _, m := range ms {
				s += math.Log(m.At(i, j))
			}
			out.Set(i, j, math.Exp(s/float64(len(ms))))
		}
	}
	return out
}

// SubMatrix returns the rows and columns idx of m, in that order: the judgments among the present
// children of a pruned group.
func SubMatrix(m *mat.Dense, idx []int) *mat.Dense {
	out := mat.NewDense(len(idx), len(idx), nil)
	for a, i := range idx {
		for b, j := range idx {
			out.Set(a, b, m.At(i, j))
		}
	}
	return out
}
