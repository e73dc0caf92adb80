package scoring

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestRecipeWeightsNicoletti applies the weighting recipe to published rotated loadings: the
// "state control" domain of Nicoletti, Scarpetta and Boylaud (2000), Summary indicators of product
// market regulation with an extension to employment protection legislation, OECD Economics
// Department Working Paper 226, p. 22 — six indicators on two varimax-rotated factors.
// Expected weights were computed by hand from those loadings (python3): factor variances 2.0975
// and 1.6254 (sums of squared loadings); each indicator on its factor, weight ∝ its squared
// loading there (= scaled squared loading × the factor's share of explained variance),
// normalised to 1. Indicator 4 (loadings 0.52, 0.48) is the one the two assignment rules split:
// by highest loading (the default, Handbook §6.1) it joins factor 1; by the larger scaled share
// (0.1418 against 0.1289) factor 2.
func TestRecipeWeightsNicoletti(t *testing.T) {
	loadings := mat.NewDense(6, 2, []float64{
		0.79, -0.01,
		0.77, 0.28,
		0.76, 0.05,
		0.52, 0.48,
		0.18, 0.84,
		-0.01, 0.78,
	})
	tests := []struct {
		assign   string
		weights  []float64
		assigned []int
	}{
		{AssignLoading, []float64{0.184700, 0.175466, 0.170938, 0.080024, 0.208819, 0.180053}, []int{0, 0, 0, 0, 1, 1}},
		{AssignShare, []float64{0.186912, 0.177568, 0.172986, 0.069003, 0.211321, 0.182210}, []int{0, 0, 0, 1, 1, 1}},
	}
	wantVar := []float64{2.0975, 1.6254}
	const tol = 1e-5 // the expected weights are rounded to 6 decimals
	for _, tt := range tests {
		t.Run(tt.assign, func(t *testing.T) {
			weights, assigned, factorVar := RecipeWeightsBy(loadings, tt.assign)
			for i := range tt.weights {
				if math.Abs(weights[i]-tt.weights[i]) > tol || assigned[i] != tt.assigned[i] {
					t.Errorf("indicator %d: weight %.6f on factor %d, want %.6f on factor %d", i+1, weights[i], assigned[i], tt.weights[i], tt.assigned[i])
				}
			}
			for j := range wantVar {
				if math.Abs(factorVar[j]-wantVar[j]) > 1e-9 {
					t.Errorf("factor %d explained variance %.6f, want %.4f", j+1, factorVar[j], wantVar[j])
				}
			}
		})
	}
	if w, _, _ := RecipeWeights(loadings); math.Abs(w[3]-0.080024) > tol {
		t.Errorf("RecipeWeights default: indicator 4 weight %.6f, want the highest-loading rule's 0.080024", w[3])
	}
}
