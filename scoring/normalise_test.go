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

// TestNormaliseCOINr checks the normalisations against COINr 1.1.14's n_* functions run in R 4.2.2
// on x = 3, 1, 4, 1, 5, 9, 2, 6, NA (COINr multiplies a cost indicator by −1 first, so cost
// cases are n_*(−x)); COINr's dist2max, dist2ref and fracmax are on [0, 1], ours ×100. The
// missing value stays missing.
func TestNormaliseCOINr(t *testing.T) {
	nan := math.NaN()
	x := []float64{3, 1, 4, 1, 5, 9, 2, 6, nan}
	tests := []struct {
		name string
		spec NormSpec
		dir  string
		ref  int
		want []float64
	}{
		{"borda", NormSpec{Method: NormBorda}, Benefit, -1, []float64{3, 0, 4, 0, 5, 7, 2, 6, nan}},
		{"zscore [0,1] (COINr default)", NormSpec{Method: NormZScore, Params: []float64{0, 1}}, Benefit, -1,
			[]float64{-0.3183698133640590, -1.0460722439104793, 0.0454814019091513, -1.0460722439104793, 0.4093326171823615, 1.8647374782752024, -0.6822210286372692, 0.7731838324555717, nan}},
		{"zscore T-score, cost", NormSpec{Method: NormZScore}, Cost, -1,
			[]float64{53.1836981336406, 60.4607224391048, 49.5451859809085, 60.4607224391048, 45.9066738281764, 31.3526252172480, 56.8222102863727, 42.2681616754443, nan}},
		{"dist2ref unit 3", NormSpec{Method: NormDist2Ref, Reference: "u3"}, Benefit, 2,
			[]float64{66.6666666666667, 0, 100, 0, 133.333333333333, 266.666666666667, 33.3333333333333, 166.666666666667, nan}},
		{"dist2ref capped", NormSpec{Method: NormDist2Ref, Reference: "u3", Clamp: true}, Benefit, 2,
			[]float64{66.6666666666667, 0, 100, 0, 100, 100, 33.3333333333333, 100, nan}},
		{"dist2max", NormSpec{Method: NormDist2Max}, Benefit, -1, []float64{25, 0, 37.5, 0, 50, 100, 12.5, 62.5, nan}},
		{"fracmax", NormSpec{Method: NormFracMax}, Benefit, -1, []float64{33.3333333333333, 11.1111111111111, 44.4444444444444, 11.1111111111111, 55.5555555555556, 100, 22.2222222222222, 66.6666666666667, nan}},
		{"minmax cost", NormSpec{Method: NormMinMax}, Cost, -1, []float64{75, 100, 62.5, 100, 50, 0, 87.5, 37.5, nan}},
		{"minmax [1,10]", NormSpec{Method: NormMinMax, Params: []float64{1, 10}}, Benefit, -1, []float64{3.25, 1, 4.375, 1, 5.5, 10, 2.125, 6.625, nan}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, clamped, err := Normalise(x, tt.spec, tt.dir, nil, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				if math.IsNaN(tt.want[i]) != math.IsNaN(got[i]) || !math.IsNaN(got[i]) && !near(got[i], tt.want[i], 1e-9) {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
			if tt.spec.Clamp && clamped != 3 {
				t.Errorf("clamped %d, want 3", clamped)
			}
		})
	}
	if _, _, err := Normalise(x, NormSpec{Method: NormDist2Ref, Reference: "u2"}, Benefit, nil, 1); err == nil {
		t.Error("reference at the minimum: got nil error, want division by zero reported")
	}
	if _, _, err := Normalise(x, NormSpec{Method: NormDist2Ref, Reference: "u9"}, Benefit, nil, 8); err == nil {
		t.Error("reference with no value: got nil error")
	}
}
