package scoring

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// PCAResult is the principal-component analysis of one indicator group and the weights the
// Nicoletti et al. (2000) recipe derives from it. Slices indexed by indicator follow Names.
type PCAResult struct {
	Names []string `json:"names"`
	// Eigenvalues of the correlation matrix of the non-constant indicators, descending.
	Eigenvalues []float64 `json:"eigenvalues"`
	// Explained is each eigenvalue's share of the total variance (eigenvalue / number of
	// non-constant indicators).
	Explained []float64 `json:"explained"`
	// Eigenvectors holds the unit eigenvectors as columns (indicator × component, over the
	// non-constant indicators in Names order), each column's sign fixed so its entries sum ≥ 0.
	Eigenvectors [][]float64 `json:"eigenvectors"`
	// Kept is the number of retained components (by Retain; at least one).
	Kept int `json:"kept"`
	// Retain, Rotation and Basis are the options applied (PCASpec).
	Retain   string `json:"retain"`
	Rotation string `json:"rotation"`
	Basis    string `json:"basis"`
	// Rotated reports whether the rotation was applied (Kept > 1 and Rotation is not none).
	Rotated bool `json:"rotated"`
	// Loadings is the indicator × Kept factor-loading matrix (eigenvector × √eigenvalue, varimax
	// rotated when Rotated); constant indicators have zero rows.
	Loadings [][]float64 `json:"loadings"`
	// FactorVariance is the variance explained by each kept (rotated) factor: its sum of squared
	// loadings. The recipe weights factors by FactorVariance / ΣFactorVariance.
	FactorVariance []float64 `json:"factor_variance"`
	// Assigned is, per indicator, the factor on which its scaled squared loading is largest
	// (-1 for constant indicators and when no decomposition was done).
	Assigned []int `json:"assigned"`
	// Weights are the final indicator weights, summing to 1.
	Weights []float64 `json:"weights"`
	// Constant lists indicators with zero variance: they carry no information and get weight 0.
	Constant []string `json:"constant,omitempty"`
	// Note explains a degenerate case (e.g. "two indicators: equal weights").
	Note string `json:"note,omitempty"`
}

// ErrMissingValue reports a NaN where a complete matrix is required.
var ErrMissingValue = errors.New("scoring: missing value")

// PCAWeights derives indicator weights from x, an n×k matrix whose rows are units (cities) and
// whose columns are the k indicators named by names, following Nicoletti, Scarpetta & Boylaud
// (2000), OECD Economics Department WP 226, as set out in the OECD/JRC Handbook on Constructing
// Composite Indicators (2008), §6.1 and Step 6 ("Weighting based on PCA/FA"):
//
//  1. Compute the correlation matrix of the indicators (so the result does not depend on any
//     affine normalisation — min-max, z-score or direction inversion give the same weights).
//  2. Decompose it (gonum mat.EigenSym); order eigenvalues descending; fix each eigenvector's sign
//     so its entries sum to ≥ 0 (if the sum is zero, its largest-magnitude entry is positive).
//  3. Keep the components with eigenvalue > 1 — Kaiser's criterion — and at least one (other
//     retention rules: PCAWeightsWith, RetainRule).
//  4. Loadings = eigenvector·√eigenvalue; with more than one kept component, rotate them by
//     varimax (Kaiser row normalisation, as R's stats::varimax) and fix signs the same way.
//  5. Square the loadings and scale them to unit sum within each factor (divide by the factor's
//     explained variance, its sum of squared loadings).
//  6. Assign each indicator to the factor where its absolute loading is largest ("the highest
//     factor loadings", §6.1; PCASpec.Assign offers the largest scaled share instead).
//  7. Weight each indicator by its scaled squared loading on its factor times the factor's share of
//     explained variance (FactorVariance_j / ΣFactorVariance), then normalise the weights to sum 1.
//
// With one kept component the weights are simply the squared eigenvector entries.
//
// Degenerate cases, all documented in PCAResult.Note:
//   - One indicator: weight 1.
//   - Zero-variance (constant) indicators are left out of the decomposition with weight 0; if every
//     indicator is constant the weights are equal.
//   - Two indicators: the correlation matrix [[1 r] [r 1]] has eigenvectors (1, ±1)/√2 whatever r,
//     so the recipe always yields 0.5/0.5; it is returned directly, which also settles r = 0, where
//     the decomposition is not unique.
//
// Negatively correlated indicators still receive positive weights (squared loadings), as in the
// Handbook. x must not contain NaN (ErrMissingValue); len(names) must equal k.
func PCAWeights(x *mat.Dense, names []string) (PCAResult, error) {
	return PCAWeightsWith(x, names, PCASpec{})
}

// PCAWeightsWith is PCAWeights with the retention rule, rotation and basis of spec (zero fields
// mean Kaiser, varimax, correlation). With the covariance basis the data are only centred, so
// indicators on larger scales weigh more, and Kaiser's criterion becomes "eigenvalue above the
// mean eigenvalue" (which is 1 for a correlation matrix).
func PCAWeightsWith(x *mat.Dense, names []string, spec PCASpec) (PCAResult, error) {
	spec = spec.withDefaults()
	n, k := x.Dims()
	if len(names) != k {
		return PCAResult{}, fmt.Errorf("checking names: got %d, want %d columns", len(names), k)
	}
	res := PCAResult{Names: append([]string(nil), names...), Assigned: make([]int, k), Weights: make([]float64, k)}
	for i := range res.Assigned {
		res.Assigned[i] = -1
	}
	var live []int
	for j := 0; j < k; j++ {
		col := mat.Col(nil, j, x)
		for i, v := range col {
			if math.IsNaN(v) {
				return PCAResult{}, fmt.Errorf("reading %s at row %d: %w", names[j], i+1, ErrMissingValue)
			}
		}
		if n < 2 || isConstant(col) {
			res.Constant = append(res.Constant, names[j])
			continue
		}
		live = append(live, j)
	}
	switch len(live) {
	case 0:
		for j := range res.Weights {
			res.Weights[j] = 1 / float64(k)
		}
		res.Note = "no indicator varies: equal weights"
		if k == 1 {
			res.Note = "single indicator: weight 1"
		}
		return res, nil
	case 1:
		res.Weights[live[0]] = 1
		res.Note = "single varying indicator: weight 1"
		if k == 1 {
			res.Note = "single indicator: weight 1"
		}
		return res, nil
	}
	p := len(live)
	sub := mat.NewDense(n, p, nil)
	for b, j := range live {
		for i := 0; i < n; i++ {
			sub.Set(i, b, x.At(i, j))
		}
	}
	corr := mat.NewSymDense(p, nil)
	if spec.Basis == BasisCovariance {
		stat.CovarianceMatrix(corr, sub, nil)
	} else {
		stat.CorrelationMatrix(corr, sub, nil)
	}
	var es mat.EigenSym
	if !es.Factorize(corr, true) {
		return PCAResult{}, errors.New("decomposing correlation matrix: did not converge")
	}
	asc := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	// Reorder descending and fix signs.
	vals := make([]float64, p)
	V := mat.NewDense(p, p, nil)
	for c := 0; c < p; c++ {
		src := p - 1 - c
		vals[c] = asc[src]
		col := mat.Col(nil, src, &vecs)
		if signFlip(col) {
			for i := range col {
				col[i] = -col[i]
			}
		}
		V.SetCol(c, col)
	}
	res.Eigenvalues = vals
	res.Explained = make([]float64, p)
	trace := 0.0
	for _, v := range vals {
		trace += v
	}
	for c, v := range vals {
		res.Explained[c] = v / trace
	}
	res.Eigenvectors = denseRows(V)
	kept := spec.Retain.Count(vals)
	res.Kept = kept
	res.Retain, res.Rotation, res.Basis = spec.Retain.String(), spec.Rotation, spec.Basis
	L := mat.NewDense(p, kept, nil)
	for c := 0; c < kept; c++ {
		s := math.Sqrt(math.Max(vals[c], 0))
		for i := 0; i < p; i++ {
			L.Set(i, c, V.At(i, c)*s)
		}
	}
	if kept > 1 && spec.Rotation != RotationNone {
		L = orthomax(L, rotationGamma[spec.Rotation])
		res.Rotated = true
	}
	full := mat.NewDense(k, kept, nil)
	for b, j := range live {
		full.SetRow(j, mat.Row(nil, b, L))
	}
	res.Loadings = denseRows(full)
	if p == 2 {
		for _, j := range live {
			res.Weights[j] = 0.5
			res.Assigned[j] = 0
		}
		res.FactorVariance = factorVariance(full)
		res.Note = "two indicators: PCA always gives equal weights"
		return res, nil
	}
	w, assigned, fv := recipeWeights(full, spec.Assign)
	res.FactorVariance = fv
	for _, j := range live {
		res.Weights[j] = w[j]
		res.Assigned[j] = assigned[j]
	}
	if len(res.Constant) > 0 {
		res.Note = "constant indicators get weight 0"
	}
	return res, nil
}

// RecipeWeights applies steps 5–7 of the PCAWeights recipe to a k×m loading matrix: it returns
// the normalised indicator weights, each indicator's factor (-1 for an all-zero row) and each
// factor's explained variance (sum of squared loadings).
func RecipeWeights(loadings *mat.Dense) (weights []float64, assigned []int, factorVar []float64) {
	return recipeWeights(loadings, AssignLoading)
}

// RecipeWeightsBy is RecipeWeights with the assignment rule assign (AssignShare or AssignLoading).
func RecipeWeightsBy(loadings *mat.Dense, assign string) (weights []float64, assigned []int, factorVar []float64) {
	return recipeWeights(loadings, assign)
}

func recipeWeights(loadings *mat.Dense, assign string) (weights []float64, assigned []int, factorVar []float64) {
	k, m := loadings.Dims()
	factorVar = factorVariance(loadings)
	total := 0.0
	for _, v := range factorVar {
		total += v
	}
	weights = make([]float64, k)
	assigned = make([]int, k)
	sum := 0.0
	for i := 0; i < k; i++ {
		assigned[i] = -1
		best := 0.0
		for j := 0; j < m; j++ {
			if factorVar[j] == 0 {
				continue
			}
			l := loadings.At(i, j)
			q := l * l / factorVar[j]
			if assign == AssignLoading {
				q = l * l
			}
			if q > best {
				best, assigned[i] = q, j
			}
		}
		if assigned[i] >= 0 {
			l := loadings.At(i, assigned[i])
			weights[i] = l * l / total // scaled share × factor weight: (l²/FV_j)·(FV_j/ΣFV)
			sum += weights[i]
		}
	}
	for i := range weights {
		weights[i] /= sum
	}
	return weights, assigned, factorVar
}

func factorVariance(l *mat.Dense) []float64 {
	k, m := l.Dims()
	fv := make([]float64, m)
	for j := 0; j < m; j++ {
		for i := 0; i < k; i++ {
			fv[j] += l.At(i, j) * l.At(i, j)
		}
	}
	return fv
}

// Varimax rotates the k×m loading matrix l to maximise the variance of squared loadings
// (Kaiser 1958), with Kaiser row normalisation, by the SVD iteration of R's stats::varimax
// (convergence when the criterion grows by less than 1e-12 relative, at most 1000 iterations).
// Each rotated factor's sign is fixed so its loadings sum ≥ 0. l is not modified.
func Varimax(l *mat.Dense) *mat.Dense { return orthomax(l, 1) }

// Quartimax rotates l to maximise the sum of fourth powers of the loadings (the orthomax family
// with γ = 0; Varimax is γ = 1), by the same iteration and sign convention.
func Quartimax(l *mat.Dense) *mat.Dense { return orthomax(l, 0) }

// orthomax is the orthomax rotation with parameter gamma by the SVD iteration of R's
// stats::varimax (GPArotation's orthomax criterion), with Kaiser row normalisation.
func orthomax(l *mat.Dense, gamma float64) *mat.Dense {
	k, m := l.Dims()
	x := mat.DenseCopyOf(l)
	sc := make([]float64, k)
	for i := 0; i < k; i++ {
		sc[i] = mat.Norm(x.RowView(i), 2)
		if sc[i] > 0 {
			for j := 0; j < m; j++ {
				x.Set(i, j, x.At(i, j)/sc[i])
			}
		}
	}
	T := mat.NewDense(m, m, nil)
	for j := 0; j < m; j++ {
		T.Set(j, j, 1)
	}
	var z, B, z3 mat.Dense
	var svd mat.SVD
	d := 0.0
	for iter := 0; iter < 1000; iter++ {
		z.Mul(x, T)
		colSq := make([]float64, m)
		for i := 0; i < k; i++ {
			for j := 0; j < m; j++ {
				colSq[j] += z.At(i, j) * z.At(i, j)
			}
		}
		z3.Apply(func(i, j int, v float64) float64 { return v*v*v - gamma*v*colSq[j]/float64(k) }, &z)
		B.Mul(x.T(), &z3)
		if !svd.Factorize(&B, mat.SVDThin) {
			break
		}
		var u, v mat.Dense
		svd.UTo(&u)
		svd.VTo(&v)
		T.Mul(&u, v.T())
		dPast := d
		d = 0
		for _, s := range svd.Values(nil) {
			d += s
		}
		if d < dPast*(1+1e-12) {
			break
		}
	}
	out := mat.NewDense(k, m, nil)
	out.Mul(x, T)
	for i := 0; i < k; i++ {
		for j := 0; j < m; j++ {
			out.Set(i, j, out.At(i, j)*sc[i])
		}
	}
	for j := 0; j < m; j++ {
		col := mat.Col(nil, j, out)
		if signFlip(col) {
			for i := range col {
				col[i] = -col[i]
			}
			out.SetCol(j, col)
		}
	}
	return out
}

// signFlip reports whether v should be negated so that its entries sum ≥ 0 or, when the sum is
// (numerically) zero, its first largest-magnitude entry is positive.
func signFlip(v []float64) bool {
	s, big := 0.0, 0.0
	for _, x := range v {
		s += x
		if math.Abs(x) > math.Abs(big)+1e-12 {
			big = x
		}
	}
	if math.Abs(s) > 1e-9 {
		return s < 0
	}
	return big < 0
}

func isConstant(v []float64) bool {
	for _, x := range v[1:] {
		if x != v[0] {
			return false
		}
	}
	return true
}

func denseRows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = mat.Row(nil, i, m)
	}
	return out
}
