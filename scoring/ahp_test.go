package scoring

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// matrixFrom parses rows of space-separated judgments such as "1 1/3 5".
func matrixFrom(t *testing.T, rows ...string) *mat.Dense {
	t.Helper()
	m := mat.NewDense(len(rows), len(rows), nil)
	for i, r := range rows {
		for j, f := range strings.Fields(r) {
			a, err := ParseJudgment(f)
			if err != nil {
				t.Fatal(err)
			}
			m.Set(i, j, a)
		}
	}
	return m
}

func TestAHPPublishedExamples(t *testing.T) {
	tests := []struct {
		name    string
		source  string
		rows    []string
		weights []float64
		wTol    float64
		lambda  float64
		cr      float64
		tol     float64
	}{
		{
			// Saaty (1990), "How to make a decision: the analytic hierarchy process", EJOR 48:9–26,
			// §"wealth of nations" (also Saaty 1980 §2.x): US, USSR, China, France, UK, Japan,
			// W. Germany. Published: .427 .230 .021 .052 .052 .123 .094, λmax 7.61, CR .08.
			// Verified to 6 digits by power iteration: testdata/ahp_check.py.
			name:   "saaty wealth of nations",
			source: "Saaty 1990 EJOR 48; testdata/ahp_check.py",
			rows: []string{
				"1 4 9 6 6 5 5",
				"1/4 1 7 5 5 3 4",
				"1/9 1/7 1 1/5 1/5 1/7 1/5",
				"1/6 1/5 5 1 1 1/3 1/3",
				"1/6 1/5 5 1 1 1/3 1/3",
				"1/5 1/3 7 3 3 1 2",
				"1/5 1/4 5 3 3 1/2 1",
			},
			weights: []float64{0.427115, 0.230293, 0.020838, 0.052386, 0.052386, 0.122719, 0.094263},
			wTol:    1e-5, lambda: 7.607720, cr: 0.076732, tol: 1e-5,
		},
		{
			// Wikipedia, "Analytic hierarchy process – leader example", criteria matrix
			// (Experience, Education, Charisma, Age). Published priorities .547 .127 .270 .056,
			// CR .044. Verified by power iteration: testdata/ahp_check.py (λmax 4.118418).
			name:   "wikipedia leader criteria",
			source: "Wikipedia AHP leader example; testdata/ahp_check.py",
			rows: []string{
				"1 4 3 7",
				"1/4 1 1/3 3",
				"1/3 3 1 5",
				"1/7 1/3 1/5 1",
			},
			weights: []float64{0.547569, 0.126555, 0.269950, 0.055926},
			wTol:    1e-5, lambda: 4.118418, cr: 0.043859, tol: 1e-5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := AHP(matrixFrom(t, tt.rows...), SaatyRI)
			if err != nil {
				t.Fatalf("AHP: %v", err)
			}
			for i, w := range tt.weights {
				if math.Abs(res.Weights[i]-w) > tt.wTol {
					t.Errorf("weight %d: got %.6f, want %.6f ± %g (%s)", i, res.Weights[i], w, tt.wTol, tt.source)
				}
			}
			if math.Abs(res.LambdaMax-tt.lambda) > tt.tol {
				t.Errorf("λmax: got %.6f, want %.6f (%s)", res.LambdaMax, tt.lambda, tt.source)
			}
			if math.Abs(res.CR-tt.cr) > tt.tol {
				t.Errorf("CR: got %.6f, want %.6f (%s)", res.CR, tt.cr, tt.source)
			}
			n := float64(len(tt.rows))
			if ci := (res.LambdaMax - n) / (n - 1); math.Abs(res.CI-ci) > 1e-12 {
				t.Errorf("CI: got %v, want (λmax−n)/(n−1) = %v", res.CI, ci)
			}
			checkSum(t, res.Weights)
		})
	}
}

func checkSum(t *testing.T, w []float64) {
	t.Helper()
	s := 0.0
	for _, v := range w {
		if !(v >= 0) {
			t.Errorf("weight %v is negative or NaN", v)
		}
		s += v
	}
	if math.Abs(s-1) > 1e-12 {
		t.Errorf("weights sum to %.15f, want 1", s)
	}
}

func TestAHPInconsistentRejected(t *testing.T) {
	// Saaty (1977), "A scaling method for priorities in hierarchical structures", J. Math. Psych.
	// 15:234–281 — the light-intensity experiment (four chairs at increasing distance from a
	// lamp). Published λmax 4.39 and CR 0.14 (CI 0.13 / RI 0.90); independently 4.390730 and
	// 0.144715 by power iteration (testdata/ahp_check.py).
	m := matrixFrom(t, "1 5 6 7", "1/5 1 4 6", "1/6 1/4 1 4", "1/7 1/6 1/4 1")
	res, err := AHP(m, SaatyRI)
	var ie *InconsistencyError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v, want *InconsistencyError", err)
	}
	if math.Abs(ie.CR-0.144715) > 1e-5 || math.Abs(res.LambdaMax-4.390730) > 1e-5 {
		t.Errorf("got CR %.6f λmax %.6f, want 0.144715 and 4.390730 (Saaty 1977; ahp_check.py)", ie.CR, res.LambdaMax)
	}
	if len(ie.Worst) == 0 || len(ie.Worst) > 3 {
		t.Fatalf("got %d worst judgments, want 1–3", len(ie.Worst))
	}
	for k := 1; k < len(ie.Worst); k++ {
		if ie.Worst[k].Error > ie.Worst[k-1].Error {
			t.Errorf("worst judgments not sorted: %v", ie.Worst)
		}
	}
	// The judgment the weights contradict most: a[1,2]=5 and a[2,4]=6 against a[1,4]=7 …
	// whichever it is, it must be the maximum of |a_ij·w_j/w_i − 1| over the upper triangle.
	all := WorstJudgments(m, res.Weights, 100)
	if ie.Worst[0] != all[0] {
		t.Errorf("worst: got %v, want %v", ie.Worst[0], all[0])
	}
	if !strings.Contains(ie.Error(), "CR 0.14") {
		t.Errorf("message %q does not name the CR", ie.Error())
	}
}

func TestAHPConsistentExact(t *testing.T) {
	// A matrix built from the ratios of w = (0.5, 0.25, 0.125, 0.125) is perfectly consistent:
	// its principal eigenvector is w exactly, λmax = n, CI = CR = 0 (Saaty 1980, Theorem 1.1).
	w := []float64{0.5, 0.25, 0.125, 0.125}
	m := mat.NewDense(4, 4, nil)
	for i := range w {
		for j := range w {
			m.Set(i, j, w[i]/w[j])
		}
	}
	res, err := AHP(m, SaatyRI)
	if err != nil {
		t.Fatal(err)
	}
	for i := range w {
		if math.Abs(res.Weights[i]-w[i]) > 1e-12 {
			t.Errorf("weight %d: got %.15f, want %v", i, res.Weights[i], w[i])
		}
	}
	if res.CR != 0 || res.CI != 0 || math.Abs(res.LambdaMax-4) > 1e-12 {
		t.Errorf("got λmax %v CI %v CR %v, want 4, 0, 0", res.LambdaMax, res.CI, res.CR)
	}
}

func TestAHPSmall(t *testing.T) {
	tests := []struct {
		rows []string
		want []float64
	}{
		{[]string{"1"}, []float64{1}},
		{[]string{"1 3", "1/3 1"}, []float64{0.75, 0.25}},
		{[]string{"1 9", "1/9 1"}, []float64{0.9, 0.1}},
	}
	for _, tt := range tests {
		res, err := AHP(matrixFrom(t, tt.rows...), SaatyRI)
		if err != nil {
			t.Fatalf("%v: %v", tt.rows, err)
		}
		if res.CR != 0 || res.CI != 0 {
			t.Errorf("%v: n ≤ 2 must be consistent, got CR %v", tt.rows, res.CR)
		}
		for i := range tt.want {
			if math.Abs(res.Weights[i]-tt.want[i]) > 1e-12 {
				t.Errorf("%v: weight %d got %v, want %v (a/(1+a))", tt.rows, i, res.Weights[i], tt.want[i])
			}
		}
	}
}

func TestAHPBadMatrix(t *testing.T) {
	tests := map[string]*mat.Dense{
		"not reciprocal": matrixFrom(t, "1 3", "3 1"),
		"zero":           mat.NewDense(2, 2, []float64{1, 0, 0, 1}),
		"diagonal":       matrixFrom(t, "2 1", "1 1"),
		"not square":     mat.NewDense(2, 3, []float64{1, 1, 1, 1, 1, 1}),
	}
	for name, m := range tests {
		if _, err := AHP(m, SaatyRI); !errors.Is(err, ErrNotReciprocal) {
			t.Errorf("%s: got %v, want ErrNotReciprocal", name, err)
		}
	}
	big := mat.NewDense(16, 16, nil)
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			big.Set(i, j, 1)
		}
	}
	if _, err := AHP(big, SaatyRI); err == nil {
		t.Error("n=16 beyond Saaty's table: got nil error")
	}
}

func TestScoresMatrix(t *testing.T) {
	tests := []struct {
		name  string
		s     []float64
		rule  string
		k     float64
		i, j  int
		want  float64
		exact bool // ratio rule without clamping: weights are the normalised scores
	}{
		{"equal scores", []float64{5, 5}, RuleDifference, 1, 0, 1, 1, false},
		{"one point", []float64{6, 5}, RuleDifference, 1, 0, 1, 2, false},
		{"one point reversed", []float64{6, 5}, RuleDifference, 1, 1, 0, 0.5, false},
		{"9 vs 1 is extreme", []float64{9, 1}, RuleDifference, 1, 0, 1, 9, false},
		{"clamped", []float64{9, 1}, RuleDifference, 2, 0, 1, 9, false},
		{"clamped reversed", []float64{9, 1}, RuleDifference, 2, 1, 0, 1.0 / 9, false},
		{"half scale", []float64{7, 5}, RuleDifference, 0.5, 0, 1, 2, false},
		{"ratio", []float64{6, 3, 1}, RuleRatio, 1, 0, 1, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ScoresMatrix(tt.s, tt.rule, tt.k)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.At(tt.i, tt.j); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("a[%d,%d]: got %v, want %v", tt.i, tt.j, got, tt.want)
			}
			n := len(tt.s)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					if math.Abs(m.At(i, j)*m.At(j, i)-1) > 1e-12 {
						t.Errorf("a[%d,%d]·a[%d,%d] = %v, want 1", i, j, j, i, m.At(i, j)*m.At(j, i))
					}
				}
			}
			if tt.exact {
				res, err := AHP(m, SaatyRI)
				if err != nil {
					t.Fatal(err)
				}
				sum := 0.0
				for _, v := range tt.s {
					sum += v
				}
				for i, v := range tt.s {
					if math.Abs(res.Weights[i]-v/sum) > 1e-12 {
						t.Errorf("ratio rule weight %d: got %v, want %v", i, res.Weights[i], v/sum)
					}
				}
			}
		})
	}
	if _, err := ScoresMatrix([]float64{1, 2}, "nope", 1); err == nil {
		t.Error("unknown rule: got nil error")
	}
}

func TestGeometricMeanMatrix(t *testing.T) {
	a := matrixFrom(t, "1 3", "1/3 1")
	b := matrixFrom(t, "1 1/3", "3 1")
	c := matrixFrom(t, "1 4", "1/4 1")
	if got := GeometricMeanMatrix([]*mat.Dense{a, b}).At(0, 1); math.Abs(got-1) > 1e-12 {
		t.Errorf("gm(3, 1/3): got %v, want 1", got)
	}
	g := GeometricMeanMatrix([]*mat.Dense{a, c})
	if got := g.At(0, 1); math.Abs(got-math.Sqrt(12)) > 1e-12 {
		t.Errorf("gm(3, 4): got %v, want √12", got)
	}
	if p := g.At(0, 1) * g.At(1, 0); math.Abs(p-1) > 1e-12 {
		t.Errorf("geometric mean not reciprocal: product %v", p)
	}
}

func TestSaatyStep(t *testing.T) {
	tests := []struct {
		a    float64
		step int
		want float64
	}{
		{1, 1, 2}, {1, -1, 0.5}, {3, 1, 4}, {3, -1, 2}, {2, -1, 1}, {0.5, -1, 1.0 / 3},
		{9, 1, 9}, {1.0 / 9, -1, 1.0 / 9}, {2.5, 0, 2.5}, {0.4, 0, 0.4},
	}
	for _, tt := range tests {
		if got := SaatyStep(tt.a, tt.step); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("SaatyStep(%v, %d): got %v, want %v", tt.a, tt.step, got, tt.want)
		}
	}
}
