package scoring

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestAggregateCOINr checks the aggregations against COINr 1.1.14's a_* functions run in R 4.2.2.
// One unit with children 20, NA, 80, 50 and weights 1, 2, 1, 2: the missing child is skipped and
// the weights of the others renormalised (COINr a_amean's na.rm; COINr's a_genmean returns NA
// instead, ours re-weights like the others, so its case has no missing child).
func TestAggregateCOINr(t *testing.T) {
	nan := math.NaN()
	col := func(v ...float64) [][]float64 {
		out := make([][]float64, len(v))
		for i, x := range v {
			out[i] = []float64{x}
		}
		return out
	}
	w := []float64{1.0 / 6, 2.0 / 6, 1.0 / 6, 2.0 / 6}
	tests := []struct {
		agg      aggregator
		cs       [][]float64
		w        []float64
		want     float64
		coverage float64
	}{
		{aggregator{method: AggArithmetic}, col(20, nan, 80, 50), w, 50, 4.0 / 6},                                         // a_amean
		{aggregator{method: AggGeometric}, col(20, nan, 80, 50), w, 44.7213595499958, 4.0 / 6},                            // a_gmean
		{aggregator{method: AggHarmonic}, col(20, nan, 80, 50), w, 39.0243902439024, 4.0 / 6},                             // a_hmean
		{aggregator{method: AggGeneralised, power: -1}, col(20, 80, 50), []float64{0.25, 0.25, 0.5}, 39.0243902439024, 1}, // a_genmean p = −1
		{aggregator{method: AggGeneralised, power: 2}, col(20, 80, 50), []float64{0.25, 0.25, 0.5}, math.Sqrt((400 + 6400 + 2*2500) / 4.0), 1},
		{aggregator{method: AggMedian}, col(20, nan, 80, 50), w, 50, 4.0 / 6},                          // weights 1/4, 1/4, 1/2 sorted 20, 50, 80: 50 reaches one half
		{aggregator{method: AggMedian}, col(10, 20, 30, 40), []float64{0.25, 0.25, 0.25, 0.25}, 25, 1}, // the ordinary median
		{aggregator{method: AggArithmetic, minCoverage: 0.7}, col(20, nan, 80, 50), w, nan, 4.0 / 6},   // COINr dat_thresh
		{aggregator{method: AggGeometric}, col(0, 50), []float64{0.5, 0.5}, 0, 1},
		{aggregator{method: AggArithmetic}, col(nan, nan), []float64{0.5, 0.5}, nan, 0},
	}
	for _, tt := range tests {
		got, cov := tt.agg.aggregate(tt.cs, tt.w)
		if math.IsNaN(tt.want) != math.IsNaN(got[0]) || !math.IsNaN(got[0]) && !near(got[0], tt.want, 1e-9) || !near(cov[0], tt.coverage, 1e-12) {
			t.Errorf("%+v: got %v (coverage %v), want %v (%v)", tt.agg, got[0], cov[0], tt.want, tt.coverage)
		}
	}
}

// TestCopelandCOINr: COINr's a_copeland on four units × three indicators a = 1…4, b = 4…1,
// c = 2, 2, 5, 1 gives 0, 0, 3, −3 with equal weights and −2, 0, 2, 0 with weights 2, 1, 1
// (R 4.2.2, COINr 1.1.14).
func TestCopelandCOINr(t *testing.T) {
	cs := [][]float64{{1, 2, 3, 4}, {4, 3, 2, 1}, {2, 2, 5, 1}}
	for _, tt := range []struct {
		w    []float64
		want []float64
	}{
		{[]float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, []float64{0, 0, 3, -3}},
		{[]float64{0.5, 0.25, 0.25}, []float64{-2, 0, 2, 0}},
	} {
		got, _ := aggregator{method: AggCopeland}.aggregate(cs, tt.w)
		for u := range tt.want {
			if got[u] != tt.want[u] {
				t.Errorf("weights %v: got %v, want %v", tt.w, got, tt.want)
				break
			}
		}
	}
}

// TestScoreImputationRules runs the missing-value rules through Score: group means by an
// attribute (COINr i_mean_grp: 1, NA, 3 | 10, NA, 20 | NA gives 2, 15 and, with no observed value
// in group c, leaves the last missing → re-weighted), the median (COINr i_median) and reweight.
func TestScoreImputationRules(t *testing.T) {
	nan := math.NaN()
	tab := Table{
		Units:      []string{"A1", "A2", "A3", "B1", "B2", "B3", "C1"},
		Indicators: []string{"v", "w"},
		Values:     [][]float64{{1, 1}, {nan, 2}, {3, 3}, {10, 4}, {nan, 5}, {20, 6}, {nan, 7}},
		Attributes: []Attribute{{Name: "tier", Values: []string{"a", "a", "a", "b", "b", "b", "c"}}},
	}
	yaml := `
attributes: [{id: tier}]
root:
  id: total
  children:
    - {id: v, missing: %s, missing_group: tier}
    - {id: w}
`
	for _, tt := range []struct {
		rule   string
		want   []float64 // raw values of v
		rules  []string  // UnitValue.Imputed of v
		totalC float64   // C1's total: w alone when v is missing (re-weighted), else the mean
	}{
		{MissingGroupMean, []float64{1, 2, 3, 10, 15, 20, nan}, []string{"", MissingGroupMean, "", "", MissingGroupMean, "", MissingReweight}, 100},
		{MissingGroupMedian, []float64{1, 2, 3, 10, 15, 20, nan}, []string{"", MissingGroupMedian, "", "", MissingGroupMedian, "", MissingReweight}, 100},
		{MissingMedian, []float64{1, 6.5, 3, 10, 6.5, 20, 6.5}, []string{"", MissingMedian, "", "", MissingMedian, "", MissingMedian}, (100 + 100*5.5/19) / 2},
		{MissingReweight, []float64{1, nan, 3, 10, nan, 20, nan}, []string{"", MissingReweight, "", "", MissingReweight, "", MissingReweight}, 100},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			fw, err := ParseFramework([]byte(strings.ReplaceAll(yaml, "%s", tt.rule)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Score(fw, tab, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for u, unit := range tab.Units {
				v, _ := res.Value(unit, "v")
				if math.IsNaN(tt.want[u]) != math.IsNaN(v.Raw) || !math.IsNaN(v.Raw) && !near(v.Raw, tt.want[u], 1e-12) || v.Imputed != tt.rules[u] {
					t.Errorf("%s: raw %v imputed %q, want %v %q", unit, v.Raw, v.Imputed, tt.want[u], tt.rules[u])
				}
			}
			tot, _ := res.Value("C1", "total")
			if !near(tot.Score, tt.totalC, 1e-9) {
				t.Errorf("C1 total %v, want %v", tot.Score, tt.totalC)
			}
			if tt.rule != MissingMedian && tot.Coverage != 0.5 {
				t.Errorf("C1 coverage %v, want 0.5 (v missing)", tot.Coverage)
			}
		})
	}
	fw, err := ParseFramework([]byte(strings.ReplaceAll(yaml, "%s", MissingGroupMean)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Score(fw, Table{Units: tab.Units, Indicators: tab.Indicators, Values: tab.Values}, Options{}); err == nil || !strings.Contains(err.Error(), "attribute column tier is missing") {
		t.Errorf("table without the attribute: got %v", err)
	}
}

// TestScoreScreen drops units, then indicators, below the availability threshold, measured before
// imputation by default (COINr Screen byNA).
func TestScoreScreen(t *testing.T) {
	nan := math.NaN()
	tab := Table{Units: []string{"X", "Y", "Z", "W", "V"}, Indicators: []string{"p", "q", "r"},
		Values: [][]float64{{1, 2, 3}, {nan, nan, 1}, {3, nan, 2}, {4, 5, nan}, {5, nan, 4}}}
	fw, err := ParseFramework([]byte(`
screen: {min_availability: 0.6, indicators: true}
defaults: {missing: mean}
root:
  id: total
  children: [{id: p}, {id: q}, {id: r}]
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Score(fw, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Y has 1 of 3 (< 0.6): dropped; the others 2 or 3 of 3. Over X, Z, W, V, q has 2 of 4: dropped.
	if !slices.Equal(res.ScreenedUnits, []string{"Y"}) || !slices.Equal(res.ScreenedIndicators, []string{"q"}) || !slices.Equal(res.Units, []string{"X", "Z", "W", "V"}) {
		t.Errorf("screened units %v indicators %v, units %v", res.ScreenedUnits, res.ScreenedIndicators, res.Units)
	}
	if a := res.Availability[1]; a.Unit != "Y" || a.Available != 1 || a.Total != 3 || !a.Screened {
		t.Errorf("availability %+v", a)
	}
	if _, ok := res.Node("q"); ok {
		t.Error("q kept after the screen")
	}
	// After imputation (COINr's ASEM order) every value is there: nobody is screened.
	fw2, _ := ParseFramework([]byte(`
screen: {min_availability: 0.6, indicators: true, after_imputation: true}
defaults: {missing: mean}
root:
  id: total
  children: [{id: p}, {id: q}, {id: r}]
`))
	res2, err := Score(fw2, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.ScreenedUnits)+len(res2.ScreenedIndicators) != 0 || len(res2.Units) != 5 {
		t.Errorf("after imputation: screened %v %v", res2.ScreenedUnits, res2.ScreenedIndicators)
	}
}

// TestScoreDenominators divides by declared denominators (per resident), scaled.
func TestScoreDenominators(t *testing.T) {
	tab := Table{Units: []string{"X", "Y", "Z"}, Indicators: []string{"firms", "pop", "other"},
		Values: [][]float64{{100, 10, 1}, {300, 20, 2}, {50, 1, 3}}}
	fw, err := ParseFramework([]byte(`
denominators: [{id: pop, unit: thousand residents}]
root:
  id: total
  children:
    - {id: firms, denominator: pop, denominator_scale: 1000}
    - {id: other}
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Score(fw, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for u, want := range []float64{10000, 15000, 50000} { // firms per (pop/1000)
		if v, _ := res.Value(tab.Units[u], "firms"); !near(v.Raw, want, 1e-9) {
			t.Errorf("%s: %v, want %v", tab.Units[u], v.Raw, want)
		}
	}
	if len(res.Unused) != 0 {
		t.Errorf("unused %v: a declared denominator is not unused", res.Unused)
	}
	tab.Values[1][1] = 0
	if _, err := Score(fw, tab, Options{}); err == nil || !strings.Contains(err.Error(), "denominator pop is 0 for Y") {
		t.Errorf("zero denominator: got %v", err)
	}
}
