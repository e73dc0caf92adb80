package scoring

import (
	"testing"
)

func TestSensitivityProperties(t *testing.T) {
	fw := fhiFramework(t)
	tab := readTestTable(t, "testdata/fhi_demo.csv")
	res, err := Score(fw, tab, Options{MonteCarloDraws: 200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sensitivity
	if s == nil || s.Draws != 200 || len(s.Units) != len(res.Units) || len(s.Weights) != len(res.Nodes)-1 {
		t.Fatalf("got %+v", s)
	}
	for _, u := range s.Units {
		if !(float64(u.P05) <= u.MedianRank && u.MedianRank <= float64(u.P95)) || u.P05 < 1 || u.P95 > len(res.Units) {
			t.Errorf("%s: p05 %d median %v p95 %d out of order or range", u.Unit, u.P05, u.MedianRank, u.P95)
		}
	}
	for _, w := range s.Weights {
		if !(w.P05 <= w.P95) || w.Importance < 0 || w.P05 < 0 || w.P95 > 1 {
			t.Errorf("%s: p05 %v p95 %v importance %v", w.Node, w.P05, w.P95, w.Importance)
		}
	}
	if none, _ := Score(fw, tab, Options{}); none.Sensitivity != nil {
		t.Error("Sensitivity must be nil with 0 draws")
	}
}

// BenchmarkMonteCarlo10k is the target: 10,000 draws on 37 units in a few seconds.
// Run: go test ./scoring -run XXX -bench MonteCarlo -benchtime 1x
func BenchmarkMonteCarlo10k(b *testing.B) {
	fw := fhiFramework(b)
	tab := readTestTable(b, "testdata/fhi_demo.csv")
	for b.Loop() {
		if _, err := Score(fw, tab, Options{MonteCarloDraws: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	fw := fhiFramework(b)
	tab := readTestTable(b, "testdata/fhi_demo.csv")
	for b.Loop() {
		if _, err := Score(fw, tab, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
