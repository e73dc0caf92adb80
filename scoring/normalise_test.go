package scoring

import (
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
