package scoring

import (
	"math"
	"slices"
	"testing"
)

// asemRaw reads columns of COINr's ASEM_iData (testdata/asem/data.csv, see its README).
func asemRaw(t *testing.T) Table {
	t.Helper()
	return readTestTableAttrs(t, "testdata/asem/data.csv", "EurAsia_group", "GDP_group", "GDPpc_group", "Pop_group")
}

// TestTreatCOINr checks Treat against COINr 1.1.14's Treat() with its defaults (winsorise up to
// winmax 5 points, |skew| 2, kurtosis 3.5, then log_CT). Sources, per case:
//   - vignette: the "treat" vignette of COINr (docs/articles/treat.html), printed to 7 digits
//     (tolerance 1e-6): x = 1…10, 30, 100; ASEM raw data, head(Dets_Table) with the defaults and
//     with winmax = 1, where Goods falls through to log_CT;
//   - R: COINr 1.1.14's Treat() run in R 4.2.2 on the vectors shown, printed to 12+ digits
//     (tolerance 1e-9): ties are winsorised together and counted (nwin 2), the low side, a count
//     that overshoots winmax on a tie, and log_CT with its values.
func TestTreatCOINr(t *testing.T) {
	seq := func(a, b int) []float64 {
		var x []float64
		for i := a; i <= b; i++ {
			x = append(x, float64(i))
		}
		return x
	}
	asem := asemRaw(t)
	type shape struct{ skew, kurt float64 }
	tests := []struct {
		name   string
		x      []float64
		winmax int
		tol    float64
		before shape
		nwin   int
		after  *shape // after winsorising; nil when untreated
		logCT  *shape // after log_CT; nil when not applied
		points map[int]string
		values map[int]float64
	}{
		{name: "vignette 1…10,30,100 winmax 2", x: append(seq(1, 10), 30, 100), winmax: 2, tol: 1e-6,
			before: shape{3.063241, 9.741391}, nwin: 1, after: &shape{1.712038, 1.815781}, points: map[int]string{11: TreatedHigh}, values: map[int]float64{11: 30}},
		{name: "vignette ASEM Flights", x: asem.Column("Flights"), winmax: 5, tol: 1e-6, before: shape{2.1032872, 4.5088794}, nwin: 1, after: &shape{1.900658, 3.336065}},
		{name: "vignette ASEM Bord", x: asem.Column("Bord"), winmax: 5, tol: 1e-6, before: shape{2.1482360, 5.7914905}, nwin: 1, after: &shape{1.899211, 4.346298}},
		{name: "vignette ASEM Elec", x: asem.Column("Elec"), winmax: 5, tol: 1e-6, before: shape{2.2252736, 5.7910268}, nwin: 1, after: &shape{1.717744, 2.586062}},
		{name: "vignette ASEM Gas", x: asem.Column("Gas"), winmax: 5, tol: 1e-6, before: shape{2.8294486, 10.3346494}, nwin: 1, after: &shape{1.602518, 1.525576}},
		{name: "vignette ASEM LPI passes", x: asem.Column("LPI"), winmax: 5, tol: 1e-6, before: shape{-0.3042681, -0.6567514}},
		{name: "vignette ASEM Goods winmax 1 → log_CT", x: asem.Column("Goods"), winmax: 1, tol: 1e-6, before: shape{2.6499733, 8.2666095}, nwin: 1,
			after: &shape{2.469910, 7.087309}, logCT: &shape{0.03104001, -0.8888965}},
		{name: "R tie at the top", x: append(seq(1, 20), 100, 100), winmax: 5, tol: 1e-9, before: shape{2.8169996170552, 7.1335421965183}, nwin: 2,
			after: &shape{-0.0944957319638, -1.2937726367729}, points: map[int]string{20: TreatedHigh, 21: TreatedHigh}, values: map[int]float64{20: 20, 21: 20}},
		{name: "R tie at the bottom", x: append([]float64{-100, -100}, seq(1, 20)...), winmax: 5, tol: 1e-9, before: shape{-2.8969994557192, 7.4456539740477}, nwin: 2,
			after: &shape{0.0944957319638, -1.2937726367729}, points: map[int]string{0: TreatedLow, 1: TreatedLow}, values: map[int]float64{0: 1, 1: 1}},
		{name: "R winmax reached", x: append(slices.Repeat([]float64{1}, 30), 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12), winmax: 5, tol: 1e-9,
			before: shape{6.23125401287, 39.14173068978}, nwin: 5, after: &shape{2.02976203083, 2.24296645389}, values: map[int]float64{35: 1e7, 39: 1e7, 34: 1e7, 33: 1e6}},
		{name: "R log_CT", x: append(seq(1, 20), 100, 200, 300), winmax: 1, tol: 1e-9, before: shape{3.05034906843479, 9.10470437121176}, nwin: 1,
			after: &shape{2.66285025943053, 6.10278585986229}, logCT: &shape{1.33677593373419, 1.96720073627411},
			values: map[int]float64{0: 1.09527338740260, 20: 4.62487476926243, 21: 5.30821819122530, 22: 5.71039390424385}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := DefaultTreatSpec
			spec.WinMax = tt.winmax
			out, marks, log := Treat(tt.x, spec)
			if !near(log.Before.Skew, tt.before.skew, tt.tol) || !near(log.Before.Kurtosis, tt.before.kurt, tt.tol) {
				t.Errorf("before: skew %.10g kurtosis %.10g, want %v", log.Before.Skew, log.Before.Kurtosis, tt.before)
			}
			if log.Winsorised != tt.nwin {
				t.Errorf("winsorised %d points, want %d", log.Winsorised, tt.nwin)
			}
			if (tt.after == nil) != (log.AfterWinsorising == nil) {
				t.Fatalf("after winsorising: got %+v, want %v", log.AfterWinsorising, tt.after)
			}
			if a := log.AfterWinsorising; a != nil && (!near(a.Skew, tt.after.skew, tt.tol) || !near(a.Kurtosis, tt.after.kurt, tt.tol)) {
				t.Errorf("after winsorising: skew %.10g kurtosis %.10g, want %v", a.Skew, a.Kurtosis, *tt.after)
			}
			if log.LogCT != (tt.logCT != nil) {
				t.Fatalf("log_CT applied %v, want %v", log.LogCT, tt.logCT != nil)
			}
			if a := log.AfterLog; a != nil && (!near(a.Skew, tt.logCT.skew, tt.tol) || !near(a.Kurtosis, tt.logCT.kurt, tt.tol)) {
				t.Errorf("after log_CT: skew %.10g kurtosis %.10g, want %v", a.Skew, a.Kurtosis, *tt.logCT)
			}
			if !log.Passed() {
				t.Errorf("final verdict fail, want pass")
			}
			for i, p := range tt.points {
				if marks[i] != p {
					t.Errorf("mark %d: got %q, want %q", i, marks[i], p)
				}
			}
			for i, v := range tt.values {
				if !near(out[i], v, tt.tol*math.Max(1, math.Abs(v))) {
					t.Errorf("value %d: got %.15g, want %.15g", i, out[i], v)
				}
			}
		})
	}
}

func TestTreatEdges(t *testing.T) {
	// Missing values stay missing and are ignored (COINr na.rm = TRUE): 1…10, 30, 100 with NA at
	// both ends treats exactly as without them (vignette numbers above).
	x := []float64{math.NaN(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100, math.NaN()}
	spec := DefaultTreatSpec
	spec.WinMax = 2
	out, marks, log := Treat(x, spec)
	if !math.IsNaN(out[0]) || !math.IsNaN(out[13]) || out[12] != 30 || marks[12] != TreatedHigh || log.Winsorised != 1 {
		t.Errorf("with NaN: got %v marks %v log %+v", out, marks, log)
	}
	// Three values: kurtosis undefined, skew below the threshold → passes (R: TRUE | NA is TRUE).
	if _, _, log := Treat([]float64{1, 2, 3}, DefaultTreatSpec); !log.Before.Pass || log.Treated() {
		t.Errorf("three values: got %+v", log)
	}
	// Constant: skew and kurtosis NaN → untestable, untouched (COINr returns it untreated).
	if out, _, log := Treat([]float64{4, 4, 4, 4, 4}, DefaultTreatSpec); !log.Untestable || log.Treated() || out[0] != 4 {
		t.Errorf("constant: got %+v", log)
	}
	// winmax 0 goes straight to the fallback; fallback none keeps the values.
	s := DefaultTreatSpec
	s.WinMax = 0
	if _, _, log := Treat([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}, s); log.Winsorised != 0 || !log.LogCT {
		t.Errorf("winmax 0: got %+v, want log_CT without winsorising", log)
	}
	s.Fallback = FallbackNone
	if out, _, log := Treat([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100}, s); log.LogCT || out[11] != 100 || log.Passed() {
		t.Errorf("fallback none: got %+v %v", log, out)
	}
	for _, bad := range []TreatSpec{{WinMax: -2, Skew: 2, Kurtosis: 3.5, Fallback: FallbackLogCT}, {WinMax: 5, Skew: 0, Kurtosis: 3.5, Fallback: FallbackLogCT}, {WinMax: 5, Skew: 2, Kurtosis: 3.5, Fallback: "boxcox"}} {
		if bad.Check() == nil {
			t.Errorf("%+v: got nil error", bad)
		}
	}
}
