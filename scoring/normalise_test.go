package scoring

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
)

func TestStandardise(t *testing.T) {
	x := []float64{10, 20, 20, 50}
	tests := []struct {
		method, dir string
		goal        []float64
		want        []float64
	}{
		// 100·(x − 10)/40
		{NormMinMax, Benefit, nil, []float64{0, 25, 25, 100}},
		{NormMinMax, Cost, nil, []float64{100, 75, 75, 0}},
		// mid-ranks 1, 2.5, 2.5, 4 → 100·(r − 1)/3
		{NormRank, Benefit, nil, []float64{0, 50, 50, 100}},
		{NormRank, Cost, nil, []float64{100, 50, 50, 0}},
		// goalposts [0, 40]: 25, 50, 50, 125 → clamped 100
		{NormGoalposts, Benefit, []float64{0, 40}, []float64{25, 50, 50, 100}},
		{NormGoalposts, Cost, []float64{0, 40}, []float64{75, 50, 50, 0}},
		{NormGoalposts, Benefit, nil, []float64{0, 25, 25, 100}},
	}
	for _, tt := range tests {
		got, err := Standardise(x, tt.method, tt.dir, tt.goal)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tt.want {
			if !near(got[i], tt.want[i], 1e-12) {
				t.Errorf("%s/%s %v: got %v, want %v", tt.method, tt.dir, tt.goal, got, tt.want)
				break
			}
		}
	}
	// z-score: mean 25, sample sd √300 = 17.3205; T = 50 + 10z.
	got, _ := Standardise(x, NormZScore, Benefit, nil)
	mean, sd := stat.MeanStdDev(x, nil)
	for i, v := range x {
		if want := 50 + 10*(v-mean)/sd; !near(got[i], want, 1e-12) {
			t.Errorf("zscore %d: got %v, want %v", i, got[i], want)
		}
	}
	if _, err := Standardise(x, "bogus", Benefit, nil); err == nil {
		t.Error("unknown method: got nil error")
	}
}

func TestWinsorise(t *testing.T) {
	// 1…9 and 100: skew 2.85 > 2, excess kurtosis 8.4 > 3.5 (gonum stat.Skew/ExKurtosis, sample
	// formulas). Replacing 100 by the next value inward (9) leaves skew −0.2: one point treated.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 100}
	out, idx, skew, kurt := Winsorise(x)
	if len(idx) != 1 || idx[0] != 9 || out[9] != 9 {
		t.Fatalf("got replaced %v, out %v; want index 9 set to 9", idx, out)
	}
	if !(skew > 2 && kurt > 3.5) {
		t.Errorf("before: skew %v kurtosis %v, want > 2 and > 3.5", skew, kurt)
	}
	if s := stat.Skew(out, nil); math.Abs(s) > 2 {
		t.Errorf("after: skew %v", s)
	}
	if x[9] != 100 {
		t.Error("input modified")
	}
	// A symmetric sample is left alone.
	if _, idx, _, _ := Winsorise([]float64{1, 2, 3, 4, 5}); len(idx) != 0 {
		t.Errorf("symmetric: replaced %v", idx)
	}
	// Never more than WinsoriseMaxPoints.
	heavy := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}
	if _, idx, _, _ := Winsorise(heavy); len(idx) > WinsoriseMaxPoints {
		t.Errorf("replaced %d points, max %d", len(idx), WinsoriseMaxPoints)
	}
}
