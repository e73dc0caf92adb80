package scoring

import (
	"math"
	"testing"
)

// TestSobolIshigami validates SobolIndices on the Ishigami function (Ishigami & Homma 1990),
// f = sin x1 + a sin² x2 + b x3⁴ sin x1 with x_i uniform on [−π, π], a = 7, b = 0.1, whose indices
// are known in closed form (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, §4.6;
// Sobol' & Levitan 1999): V1 = ½(1 + bπ⁴/5)², V2 = a²/8, V13 = 8b²π⁸/225, V3 = V12 = V23 = 0, so
// S = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437). Tolerance 0.02 with n = 2^15 (seed 2026 gives S1 within 0.01).
func TestSobolIshigami(t *testing.T) {
	const a, b = 7, 0.1
	v1 := 0.5 * math.Pow(1+b*math.Pow(math.Pi, 4)/5, 2)
	v2 := a * a / 8.0
	v13 := 8 * b * b * math.Pow(math.Pi, 8) / 225
	v := v1 + v2 + v13
	wantS := []float64{v1 / v, v2 / v, 0}
	wantST := []float64{(v1 + v13) / v, v2 / v, v13 / v}
	f := func(x, out []float64) {
		x1, x2, x3 := (2*x[0]-1)*math.Pi, (2*x[1]-1)*math.Pi, (2*x[2]-1)*math.Pi
		out[0] = math.Sin(x1) + a*math.Pow(math.Sin(x2), 2) + b*math.Pow(x3, 4)*math.Sin(x1)
	}
	first, total, variance := SobolIndices(f, 3, 1, 1<<15, 2026)
	if math.Abs(variance[0]-v)/v > 0.05 {
		t.Errorf("variance %v, analytic %v", variance[0], v)
	}
	for i := range wantS {
		if math.Abs(first[0][i]-wantS[i]) > 0.02 {
			t.Errorf("S%d = %.4f, analytic %.4f", i+1, first[0][i], wantS[i])
		}
		if math.Abs(total[0][i]-wantST[i]) > 0.02 {
			t.Errorf("ST%d = %.4f, analytic %.4f", i+1, total[0][i], wantST[i])
		}
	}
	t.Logf("S %.4f ST %.4f (analytic %.4f %.4f)", first[0], total[0], wantS, wantST)
	// Same seed, same indices; another seed, different samples.
	again, _, _ := SobolIndices(f, 3, 1, 1<<15, 2026)
	other, _, _ := SobolIndices(f, 3, 1, 1<<15, 7)
	if again[0][0] != first[0][0] || other[0][0] == first[0][0] {
		t.Errorf("seeding: %v %v %v", first[0][0], again[0][0], other[0][0])
	}
}

// TestSobolAdditive checks the estimators on a linear model with known shares: f = 1·x1 + 2·x2 +
// 0·x3 with independent uniforms has S = ST = (1, 4, 0)/5 (no interactions).
func TestSobolAdditive(t *testing.T) {
	f := func(x, out []float64) { out[0] = x[0] + 2*x[1]; out[1] = 5 }
	first, total, variance := SobolIndices(f, 3, 2, 1<<13, 1)
	for i, want := range []float64{0.2, 0.8, 0} {
		if math.Abs(first[0][i]-want) > 0.02 || math.Abs(total[0][i]-want) > 0.02 {
			t.Errorf("input %d: S %.4f ST %.4f, want %.1f", i+1, first[0][i], total[0][i], want)
		}
	}
	if variance[1] != 0 || !math.IsNaN(first[1][0]) {
		t.Errorf("constant output: variance %v, S %v; want 0 and NaN", variance[1], first[1][0])
	}
}

// TestScoreSobol runs the rank analysis on the FHI demo: seeded and reproducible, indices in
// range, and some unit's rank varies.
func TestScoreSobol(t *testing.T) {
	if testing.Short() {
		t.Skip("Sobol' analysis of the demo: a few seconds")
	}
	fw := fhiFramework(t)
	tab := readTestTable(t, "testdata/fhi_demo.csv")
	opts := Options{SobolSamples: 256, Seed: 3}
	res, err := Score(fw, tab, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sobol
	if s == nil || s.N != 256 || len(s.Units) != len(res.Units) {
		t.Fatalf("got %+v", s)
	}
	names := map[string]bool{}
	for _, in := range s.Inputs {
		names[in.Name] = true
	}
	for _, want := range []string{"weights", "pca", "normalisation", "aggregation", "treatment"} {
		if !names[want] {
			t.Errorf("inputs %v lack %s", s.Inputs, want)
		}
	}
	varying := 0
	for _, u := range s.Units {
		if u.RankVariance > 0 {
			varying++
		}
		for i := range s.Inputs {
			if u.Total[i] < -0.1 || u.Total[i] > 1.5 || math.IsNaN(u.First[i]) {
				t.Errorf("%s/%s: S %v ST %v out of range", u.Unit, s.Inputs[i].Name, u.First[i], u.Total[i])
			}
		}
	}
	if varying == 0 {
		t.Error("no unit's rank varies under any choice")
	}
	again, err := Score(fhiFramework(t), tab, opts)
	if err != nil {
		t.Fatal(err)
	}
	for u := range s.Units {
		for i := range s.Inputs {
			if again.Sobol.Units[u].Total[i] != s.Units[u].Total[i] {
				t.Fatalf("not reproducible: %s input %d", s.Units[u].Unit, i)
			}
		}
	}
}

// BenchmarkSobolFHIDemo measures the rank Sobol' analysis on the 37-unit demo with N = 256 (the
// model runs N·(k + 2) times for its k uncertain choices).
// Run: go test ./scoring -run XXX -bench SobolFHIDemo -benchtime 1x
func BenchmarkSobolFHIDemo(b *testing.B) {
	fw := fhiFramework(b)
	tab := readTestTable(b, "testdata/fhi_demo.csv")
	for b.Loop() {
		if _, err := Score(fw, tab, Options{SobolSamples: 256, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
