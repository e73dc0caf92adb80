package scoring

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
)

// Sensitivity is the outcome of the Monte Carlo uncertainty and sensitivity analysis (OECD/JRC
// Handbook 2008, Step 7). Each draw varies the modelling choices at once:
//   - every upper-triangle AHP judgment moves by −1, 0 or +1 Saaty step with equal probability
//     (see SaatyStep; the reciprocal follows) and the group's weights are recomputed by the
//     eigenvector method — draws are kept even if their CR ≥ 0.10, since they model the judges'
//     uncertainty, not a published matrix;
//   - PCA groups keep their PCA weights or switch to equal weights (one fair coin per draw);
//   - the normalisation is minmax, zscore or rank with equal probability.
//
// Aggregation stays as chosen in Options. Draw d uses its own PCG stream seeded by (Seed, d), so
// results do not depend on scheduling and are identical for the same inputs and seed.
type Sensitivity struct {
	Draws   int                `json:"draws"`
	Seed    int64              `json:"seed"`
	Units   []UnitUncertainty  `json:"units"`   // result order of units
	Weights []WeightImportance `json:"weights"` // framework order of non-root nodes
}

// UnitUncertainty summarises one unit's rank on the root over the draws.
type UnitUncertainty struct {
	Unit       string  `json:"unit"`
	BaseRank   int     `json:"base_rank"`
	MedianRank float64 `json:"median_rank"`
	P05        int     `json:"p05"` // 5th percentile rank (nearest-rank method)
	P95        int     `json:"p95"` // 95th percentile rank
}

// WeightImportance summarises one node's local weight over the draws and how much it matters.
type WeightImportance struct {
	Node  string  `json:"node"`
	Local float64 `json:"local"` // baseline local weight
	P05   float64 `json:"p05"`   // 5th percentile of the drawn local weight
	P95   float64 `json:"p95"`
	// Importance is the mean absolute rank shift on the root (over units and draws) caused by
	// replacing this weight alone with its drawn value, siblings rescaled to keep the sum 1 and
	// everything else at baseline (a one-at-a-time analysis over the first ImportanceDraws draws).
	Importance float64 `json:"importance"`
}

// ImportanceDraws caps the draws used for the one-at-a-time weight importance.
const ImportanceDraws = 2000

// SaatyStep moves judgment a by step positions on Saaty's scale 1/9 … 1/2, 1, 2 … 9, clamped to
// the ends. Positions are continuous (p = a − 1 for a ≥ 1, 1 − 1/a below), so judgments between
// scale points, such as experts' geometric means, move by exactly one step too.
func SaatyStep(a float64, step int) float64 {
	var p float64
	if a >= 1 {
		p = a - 1
	} else {
		p = 1 - 1/a
	}
	p = clamp(p+float64(step), -8, 8)
	if p >= 0 {
		return 1 + p
	}
	return 1 / (1 - p)
}

// sensitivity runs the Monte Carlo analysis around the baseline evaluation base.
func (m *model) sensitivity(opts Options, base *evaluation) (*Sensitivity, error) {
	norms := []string{NormMinMax, NormZScore, NormRank}
	leaf := map[string][][]float64{}
	for _, nm := range norms {
		s, err := m.leafScores(nm, false)
		if err != nil {
			return nil, err
		}
		leaf[nm] = s
	}
	// PCA weights depend only on the normalisation when a group's children are all indicators.
	pcaCache := map[string]map[int][]float64{}
	for _, nm := range norms {
		pcaCache[nm] = map[int][]float64{}
		for i, mn := range m.nodes {
			if mn.n.Method != MethodPCA || !m.leafChildren(i) {
				continue
			}
			cs := make([][]float64, len(mn.children))
			for k, c := range mn.children {
				cs[k] = leaf[nm][c]
			}
			w, err := m.weights(i, cs, &evaluation{pca: make([]*PCAResult, len(m.nodes))})
			if err != nil {
				return nil, err
			}
			pcaCache[nm][i] = w
		}
	}
	D, N, U := opts.MonteCarloDraws, len(m.nodes), len(m.units)
	ranks := make([][]int, D)
	locals := make([][]float64, D)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), 4)
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func(wk int) {
			defer wg.Done()
			for d := wk; d < D; d += workers {
				rng := rand.New(rand.NewPCG(uint64(opts.Seed), uint64(d)))
				nm := norms[rng.IntN(len(norms))]
				equalPCA := rng.IntN(2) == 0
				// Draw every AHP perturbation up front, in node order, so the stream is fixed.
				ahpW := map[int][]float64{}
				for i, mn := range m.nodes {
					if mn.n.Method != MethodAHP || len(mn.children) < 2 {
						continue
					}
					w, err := m.perturbedAHP(mn, rng)
					if err != nil {
						select {
						case errc <- err:
						default:
						}
						return
					}
					ahpW[i] = w
				}
				override := func(i int, cs [][]float64) ([]float64, bool) {
					mn := m.nodes[i]
					switch mn.n.Method {
					case MethodAHP:
						w, ok := ahpW[i]
						return w, ok
					case MethodPCA:
						if equalPCA {
							return equalWeights(len(mn.children)), true
						}
						w, ok := pcaCache[nm][i]
						return w, ok
					}
					return nil, false
				}
				ev, err := m.evaluate(leaf[nm], opts.Aggregation, override)
				if err != nil {
					select {
					case errc <- err:
					default:
					}
					return
				}
				ranks[d] = fastRanks(ev.scores[0], nil, nil)
				locals[d] = ev.local
			}
		}(wk)
	}
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	s := &Sensitivity{Draws: D, Seed: opts.Seed}
	baseRanks := fastRanks(base.scores[0], nil, nil)
	col := make([]int, D)
	for u := 0; u < U; u++ {
		for d := 0; d < D; d++ {
			col[d] = ranks[d][u]
		}
		sort.Ints(col)
		med := float64(col[(D-1)/2]+col[D/2]) / 2
		s.Units = append(s.Units, UnitUncertainty{Unit: m.units[u], BaseRank: baseRanks[u], MedianRank: med, P05: col[pctIndex(0.05, D)], P95: col[pctIndex(0.95, D)]})
	}
	imp := m.importance(opts, base, locals, baseRanks)
	wcol := make([]float64, D)
	for i := 1; i < N; i++ {
		for d := 0; d < D; d++ {
			wcol[d] = locals[d][i]
		}
		sort.Float64s(wcol)
		s.Weights = append(s.Weights, WeightImportance{Node: m.nodes[i].n.ID, Local: base.local[i], P05: wcol[pctIndex(0.05, D)], P95: wcol[pctIndex(0.95, D)], Importance: imp[i]})
	}
	return s, nil
}

// importance computes the one-at-a-time mean absolute rank shift of every node's local weight.
func (m *model) importance(opts Options, base *evaluation, locals [][]float64, baseRanks []int) []float64 {
	N, U := len(m.nodes), len(m.units)
	D := min(len(locals), ImportanceDraws)
	imp := make([]float64, N)
	var wg sync.WaitGroup
	for i := 1; i < N; i++ {
		p := m.nodes[i].parent
		if len(m.nodes[p].children) < 2 {
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			changed := make([]float64, U) // score of the changed node on the path
			root := make([]float64, U)
			rk := make([]int, U)
			buf := make([]float64, U)
			idx := make([]int, U)
			total := 0.0
			for d := 0; d < D; d++ {
				wNew, wOld := locals[d][i], base.local[i]
				if wNew == wOld || wOld >= 1 {
					continue
				}
				// Recompute the parent with i's weight replaced, then every ancestor up to the root.
				node, child := p, i
				ws := make([]float64, len(m.nodes[p].children))
				cs := make([][]float64, len(ws))
				for k, c := range m.nodes[p].children {
					cs[k] = base.scores[c]
					if c == i {
						ws[k] = wNew
					} else {
						ws[k] = base.local[c] * (1 - wNew) / (1 - wOld)
					}
				}
				agg, _ := m.aggregatorFor(p, opts.Aggregation).aggregate(cs, ws)
				copy(changed, agg)
				for child = node; m.nodes[child].parent >= 0; child = m.nodes[child].parent {
					par := m.nodes[child].parent
					cs := make([][]float64, len(m.nodes[par].children))
					ws := make([]float64, len(cs))
					for k, c := range m.nodes[par].children {
						ws[k] = base.local[c]
						cs[k] = base.scores[c]
						if c == child {
							cs[k] = changed
						}
					}
					agg, _ := m.aggregatorFor(par, opts.Aggregation).aggregate(cs, ws)
					copy(changed, agg)
				}
				copy(root, changed)
				fastRanks(root, rk, buf, idx...)
				shift := 0
				for u := range rk {
					shift += abs(rk[u] - baseRanks[u])
				}
				total += float64(shift) / float64(U)
			}
			if D > 0 {
				imp[i] = total / float64(D)
			}
		}(i)
	}
	wg.Wait()
	return imp
}

// leafChildren reports whether every child of group i is an indicator.
func (m *model) leafChildren(i int) bool {
	for _, c := range m.nodes[i].children {
		if len(m.nodes[c].children) > 0 {
			return false
		}
	}
	return true
}

// fastRanks is competitionRanks in O(n log n): it sorts the rounded scores once; NaN scores get
// rank 0. out, buf and idx are optional scratch space of len(scores).
func fastRanks(scores []float64, out []int, buf []float64, idx ...int) []int {
	n := len(scores)
	if out == nil {
		out = make([]int, n)
	}
	if buf == nil {
		buf = make([]float64, n)
	}
	if len(idx) != n {
		idx = make([]int, n)
	}
	for u, s := range scores {
		buf[u] = math.Round(s / rankRounding)
		idx[u] = u
	}
	sort.Slice(idx, func(a, b int) bool {
		x, y := buf[idx[a]], buf[idx[b]]
		if math.IsNaN(x) || math.IsNaN(y) {
			return !math.IsNaN(x) && math.IsNaN(y)
		}
		return x > y
	})
	for k, u := range idx {
		switch {
		case math.IsNaN(buf[u]):
			out[u] = 0
		case k > 0 && buf[u] == buf[idx[k-1]]:
			out[u] = out[idx[k-1]]
		default:
			out[u] = k + 1
		}
	}
	return out
}

// pctIndex is the nearest-rank index of percentile p in a sorted sample of size n.
func pctIndex(p float64, n int) int {
	i := int(math.Ceil(p*float64(n))) - 1
	return max(0, min(n-1, i))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
