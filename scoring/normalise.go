package scoring

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Normalisation methods: how a transformed indicator column becomes scores, after direction
// (cost indicators inverted so that higher is always better). Missing values (NaN) stay missing;
// every statistic is taken over the observed values.
const (
	// NormMinMax, the default and the report's method: l + (u − l)·(x − min)/(max − min) with
	// normalisation_params [l, u] (default [0, 100]; COINr n_minmax); cost: (max − x) in place of
	// (x − min). The best unit scores u, the worst l.
	NormMinMax = "minmax"
	// NormZScore is m + s·(x − mean)/sd (sample sd; negated for cost) with normalisation_params
	// [m, s], default [50, 10] (the T-score; COINr n_zscore uses [0, 1]). Scores beyond [0, 100]
	// are kept unless the indicator sets clamp: true, which clamps and counts them.
	NormZScore = "zscore"
	// NormRank is the percentile rank 100·(r − 1)/(n − 1) with r the ascending rank (descending for
	// cost), ties sharing their mean rank.
	NormRank = "rank"
	// NormBorda is the Borda score: the number of units the unit beats, r − 1 with r the ascending
	// rank, ties given their lowest rank (COINr n_borda).
	NormBorda = "borda"
	// NormGoalposts is 100·(x − lo)/(hi − lo) clamped to [0, 100] with the indicator's declared
	// goalposts [lo, hi] (inverted for cost); indicators without goalposts use the sample min and max.
	NormGoalposts = "goalposts"
	// NormDist2Max is the distance to the frontier, 100·(1 − (max − x)/(max − min)) (COINr
	// n_dist2max on a 0–100 scale).
	NormDist2Max = "dist2max"
	// NormDist2Ref is the distance to a reference unit (reference: its name),
	// 100·(1 − (x_ref − x)/(x_ref − min)): the reference scores 100, the worst unit 0, units better
	// than the reference above 100 unless clamp: true (COINr n_dist2ref, cap_max).
	NormDist2Ref = "dist2ref"
	// NormFracMax is the fraction of the leader, 100·x/max (cost: 100·min/x), the Handbook's
	// "distance to the group leader".
	NormFracMax = "fracmax"
)

var normalisations = []string{NormMinMax, NormZScore, NormRank, NormBorda, NormGoalposts, NormDist2Max, NormDist2Ref, NormFracMax}

// NormSpec is one indicator's normalisation.
type NormSpec struct {
	Method    string    `json:"method"`
	Params    []float64 `json:"params,omitempty"`    // [l, u] for minmax, [mean, sd] for zscore
	Reference string    `json:"reference,omitempty"` // unit for dist2ref
	Clamp     bool      `json:"clamp,omitempty"`     // clamp scores to [0, 100]
}

func (s NormSpec) check() error {
	if s.Method == NormDist2Ref && s.Reference == "" {
		return fmt.Errorf("%s needs reference: the unit to compare with", NormDist2Ref)
	}
	if s.Params != nil && s.Method != NormMinMax && s.Method != NormZScore {
		return fmt.Errorf("normalisation_params apply to %s and %s only", NormMinMax, NormZScore)
	}
	if s.Method == NormZScore && s.Params != nil && !(s.Params[1] > 0) {
		return fmt.Errorf("zscore params [mean, sd]: sd must be positive, got %v", s.Params[1])
	}
	return nil
}

// Standardise maps x (no NaN, not constant — see Score for those rules) to scores by method with
// its default parameters, inverting cost indicators. goalposts is used only by NormGoalposts and
// may be nil.
func Standardise(x []float64, method, direction string, goalposts []float64) ([]float64, error) {
	out, _, err := Normalise(x, NormSpec{Method: method}, direction, goalposts, -1)
	return out, err
}

// Normalise maps x to scores by s, inverting cost indicators; NaN values stay NaN. ref is the
// index of the reference unit for NormDist2Ref (ignored otherwise). It returns the scores and
// how many were clamped to [0, 100] (only when s.Clamp, or always for goalposts).
func Normalise(x []float64, s NormSpec, direction string, goalposts []float64, ref int) ([]float64, int, error) {
	n := len(x)
	out := make([]float64, n)
	lo, hi := minMaxObserved(x)
	cost := direction == Cost
	clamped := 0
	each := func(f func(v float64) float64) {
		for i, v := range x {
			if math.IsNaN(v) {
				out[i] = v
				continue
			}
			out[i] = f(v)
		}
	}
	switch s.Method {
	case NormMinMax, "":
		l, u := 0.0, 100.0
		if len(s.Params) == 2 {
			l, u = s.Params[0], s.Params[1]
		}
		each(func(v float64) float64 {
			d := v - lo
			if cost {
				d = hi - v
			}
			if l == 0 && u == 100 {
				return clamp(100*d/(hi-lo), 0, 100) // clamp rounding noise only
			}
			return d/(hi-lo)*(u-l) + l
		})
	case NormGoalposts:
		if len(goalposts) == 2 {
			lo, hi = goalposts[0], goalposts[1]
		}
		each(func(v float64) float64 {
			y := 100 * (v - lo) / (hi - lo)
			if cost {
				y = 100 - y
			}
			if y < 0 || y > 100 {
				clamped++
			}
			return clamp(y, 0, 100)
		})
		return out, clamped, nil
	case NormZScore:
		m, sd := 50.0, 10.0
		if len(s.Params) == 2 {
			m, sd = s.Params[0], s.Params[1]
		}
		mean, std := stat.MeanStdDev(observed(x), nil)
		each(func(v float64) float64 {
			z := (v - mean) / std
			if cost {
				z = -z
			}
			return m + sd*z
		})
	case NormRank, NormBorda:
		obs, idx := observedIdx(x)
		if cost {
			for i := range obs {
				obs[i] = -obs[i]
			}
		}
		var r []float64
		if s.Method == NormRank {
			r = midRanks(obs)
		} else {
			r = minRanks(obs)
		}
		for i := range out {
			out[i] = math.NaN()
		}
		for k, i := range idx {
			if s.Method == NormRank {
				out[i] = 100 * (r[k] - 1) / float64(len(obs)-1)
			} else {
				out[i] = r[k] - 1
			}
		}
	case NormDist2Max:
		each(func(v float64) float64 {
			if cost {
				return clamp(100*(1-(v-lo)/(hi-lo)), 0, 100) // clamp rounding noise only
			}
			return clamp(100*(1-(hi-v)/(hi-lo)), 0, 100)
		})
	case NormDist2Ref:
		if ref < 0 || ref >= n || math.IsNaN(x[ref]) {
			return nil, 0, fmt.Errorf("normalising by %s: the reference unit %q has no value", s.Method, s.Reference)
		}
		xr := x[ref]
		worst := lo
		if cost {
			worst = hi
		}
		if xr == worst {
			return nil, 0, fmt.Errorf("normalising by %s: the reference unit %q is the worst unit (division by zero)", s.Method, s.Reference)
		}
		each(func(v float64) float64 { return 100 * (1 - (xr-v)/(xr-worst)) })
	case NormFracMax:
		if cost {
			if !(lo > 0) {
				return nil, 0, fmt.Errorf("normalising by %s: a cost indicator needs positive values, min is %v", s.Method, lo)
			}
			each(func(v float64) float64 { return 100 * (lo / v) })
		} else {
			if !(hi > 0) {
				return nil, 0, fmt.Errorf("normalising by %s: the maximum must be positive, got %v", s.Method, hi)
			}
			each(func(v float64) float64 { return 100 * (v / hi) })
		}
	default:
		return nil, 0, fmt.Errorf("standardising: unknown normalisation %q; want one of %s", s.Method, strings.Join(normalisations, ", "))
	}
	if s.Clamp {
		for i, v := range out {
			if v < 0 || v > 100 {
				clamped++
				out[i] = clamp(v, 0, 100)
			}
		}
	}
	return out, clamped, nil
}

func observedIdx(x []float64) ([]float64, []int) {
	var obs []float64
	var idx []int
	for i, v := range x {
		if !math.IsNaN(v) {
			obs = append(obs, v)
			idx = append(idx, i)
		}
	}
	return obs, idx
}

// minRanks returns ascending 1-based ranks with ties given their lowest rank (R's ties "min").
func minRanks(x []float64) []float64 {
	r := make([]float64, len(x))
	for i, v := range x {
		k := 1.0
		for _, w := range x {
			if w < v {
				k++
			}
		}
		r[i] = k
	}
	return r
}

// midRanks returns ascending 1-based ranks with ties given their mean rank.
func midRanks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		mid := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mid
		}
		i = j + 1
	}
	return r
}

func minMax(x []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	return lo, hi
}

func clamp(v, lo, hi float64) float64 { return math.Min(hi, math.Max(lo, v)) }
