package scoring

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// SobolIndices estimates the first-order and total Sobol' indices of every output of f with
// respect to each of its d inputs, independent and uniform on [0, 1), by the scheme of Saltelli et
// al. (2010), "Variance based sensitivity analysis of model output. Design and estimator for the
// total sensitivity index", Comput. Phys. Commun. 181: two independent n×d sample matrices A and B
// and, for each input i, A with its column i taken from B (A_B^i); n·(d + 2) runs of f. With
// V = Var(f) over the 2n runs of A and B:
//
//	first order  S_i  = (1/n) Σ_j f(B)_j · (f(A_B^i)_j − f(A)_j) / V      (Saltelli 2010, Table 2 (b))
//	total        ST_i = (1/2n) Σ_j (f(A)_j − f(A_B^i)_j)² / V              (Jansen 1999, Table 2 (f))
//
// f(x, out) writes the outputs for input x into out (len outputs); it is called concurrently and
// must not keep x. Samples come from a PCG stream seeded by seed, so results are reproducible.
// first and total are indexed [output][input]; an output with zero variance gets NaN indices.
func SobolIndices(f func(x, out []float64), d, outputs, n int, seed uint64) (first, total [][]float64, variance []float64) {
	rng := rand.New(rand.NewPCG(seed, 0x5a17e111))
	A := make([][]float64, n)
	B := make([][]float64, n)
	for j := 0; j < n; j++ {
		A[j] = make([]float64, d)
		B[j] = make([]float64, d)
		for i := 0; i < d; i++ {
			A[j][i] = rng.Float64()
		}
		for i := 0; i < d; i++ {
			B[j][i] = rng.Float64()
		}
	}
	// Runs: block 0 = A, block 1 = B, block 2+i = A_B^i.
	runs := n * (d + 2)
	y := make([][]float64, runs)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), 4)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			x := make([]float64, d)
			for r := w; r < runs; r += workers {
				block, j := r/n, r%n
				switch block {
				case 0:
					copy(x, A[j])
				case 1:
					copy(x, B[j])
				default:
					copy(x, A[j])
					x[block-2] = B[j][block-2]
				}
				out := make([]float64, outputs)
				f(x, out)
				y[r] = out
			}
		}(w)
	}
	wg.Wait()
	first = make([][]float64, outputs)
	total = make([][]float64, outputs)
	variance = make([]float64, outputs)
	for o := 0; o < outputs; o++ {
		mean := 0.0
		for j := 0; j < 2*n; j++ {
			mean += y[j][o]
		}
		mean /= float64(2 * n)
		v := 0.0
		for j := 0; j < 2*n; j++ {
			v += (y[j][o] - mean) * (y[j][o] - mean)
		}
		v /= float64(2*n - 1)
		variance[o] = v
		first[o] = make([]float64, d)
		total[o] = make([]float64, d)
		for i := 0; i < d; i++ {
			var s1, st float64
			for j := 0; j < n; j++ {
				fa, fb, fab := y[j][o], y[n+j][o], y[(2+i)*n+j][o]
				s1 += fb * (fab - fa)
				st += (fa - fab) * (fa - fab)
			}
			if v > 0 {
				first[o][i] = s1 / float64(n) / v
				total[o][i] = st / float64(2*n) / v
			} else {
				first[o][i], total[o][i] = math.NaN(), math.NaN()
			}
		}
	}
	return first, total, variance
}

// SobolResult is the variance-based global sensitivity analysis of every unit's rank on the
// root with respect to the uncertain modelling choices (OECD/JRC Handbook 2008, Step 7; Saltelli
// et al. 2008, Global Sensitivity Analysis: The Primer). Each input is one choice, drawn
// uniformly among its alternatives:
//   - weights: one of WeightSets sets of AHP weights, each from the framework's judgments with
//     every upper-triangle judgment moved −1, 0 or +1 Saaty step (drawn once, seeded);
//   - pca: the framework's PCA weights, or equal weights, in the PCA groups;
//   - normalisation: the framework's, zscore or rank;
//   - aggregation: the framework's or geometric;
//   - treatment: as declared, COINr's treatment on every indicator, or none;
//   - imputation: as declared, or leaving the imputed values missing and re-weighting.
//
// Inputs that cannot change anything here (no AHP group, no PCA group of 3 or more children, no
// missing value) are left out. First[i] is the share of the rank's variance due to input i alone,
// Total[i] including its interactions; with no interactions they agree and First sums to 1.
type SobolResult struct {
	N          int          `json:"n"` // base sample size; the model ran N·(len(Inputs) + 2) times
	Seed       int64        `json:"seed"`
	WeightSets int          `json:"weight_sets,omitempty"`
	Inputs     []SobolInput `json:"inputs"`
	Units      []UnitSobol  `json:"units"`
	// MeanFirst and MeanTotal average the indices over the units whose rank varies.
	MeanFirst []float64 `json:"mean_first"`
	MeanTotal []float64 `json:"mean_total"`
}

// The uncertain choices of the Sobol' analysis, by SobolInput.Name.
const (
	SobolChoiceWeights       = "weights"       // AHP weights from perturbed judgements
	SobolChoicePCA           = "pca"           // level-3 weights: PCA or equal
	SobolChoiceNormalisation = "normalisation" // the framework's, z-score or rank
	SobolChoiceAggregation   = "aggregation"   // the framework's or geometric
	SobolChoiceTreatment     = "treatment"     // outlier treatment as declared, everywhere or none
	SobolChoiceImputation    = "imputation"    // missing values as declared or reweighted
)

// SobolInput is one uncertain choice and its alternatives.
type SobolInput struct {
	Name         string   `json:"name"`
	Alternatives []string `json:"alternatives"`
}

// UnitSobol is one unit's Sobol' indices, input order. Indices are 0 when the unit's rank does
// not vary (RankVariance 0).
type UnitSobol struct {
	Unit         string    `json:"unit"`
	BaseRank     int       `json:"base_rank"`
	RankVariance float64   `json:"rank_variance"`
	First        []float64 `json:"first"`
	Total        []float64 `json:"total"`
}

// SobolWeightSets is how many perturbed AHP weight sets the weights input chooses among.
const SobolWeightSets = 64

// sobolVariant is one combination of data choices whose leaf scores are precomputed.
type sobolVariant struct{ treat, impute, norm int }

func (m *model) sobol(opts Options) (*SobolResult, error) {
	res := &SobolResult{N: opts.SobolSamples, Seed: opts.Seed}
	type input struct {
		name string
		alts []string
	}
	var inputs []input
	hasAHP, hasPCA, hasMissing := false, false, false
	for _, mn := range m.nodes {
		if mn.n.Method == MethodAHP && len(mn.children) >= 2 {
			hasAHP = true
		}
		if mn.n.Method == MethodPCA && len(mn.children) >= 3 {
			hasPCA = true
		}
		if len(mn.children) == 0 {
			for _, r := range mn.imputed {
				if r != "" && r != MissingReweight {
					hasMissing = true
				}
			}
		}
	}
	idx := map[string]int{}
	add := func(name string, alts ...string) {
		idx[name] = len(inputs)
		inputs = append(inputs, input{name, alts})
	}
	if hasAHP {
		alts := make([]string, SobolWeightSets)
		for k := range alts {
			alts[k] = fmt.Sprintf("perturbed judgments #%d", k+1)
		}
		add(SobolChoiceWeights, alts...)
		res.WeightSets = SobolWeightSets
	}
	if hasPCA {
		add(SobolChoicePCA, "framework", MethodEqual)
	}
	normBase := opts.Normalisation
	add(SobolChoiceNormalisation, "framework", NormZScore, NormRank)
	add(SobolChoiceAggregation, "framework", AggGeometric)
	add(SobolChoiceTreatment, "as declared", "coinr on every indicator", TransformNone)
	if hasMissing {
		add(SobolChoiceImputation, "as declared", MissingReweight)
	}
	for _, in := range inputs {
		res.Inputs = append(res.Inputs, SobolInput{Name: in.name, Alternatives: in.alts})
	}
	choice := func(x []float64, name string) int {
		i, ok := idx[name]
		if !ok {
			return 0
		}
		return min(int(x[i]*float64(len(inputs[i].alts))), len(inputs[i].alts)-1)
	}
	// Leaf scores per data variant.
	leaves := map[sobolVariant][][]float64{}
	pcaW := map[sobolVariant]map[int][]float64{}
	nImp := 1
	if hasMissing {
		nImp = 2
	}
	for t := 0; t < 3; t++ {
		for im := 0; im < nImp; im++ {
			cols, err := m.variantColumns(t, im)
			if err != nil {
				return nil, err
			}
			for nm, override := range []string{normBase, NormZScore, NormRank} {
				v := sobolVariant{t, im, nm}
				sc := make([][]float64, len(m.nodes))
				for i, mn := range m.nodes {
					if len(mn.children) > 0 {
						continue
					}
					s, err := m.leafScore(cols[i], override, false)
					if err != nil {
						return nil, err
					}
					sc[i] = s
				}
				leaves[v] = sc
				pcaW[v] = map[int][]float64{}
				for i, mn := range m.nodes {
					if mn.n.Method != MethodPCA || !m.leafChildren(i) {
						continue
					}
					cs := make([][]float64, len(mn.children))
					for k, c := range mn.children {
						cs[k] = sc[c]
					}
					w, err := m.weights(i, cs, &evaluation{pca: make([]*PCAResult, len(m.nodes))})
					if err != nil {
						return nil, err
					}
					pcaW[v][i] = w
				}
			}
		}
	}
	// Perturbed AHP weight sets.
	ahpSets := make([]map[int][]float64, SobolWeightSets)
	for k := range ahpSets {
		rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0xa4b0000+uint64(k)))
		ahpSets[k] = map[int][]float64{}
		for i, mn := range m.nodes {
			if mn.n.Method != MethodAHP || len(mn.children) < 2 {
				continue
			}
			w, err := m.perturbedAHP(mn, rng)
			if err != nil {
				return nil, err
			}
			ahpSets[k][i] = w
		}
	}
	U := len(m.units)
	var mu sync.Mutex
	var firstErr error
	f := func(x, out []float64) {
		v := sobolVariant{choice(x, SobolChoiceTreatment), choice(x, SobolChoiceImputation), choice(x, SobolChoiceNormalisation)}
		agg := opts.Aggregation
		if choice(x, SobolChoiceAggregation) == 1 {
			agg = AggGeometric
		}
		wk, equalPCA := choice(x, SobolChoiceWeights), choice(x, SobolChoicePCA) == 1
		override := func(i int, cs [][]float64) ([]float64, bool) {
			mn := m.nodes[i]
			switch mn.n.Method {
			case MethodAHP:
				if !hasAHP {
					return nil, false
				}
				w, ok := ahpSets[wk][i]
				return w, ok
			case MethodPCA:
				if equalPCA {
					return equalWeights(len(mn.children)), true
				}
				w, ok := pcaW[v][i]
				return w, ok
			}
			return nil, false
		}
		ev, err := m.evaluate(leaves[v], agg, override)
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			return
		}
		rk := fastRanks(ev.scores[0], nil, nil)
		for u := 0; u < U; u++ {
			out[u] = float64(rk[u])
		}
	}
	first, total, variance := SobolIndices(f, len(inputs), U, opts.SobolSamples, uint64(opts.Seed))
	if firstErr != nil {
		return nil, firstErr
	}
	base := m.res.Ranking(m.res.Root)
	baseRank := map[string]int{}
	for _, v := range base {
		baseRank[v.Unit] = v.Rank
	}
	res.MeanFirst = make([]float64, len(inputs))
	res.MeanTotal = make([]float64, len(inputs))
	varying := 0
	for u, name := range m.units {
		us := UnitSobol{Unit: name, BaseRank: baseRank[name], RankVariance: variance[u], First: first[u], Total: total[u]}
		if !(variance[u] > 0) {
			us.First, us.Total = make([]float64, len(inputs)), make([]float64, len(inputs))
		} else {
			varying++
			for i := range inputs {
				res.MeanFirst[i] += first[u][i]
				res.MeanTotal[i] += total[u][i]
			}
		}
		res.Units = append(res.Units, us)
	}
	if varying > 0 {
		for i := range inputs {
			res.MeanFirst[i] /= float64(varying)
			res.MeanTotal[i] /= float64(varying)
		}
	}
	return res, nil
}

// perturbedAHP moves every upper-triangle judgment of mn's matrix by −1, 0 or +1 Saaty step and
// returns the eigenvector weights (kept even when CR ≥ 0.10: they model the judges' doubt).
func (m *model) perturbedAHP(mn *mnode, rng *rand.Rand) ([]float64, error) {
	k := len(mn.children)
	pm := mat.NewDense(k, k, nil)
	for a := 0; a < k; a++ {
		pm.Set(a, a, 1)
		for b := a + 1; b < k; b++ {
			v := SaatyStep(mn.matrix.At(a, b), rng.IntN(3)-1)
			pm.Set(a, b, v)
			pm.Set(b, a, 1/v)
		}
	}
	res, err := AHP(pm, m.fw.RandomIndex)
	var ie *InconsistencyError
	if err != nil && !errors.As(err, &ie) {
		return nil, err
	}
	return res.Weights, nil
}

// variantColumns prepares every leaf under treatment alternative t (0 as declared, 1 COINr
// treatment everywhere, 2 none) and imputation alternative im (0 as declared, 1 reweight). A
// leaf the variant makes constant scores 50 for every unit with a value.
func (m *model) variantColumns(t, im int) ([]*mnode, error) {
	out := make([]*mnode, len(m.nodes))
	for i, mn := range m.nodes {
		if len(mn.children) > 0 {
			continue
		}
		if t == 0 && im == 0 {
			out[i] = mn
			continue
		}
		n := *mn.n
		switch t {
		case 1:
			n.Transform, n.Treat = TransformWinsorise, DefaultTreatSpec
		case 2:
			if n.Transform == TransformWinsorise {
				n.Transform = TransformNone
			}
		}
		v := &mnode{n: &n, input: mn.input, isFixed: mn.isFixed, fixed: mn.fixed}
		rule := n.Missing
		if im == 1 && rule != MissingError && rule != MissingDropUnit {
			rule = MissingReweight
		}
		if err := m.imputeRule(v, rule, false); err != nil {
			return nil, err
		}
		keep, err := m.treat(v, false)
		if err != nil {
			return nil, err
		}
		if !keep {
			v.isFixed, v.fixed = true, 50
		}
		out[i] = v
	}
	return out, nil
}
