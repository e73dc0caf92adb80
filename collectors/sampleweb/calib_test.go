package sampleweb

import (
	"math"
	"sort"
	"strings"
	"testing"
)

// proxyScore scores truth indicators by the report's method with a local proxy for the weights:
// min-max to [0, 100] over the 36 cities (cost_of_living inverted), equal weights inside each
// level-2 group, level-2 groups averaged into level 1, level-1 averaged into the total.
// (The scoring package's AHP/PCA weights replace this proxy once it lands.)
func proxyScore(ind map[string]map[string]float64) map[string]map[string]float64 {
	norm := map[string]map[string]float64{}
	for c := range ind {
		norm[c] = map[string]float64{}
	}
	for _, id := range IndicatorIDs {
		lo, hi := math.Inf(1), math.Inf(-1)
		for c := range ind {
			lo, hi = math.Min(lo, ind[c][id]), math.Max(hi, ind[c][id])
		}
		for c := range ind {
			x := 0.0
			if hi > lo {
				x = (ind[c][id] - lo) / (hi - lo) * 100
			}
			if id == "ecosystem.business.cost_of_living" {
				x = 100 - x
			}
			norm[c][id] = x
		}
	}
	out := map[string]map[string]float64{}
	for c := range ind {
		groups := map[string][]float64{}
		for _, id := range IndicatorIDs {
			parts := strings.Split(id, ".")
			g := parts[0] + "." + parts[1]
			groups[g] = append(groups[g], norm[c][id])
		}
		l1 := map[string][]float64{}
		for g, xs := range groups {
			l1[strings.Split(g, ".")[0]] = append(l1[strings.Split(g, ".")[0]], mean(xs))
		}
		out[c] = map[string]float64{}
		var tot []float64
		for k, xs := range l1 {
			out[c][k] = mean(xs)
			tot = append(tot, out[c][k])
		}
		out[c]["total"] = mean(tot)
	}
	return out
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func ranking(scores map[string]map[string]float64, key string) []string {
	var cs []string
	for c := range scores {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if scores[cs[i]][key] != scores[cs[j]][key] {
			return scores[cs[i]][key] > scores[cs[j]][key]
		}
		return cs[i] < cs[j]
	})
	return cs
}

// spearman returns Spearman's ρ between the published order and the positions of the same cities
// in got (ranks re-numbered among the published cities).
func spearman(published, got []string) float64 {
	pos := map[string]int{}
	k := 0
	in := map[string]bool{}
	for _, c := range published {
		in[c] = true
	}
	for _, c := range got {
		if in[c] {
			pos[c] = k
			k++
		}
	}
	n := float64(len(published))
	var d2 float64
	for i, c := range published {
		d := float64(i - pos[c])
		d2 += d * d
	}
	return 1 - 6*d2/(n*(n*n-1))
}

func TestCalibration(t *testing.T) {
	w := testWorld(t, Options{Seed: 1, Scale: 1})
	scores := proxyScore(w.Indicators())
	for _, tt := range []struct {
		key       string
		published []string
		minRho    float64
	}{
		{"total", orderTotal, 0.9},
		{"industry", orderIndustry, 0.8},
		{"experience", orderExperience, 0.7},
		{"ecosystem", orderEcosystem, 0.8},
	} {
		got := ranking(scores, tt.key)
		rho := spearman(tt.published, got)
		t.Logf("%s: ρ = %.3f, top 10 %v", tt.key, rho, got[:10])
		if rho < tt.minRho {
			t.Errorf("%s: Spearman ρ = %.3f with the published top 20, want ≥ %.2f", tt.key, rho, tt.minRho)
		}
		if tt.key == "total" {
			if strings.Join(got[:5], " ") != strings.Join(orderTotal[:5], " ") {
				t.Errorf("total top 5 = %v, want %v", got[:5], orderTotal[:5])
			}
		}
	}
}
