package scoring

import (
	"math"
	"sort"
)

// Aggregation methods: how a group's score is computed from its children's scores and weights.
// Every method uses only the unit's available children (NaN children are skipped and the weights
// of the others renormalised — COINr's na.rm), so a missing value re-weights rather than counts
// as zero; Result.Values records the share of weight available (UnitValue.Coverage).
const (
	// AggArithmetic, the default and the report's method: Σ w_c·S_c (COINr a_amean).
	AggArithmetic = "arithmetic"
	// AggGeometric is Π S_c^w_c (COINr a_gmean). Any child scoring 0 (every min-max worst unit)
	// makes the group 0: the geometric mean does not let a strength compensate a total absence.
	AggGeometric = "geometric"
	// AggHarmonic is 1 / Σ (w_c / S_c) (COINr a_hmean); a child scoring 0 makes the group 0 (the
	// limit), where COINr stops with an error.
	AggHarmonic = "harmonic"
	// AggGeneralised is the power mean (Σ w_c·S_c^p)^(1/p) with the group's power p (COINr
	// a_genmean): p = 1 arithmetic, p → 0 geometric, p = −1 harmonic. With p < 0 a zero child
	// makes the group 0.
	AggGeneralised = "generalised"
	// AggMedian is the weighted median: the smallest child score at which the cumulative weight of
	// the sorted scores reaches one half, the mean of it and the next score when it equals one half
	// exactly (the ordinary median under equal weights).
	AggMedian = "median"
	// AggCopeland is the Copeland score over units (COINr a_copeland): for every other unit, +1 if
	// the children where the unit is higher carry more than half the weight (ties counting half),
	// −1 if less, 0 at exactly half; the sum ranges over ±(n − 1). It is not a mean of the
	// children: scores are not on their scale.
	AggCopeland = "copeland"
)

var aggregations = []string{AggArithmetic, AggGeometric, AggHarmonic, AggGeneralised, AggMedian, AggCopeland}

// aggregator is one group's aggregation: method, power and the minimum weight coverage.
type aggregator struct {
	method      string
	power       float64
	minCoverage float64
}

// aggregate combines child score columns cs (per child, per unit) with weights w (summing to 1)
// and returns the group's scores and, per unit, the share of weight its available children carry.
func (a aggregator) aggregate(cs [][]float64, w []float64) (out, coverage []float64) {
	units := len(cs[0])
	out = make([]float64, units)
	coverage = make([]float64, units)
	xs := make([]float64, 0, len(cs))
	ws := make([]float64, 0, len(cs))
	for u := range out {
		xs, ws = xs[:0], ws[:0]
		cov := 0.0
		for k, c := range cs {
			if math.IsNaN(c[u]) {
				continue
			}
			xs = append(xs, c[u])
			ws = append(ws, w[k])
			cov += w[k]
		}
		coverage[u] = cov
		if len(xs) == 0 || cov < a.minCoverage-1e-12 || !(cov > 0) {
			out[u] = math.NaN()
			continue
		}
		for k := range ws {
			ws[k] /= cov
		}
		if a.method == AggCopeland {
			continue // filled below: it compares units
		}
		out[u] = a.mean(xs, ws)
	}
	if a.method == AggCopeland {
		copeland(cs, w, out)
	}
	return out, coverage
}

// mean is the unit-level mean of available scores xs with weights ws summing to 1.
func (a aggregator) mean(xs, ws []float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	var v float64
	switch a.method {
	case AggGeometric:
		s := 0.0
		for k, x := range xs {
			if ws[k] == 0 {
				continue
			}
			if x <= 0 {
				return 0
			}
			s += ws[k] * math.Log(x)
		}
		v = math.Exp(s)
	case AggHarmonic:
		s := 0.0
		for k, x := range xs {
			if ws[k] == 0 {
				continue
			}
			if x <= 0 {
				return 0
			}
			s += ws[k] / x
		}
		v = 1 / s
	case AggGeneralised:
		p := a.power
		s := 0.0
		for k, x := range xs {
			if ws[k] == 0 {
				continue
			}
			if x <= 0 && p < 0 {
				return 0
			}
			s += ws[k] * math.Pow(x, p)
		}
		v = math.Pow(s, 1/p)
	case AggMedian:
		return weightedMedian(xs, ws)
	default:
		for k, x := range xs {
			v += ws[k] * x
		}
	}
	return clamp(v, lo, hi) // every mean lies within its inputs: clamp rounding noise only
}

// weightedMedian of xs with weights ws summing to 1; see AggMedian.
func weightedMedian(xs, ws []float64) float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	cum := 0.0
	for k, i := range idx {
		cum += ws[i]
		if math.Abs(cum-0.5) < 1e-12 && k+1 < len(idx) {
			return (xs[i] + xs[idx[k+1]]) / 2
		}
		if cum > 0.5 {
			return xs[i]
		}
	}
	return xs[idx[len(idx)-1]]
}

// copeland fills out (units) with Copeland scores from the outranking matrix of cs (COINr
// outrankMatrix then a_copeland); units already NaN (no coverage) stay NaN and are not compared.
func copeland(cs [][]float64, w []float64, out []float64) {
	n := len(out)
	live := make([]bool, n)
	for u := range out {
		live[u] = !math.IsNaN(out[u])
		if live[u] {
			out[u] = 0
		}
	}
	for i := 0; i < n; i++ {
		if !live[i] {
			continue
		}
		for j := i + 1; j < n; j++ {
			if !live[j] {
				continue
			}
			// Share of weight where i beats j, ties counting half, over children both have.
			s, tot := 0.0, 0.0
			for k, c := range cs {
				a, b := c[i], c[j]
				if math.IsNaN(a) || math.IsNaN(b) {
					continue
				}
				tot += w[k]
				switch {
				case a > b:
					s += w[k]
				case a == b:
					s += w[k] / 2
				}
			}
			if tot > 0 {
				s /= tot
			}
			switch {
			case s > 0.5:
				out[i]++
				out[j]--
			case s < 0.5:
				out[i]--
				out[j]++
			}
		}
	}
}
