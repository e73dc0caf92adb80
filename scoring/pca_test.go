package scoring

import (
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func readTestTable(t testing.TB, path string) Table {
	t.Helper()
	return readTestTableAttrs(t, path)
}

func readTestTableAttrs(t testing.TB, path string, attrs ...string) Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := ReadTableCSV(f, attrs...)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return tab
}

func tableMatrix(t Table) *mat.Dense {
	m := mat.NewDense(len(t.Units), len(t.Indicators), nil)
	for u, row := range t.Values {
		m.SetRow(u, row)
	}
	return m
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestPCAUSArrests(t *testing.T) {
	// R: prcomp(USArrests, scale. = TRUE)$sdev^2 = 2.4802416 0.9897652 0.3565632 0.1734301 and
	// PC1 rotation −0.5358995 −0.5831836 −0.2781909 −0.5434321 (R Core Team, datasets::USArrests;
	// James et al. 2013, ISLR §10.2). Independently: testdata/pca_check.py (Jacobi), which also
	// gives the recipe weights: one eigenvalue > 1, so w_i = PC1_i².
	tab := readTestTable(t, "testdata/usarrests.csv")
	res, err := PCAWeights(tableMatrix(tab), tab.Indicators)
	if err != nil {
		t.Fatal(err)
	}
	wantEig := []float64{2.4802416, 0.9897652, 0.3565632, 0.1734301}
	for i, w := range wantEig {
		if !near(res.Eigenvalues[i], w, 1e-6) {
			t.Errorf("eigenvalue %d: got %.7f, want %.7f ± 1e-6 (R prcomp)", i, res.Eigenvalues[i], w)
		}
		if !near(res.Explained[i], w/4, 1e-6) {
			t.Errorf("explained %d: got %.7f, want %.7f", i, res.Explained[i], w/4)
		}
	}
	// Our sign convention makes PC1 sum positive: R's vector negated.
	wantPC1 := []float64{0.5358995, 0.5831836, 0.2781909, 0.5434321}
	for i, w := range wantPC1 {
		if !near(res.Eigenvectors[i][0], w, 1e-6) {
			t.Errorf("PC1[%d]: got %.7f, want %.7f ± 1e-6 (R prcomp, sign flipped)", i, res.Eigenvectors[i][0], w)
		}
		if !near(res.Weights[i], w*w, 1e-6) {
			t.Errorf("weight %d: got %.7f, want PC1² = %.7f", i, res.Weights[i], w*w)
		}
	}
	if res.Kept != 1 || res.Rotated {
		t.Errorf("got kept %d rotated %v, want 1 component, unrotated (only 2.48 > 1)", res.Kept, res.Rotated)
	}
	checkSum(t, res.Weights)
	checkOrthonormal(t, res.Eigenvectors)
}

func checkOrthonormal(t *testing.T, vecs [][]float64) {
	t.Helper()
	v := mat.NewDense(len(vecs), len(vecs[0]), nil)
	for i, r := range vecs {
		v.SetRow(i, r)
	}
	var p mat.Dense
	p.Mul(v.T(), v)
	r, _ := p.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < r; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			if !near(p.At(i, j), want, 1e-12) {
				t.Errorf("VᵀV[%d,%d] = %v, want %v", i, j, p.At(i, j), want)
			}
		}
	}
}

func TestPCATwoFactorVarimax(t *testing.T) {
	// testdata/twofactor.csv: 30 units, indicators a1–a3 and b1–b3 driven by two latent factors
	// (generated and checked by testdata/pca_check.py). Expected numbers from that script, which
	// decomposes by Jacobi and rotates by Kaiser's closed-form two-factor varimax angle (Kaiser
	// 1958) — an algorithm independent of the SVD iteration used here. Tolerance 1e-5.
	tab := readTestTable(t, "testdata/twofactor.csv")
	res, err := PCAWeights(tableMatrix(tab), tab.Indicators)
	if err != nil {
		t.Fatal(err)
	}
	wantEig := []float64{2.975793, 2.428078, 0.243927, 0.175667, 0.118779, 0.057757}
	for i, w := range wantEig {
		if !near(res.Eigenvalues[i], w, 1e-5) {
			t.Errorf("eigenvalue %d: got %.6f, want %.6f (pca_check.py)", i, res.Eigenvalues[i], w)
		}
	}
	if res.Kept != 2 || !res.Rotated {
		t.Fatalf("got kept %d rotated %v, want 2, rotated", res.Kept, res.Rotated)
	}
	wantL := [][]float64{{0.953445, -0.106598}, {0.956522, -0.056138}, {0.930659, 0.021767}, {-0.142631, 0.958992}, {0.007657, 0.951698}, {-0.009908, 0.923510}}
	for i := range wantL {
		for j := range wantL[i] {
			if !near(res.Loadings[i][j], wantL[i][j], 1e-5) {
				t.Errorf("rotated loading [%d][%d]: got %.6f, want %.6f (pca_check.py)", i, j, res.Loadings[i][j], wantL[i][j])
			}
		}
	}
	wantFV := []float64{2.710619, 2.693252}
	for j, w := range wantFV {
		if !near(res.FactorVariance[j], w, 1e-5) {
			t.Errorf("factor variance %d: got %.6f, want %.6f", j, res.FactorVariance[j], w)
		}
	}
	wantW := []float64{0.169335, 0.170430, 0.161339, 0.171311, 0.168715, 0.158869}
	for i, w := range wantW {
		if !near(res.Weights[i], w, 1e-5) {
			t.Errorf("weight %s: got %.6f, want %.6f (pca_check.py)", tab.Indicators[i], res.Weights[i], w)
		}
	}
	wantAssigned := []int{0, 0, 0, 1, 1, 1}
	for i, a := range wantAssigned {
		if res.Assigned[i] != a {
			t.Errorf("assigned %s: got factor %d, want %d", tab.Indicators[i], res.Assigned[i], a)
		}
	}
	checkSum(t, res.Weights)
	checkOrthonormal(t, res.Eigenvectors)
	// Varimax is an orthogonal rotation: communalities (row sums of squared loadings) are kept.
	for i := range res.Loadings {
		var h2, h2u float64
		for j := 0; j < 2; j++ {
			h2 += res.Loadings[i][j] * res.Loadings[i][j]
			l := res.Eigenvectors[i][j] * math.Sqrt(res.Eigenvalues[j])
			h2u += l * l
		}
		if !near(h2, h2u, 1e-10) {
			t.Errorf("communality %d: rotated %v, unrotated %v", i, h2, h2u)
		}
	}
}

func TestRecipeWeightsHandComputed(t *testing.T) {
	// Steps 5–7 of the OECD/JRC Handbook (2008) §6.1 recipe, by hand on rotated loadings
	//	      F1   F2
	//	x1   0.9  0.1
	//	x2   0.8  0.3
	//	x3   0.2  0.9
	// Expl.Var: F1 = .81+.64+.04 = 1.49, F2 = .01+.09+.81 = 0.91; total 2.40.
	// Scaled squared loadings: F1 .81/1.49 = .543624, .64/1.49 = .429530, .04/1.49 = .026846;
	// F2 .01/.91 = .010989, .09/.91 = .098901, .81/.91 = .890110.
	// Assign x1, x2 → F1 and x3 → F2. Weights = scaled × Expl.Var/total: x1 .81/2.40 = .3375,
	// x2 .64/2.40 = .266667, x3 .81/2.40 = .3375; sum .941667; normalised .358407, .283186, .358407.
	l := mat.NewDense(3, 2, []float64{0.9, 0.1, 0.8, 0.3, 0.2, 0.9})
	w, assigned, fv := RecipeWeights(l)
	want := []float64{0.81 / 2.26, 0.64 / 2.26, 0.81 / 2.26}
	for i := range want {
		if !near(w[i], want[i], 1e-12) {
			t.Errorf("weight %d: got %.6f, want %.6f (hand computation)", i, w[i], want[i])
		}
	}
	if assigned[0] != 0 || assigned[1] != 0 || assigned[2] != 1 {
		t.Errorf("assigned: got %v, want [0 0 1]", assigned)
	}
	if !near(fv[0], 1.49, 1e-12) || !near(fv[1], 0.91, 1e-12) {
		t.Errorf("factor variance: got %v, want [1.49 0.91]", fv)
	}
}

func TestPCADegenerate(t *testing.T) {
	tests := []struct {
		name string
		cols [][]float64
		want []float64
	}{
		{"single indicator", [][]float64{{1, 2, 3}}, []float64{1}},
		{"two correlated", [][]float64{{1, 2, 3, 4}, {2, 1, 4, 3}}, []float64{0.5, 0.5}},
		{"two uncorrelated", [][]float64{{1, 2, 1, 2}, {1, 1, 2, 2}}, []float64{0.5, 0.5}},
		{"two anti-correlated", [][]float64{{1, 2, 3, 4}, {4, 3, 2, 1}}, []float64{0.5, 0.5}},
		{"constant gets zero", [][]float64{{1, 2, 3, 4}, {5, 5, 5, 5}, {2, 1, 4, 3}}, []float64{0.5, 0, 0.5}},
		{"all constant", [][]float64{{1, 1, 1}, {2, 2, 2}}, []float64{0.5, 0.5}},
		{"one varying", [][]float64{{1, 1, 1}, {2, 3, 2}}, []float64{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.cols[0])
			x := mat.NewDense(n, len(tt.cols), nil)
			names := make([]string, len(tt.cols))
			for j, c := range tt.cols {
				x.SetCol(j, c)
				names[j] = string(rune('a' + j))
			}
			res, err := PCAWeights(x, names)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				if !near(res.Weights[i], tt.want[i], 1e-12) {
					t.Errorf("weight %d: got %v, want %v (%s)", i, res.Weights[i], tt.want[i], res.Note)
				}
			}
		})
	}
	x := mat.NewDense(2, 1, []float64{1, math.NaN()})
	if _, err := PCAWeights(x, []string{"a"}); err == nil {
		t.Error("NaN: got nil error")
	}
}

func TestPCAAffineInvariant(t *testing.T) {
	// Correlation-based PCA: rescaling or inverting a column changes no weight.
	tab := readTestTable(t, "testdata/usarrests.csv")
	x := tableMatrix(tab)
	base, _ := PCAWeights(x, tab.Indicators)
	y := mat.DenseCopyOf(x)
	for i := 0; i < 50; i++ {
		y.Set(i, 1, 1000-3*y.At(i, 1))
		y.Set(i, 3, 0.01*y.At(i, 3)+7)
	}
	got, _ := PCAWeights(y, tab.Indicators)
	for i := range base.Weights {
		if !near(base.Weights[i], got.Weights[i], 1e-10) {
			t.Errorf("weight %d: got %v after affine maps, want %v", i, got.Weights[i], base.Weights[i])
		}
	}
}
