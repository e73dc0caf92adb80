package report

import (
	"math"
	"sort"
)

// tierCount is how many tiers (梯队) a sub-index's leading cities are split into, as the 2017
// report did ("主要可划分为三个梯队").
const tierCount = 3

// distinctGapRatio: tiers are called distinct (梯队感明显) when the gaps between tiers average at
// least this many times the gaps between neighbours within a tier; below it the report's words
// are "梯队感不明显" — the scores are too even for tiers to mean much.
const distinctGapRatio = 2.0

// tiering splits scores (sorted best first) into k classes by Fisher's optimal one-dimensional
// classification — the Jenks natural breaks, minimising the within-class sum of squared
// deviations — and returns the index where each class after the first starts.
func tiering(scores []float64, k int) []int {
	n := len(scores)
	if k <= 1 || n <= k {
		out := make([]int, 0, max(0, n-1))
		for i := 1; i < n && len(out) < k-1; i++ {
			out = append(out, i)
		}
		return out
	}
	// ssd(i, j): sum of squared deviations of scores[i:j], from prefix sums.
	s1 := make([]float64, n+1)
	s2 := make([]float64, n+1)
	for i, v := range scores {
		s1[i+1] = s1[i] + v
		s2[i+1] = s2[i] + v*v
	}
	ssd := func(i, j int) float64 {
		m := float64(j - i)
		sum := s1[j] - s1[i]
		return s2[j] - s2[i] - sum*sum/m
	}
	// cost[c][j]: best cost of splitting scores[:j] into c+1 classes; from[c][j]: start of the last.
	cost := make([][]float64, k)
	from := make([][]int, k)
	for c := range cost {
		cost[c] = make([]float64, n+1)
		from[c] = make([]int, n+1)
		for j := range cost[c] {
			cost[c][j] = math.Inf(1)
		}
	}
	for j := 1; j <= n; j++ {
		cost[0][j] = ssd(0, j)
	}
	for c := 1; c < k; c++ {
		for j := c + 1; j <= n; j++ {
			for i := c; i < j; i++ {
				if v := cost[c-1][i] + ssd(i, j); v < cost[c][j] {
					cost[c][j], from[c][j] = v, i
				}
			}
		}
	}
	breaks := make([]int, k-1)
	j := n
	for c := k - 1; c >= 1; c-- {
		breaks[c-1] = from[c][j]
		j = from[c][j]
	}
	sort.Ints(breaks)
	return breaks
}

// tiersDistinct compares the gaps at the breaks with the gaps inside the tiers.
func tiersDistinct(scores []float64, breaks []int) bool {
	if len(breaks) == 0 || len(scores) < 3 {
		return false
	}
	isBreak := map[int]bool{}
	for _, b := range breaks {
		isBreak[b] = true
	}
	var between, within float64
	var nb, nw int
	for i := 1; i < len(scores); i++ {
		gap := scores[i-1] - scores[i]
		if isBreak[i] {
			between += gap
			nb++
		} else {
			within += gap
			nw++
		}
	}
	if nw == 0 || within == 0 {
		return between > 0
	}
	return between/float64(nb) >= distinctGapRatio*within/float64(nw)
}
