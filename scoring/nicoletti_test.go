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
// Expected weights were computed by hand from those loadings (python3, recipe steps as in the
// OECD/JRC Handbook §6.1): squared loadings scaled to unit sum per factor, each indicator on the
// factor where its share is largest, factor weights ∝ sum of squared loadings (2.0975 and 1.6254),
// final weights normalised to 1. Note indicator 4 (loadings 0.52, 0.48) goes to factor 2: its share
// there (0.1418) beats factor 1's (0.1289).
func TestRecipeWeightsNicoletti(t *testing.T) {
	loadings := mat.NewDense(6, 2, []float64{
		0.79, -0.01,
		0.77, 0.28,
		0.76, 0.05,
		0.52, 0.48,
		0.18, 0.84,
		-0.01, 0.78,
	})
	weights, assigned, factorVar := RecipeWeights(loadings)
	wantWeights := []float64{0.186912, 0.177568, 0.172986, 0.069003, 0.211321, 0.182210}
	wantAssigned := []int{0, 0, 0, 1, 1, 1}
	wantVar := []float64{2.0975, 1.6254}
	const tol = 1e-5 // the expected weights are rounded to 6 decimals
	for i := range wantWeights {
		if math.Abs(weights[i]-wantWeights[i]) > tol || assigned[i] != wantAssigned[i] {
			t.Errorf("indicator %d: weight %.6f on factor %d, want %.6f on factor %d", i+1, weights[i], assigned[i], wantWeights[i], wantAssigned[i])
		}
	}
	for j := range wantVar {
		if math.Abs(factorVar[j]-wantVar[j]) > 1e-9 {
			t.Errorf("factor %d explained variance %.6f, want %.4f", j+1, factorVar[j], wantVar[j])
		}
	}
}
