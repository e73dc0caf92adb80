package scoring

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
)

// Normalisation methods: how a transformed indicator column becomes scores on [0, 100], after
// direction (cost indicators inverted so that 100 is always best).
const (
	// NormMinMax, the default and the report's method: 100·(x − min)/(max − min); cost:
	// 100·(max − x)/(max − min). The best unit scores 100, the worst 0.
	NormMinMax = "minmax"
	// NormZScore maps z = (x − mean)/sd (sample sd; negated for cost) to the T-score 50 + 10·z,
	// clamped to [0, 100] (|z| > 5 is clamped).
	NormZScore = "zscore"
	// NormRank is the percentile rank 100·(r − 1)/(n − 1) with r the ascending rank (descending for
	// cost), ties sharing their mean rank.
	NormRank = "rank"
	// NormGoalposts is 100·(x − lo)/(hi − lo) clamped to [0, 100] with the indicator's declared
	// goalposts [lo, hi] (inverted for cost); indicators without goalposts use the sample min and max.
	NormGoalposts = "goalposts"
)

var normalisations = []string{NormMinMax, NormZScore, NormRank, NormGoalposts}

// Standardise maps x (no NaN, not constant — see Score for those rules) to scores on [0, 100] by
// method, inverting cost indicators. goalposts is used only by NormGoalposts and may be nil.
func Standardise(x []float64, method, direction string, goalposts []float64) ([]float64, error) {
	n := len(x)
	out := make([]float64, n)
	lo, hi := minMax(x)
	cost := direction == Cost
	switch method {
	case NormMinMax, "":
		for i, v := range x {
			out[i] = clamp(100*(v-lo)/(hi-lo), 0, 100) // clamp rounding noise
		}
	case NormGoalposts:
		if len(goalposts) == 2 {
			lo, hi = goalposts[0], goalposts[1]
		}
		for i, v := range x {
			out[i] = clamp(100*(v-lo)/(hi-lo), 0, 100)
		}
	case NormZScore:
		mean, sd := stat.MeanStdDev(x, nil)
		for i, v := range x {
			z := (v - mean) / sd
			if cost {
				z = -z
			}
			out[i] = clamp(50+10*z, 0, 100)
		}
		return out, nil
	case NormRank:
		r := midRanks(x)
		for i := range x {
			if cost {
				r[i] = float64(n+1) - r[i]
			}
			out[i] = 100 * (r[i] - 1) / float64(n-1)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("standardising: unknown normalisation %q; want one of minmax, zscore, rank, goalposts", method)
	}
	if cost {
		for i := range out {
			out[i] = 100 - out[i]
		}
	}
	return out, nil
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

// Winsorised records the outlier treatment of one indicator.
type Winsorised struct {
	Indicator string
	Points    int       // values replaced
	High      bool      // true: the largest values were pulled down; false: the smallest pulled up
	Skew      float64   // sample skewness before treatment
	Kurtosis  float64   // sample excess kurtosis before treatment
	Units     []string  // units whose values were replaced, in replacement order
	Values    []float64 `json:"-"`
}

// WinsoriseMaxPoints bounds how many values Winsorise replaces.
const WinsoriseMaxPoints = 5

// Winsorise treats outliers as the COIN / JRC audits do: while the sample skewness
// (stat.Skew) has |skew| > 2 and the sample excess kurtosis (stat.ExKurtosis) > 3.5, replace
// the most extreme value on the skewed side (the maximum for positive skew) by the next value
// inward, at most WinsoriseMaxPoints times. It returns the treated copy and the indices replaced.
func Winsorise(x []float64) (out []float64, replaced []int, skew, kurt float64) {
	out = append([]float64(nil), x...)
	skew, kurt = stat.Skew(out, nil), stat.ExKurtosis(out, nil)
	for len(replaced) < WinsoriseMaxPoints {
		s, k := stat.Skew(out, nil), stat.ExKurtosis(out, nil)
		if !(math.Abs(s) > 2 && k > 3.5) {
			break
		}
		high := s > 0
		ext := 0
		for i, v := range out {
			if high && v > out[ext] || !high && v < out[ext] {
				ext = i
			}
		}
		// next value inward: the largest (smallest) value strictly inside the extreme
		next, found := 0.0, false
		for _, v := range out {
			if high && v < out[ext] && (!found || v > next) || !high && v > out[ext] && (!found || v < next) {
				next, found = v, true
			}
		}
		if !found {
			break
		}
		out[ext] = next
		replaced = append(replaced, ext)
	}
	return out, replaced, skew, kurt
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
