package scoring

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/data"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func fhiFramework(t testing.TB) *Framework {
	t.Helper()
	fw, err := ParseFramework(data.FrameworkYAML, data.JudgementsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return fw
}

// dump renders a result as deterministic text for golden files and byte-identity checks.
func dump(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "units %v\nmissing %v\nunused %v\nconstant %v\ndropped %v\ntop %v\ncandidates %v\n", r.Units, r.Missing, r.Unused, r.Constant, r.Dropped, r.Top, r.Candidates)
	for _, im := range r.Imputed {
		fmt.Fprintf(&b, "imputed %s %s %s %.6g\n", im.Unit, im.Indicator, im.Rule, im.Value)
	}
	for _, w := range r.Treatments {
		fmt.Fprintf(&b, "treated %s winsorised=%d log=%v %v\n", w.Indicator, w.Winsorised, w.LogCT, w.Units)
	}
	for _, n := range r.Nodes {
		fmt.Fprintf(&b, "node %s parent=%s level=%d method=%s local=%.9f effective=%.9f", n.ID, n.Parent, n.Level, n.Method, n.Local, n.Effective)
		if n.Method == MethodAHP {
			fmt.Fprintf(&b, " lambda=%.6f cr=%.6f", n.LambdaMax, n.CR)
		}
		if n.Method == MethodPCA {
			fmt.Fprintf(&b, " eig=%.6f kept=%d rotated=%v", n.Eigenvalues, n.Kept, n.Rotated)
		}
		b.WriteString("\n")
	}
	for _, v := range r.Values {
		fmt.Fprintf(&b, "value %s %s raw=%.6g score=%.9f rank=%d\n", v.Node, v.Unit, v.Raw, v.Score, v.Rank)
	}
	if s := r.Sensitivity; s != nil {
		for _, u := range s.Units {
			fmt.Fprintf(&b, "mc unit %s base=%d median=%.1f p05=%d p95=%d\n", u.Unit, u.BaseRank, u.MedianRank, u.P05, u.P95)
		}
		for _, w := range s.Weights {
			fmt.Fprintf(&b, "mc weight %s local=%.6f p05=%.6f p95=%.6f importance=%.6f\n", w.Node, w.Local, w.P05, w.P95, w.Importance)
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (run go test ./scoring -update): %v", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s line %d:\n got %s\nwant %s\n(go test ./scoring -update to accept)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// checkInvariants verifies what must hold for every result.
func checkInvariants(t *testing.T, r *Result) {
	t.Helper()
	sums := map[string]float64{}
	leafEff := 0.0
	for _, n := range r.Nodes {
		if n.Parent != "" {
			sums[n.Parent] += n.Local
		}
		if n.Method == "" {
			leafEff += n.Effective
		}
	}
	for p, s := range sums {
		if !near(s, 1, 1e-12) {
			t.Errorf("local weights under %s sum to %.15f, want 1", p, s)
		}
	}
	if !near(leafEff, 1, 1e-12) {
		t.Errorf("effective leaf weights sum to %.15f, want 1", leafEff)
	}
	unbounded := r.Options.Normalisation == NormZScore // T-scores are not clamped (issue 12)
	for _, v := range r.Values {
		if !unbounded && !(v.Score >= 0 && v.Score <= 100) {
			t.Errorf("%s/%s: score %v outside [0, 100]", v.Node, v.Unit, v.Score)
		}
		if v.Rank < 1 || v.Rank > len(r.Units) {
			t.Errorf("%s/%s: rank %d", v.Node, v.Unit, v.Rank)
		}
	}
	if len(r.Values) != len(r.Nodes)*len(r.Units) {
		t.Errorf("got %d values, want nodes × units = %d", len(r.Values), len(r.Nodes)*len(r.Units))
	}
}

func TestScoreFHIDemo(t *testing.T) {
	// testdata/fhi_demo.csv: 37 synthetic units with all 39 indicators (testdata/gen_fhi_demo.py).
	fw := fhiFramework(t)
	tab := readTestTable(t, "testdata/fhi_demo.csv")
	res, err := Score(fw, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if len(res.Missing) != 0 || len(res.Nodes) != 59 {
		t.Errorf("got %d nodes, missing %v; want 59, none", len(res.Nodes), res.Missing)
	}
	if len(res.Top) != TopN || len(res.Candidates) != CandidateN {
		t.Errorf("got top %d candidates %d, want 20 and 3", len(res.Top), len(res.Candidates))
	}
	// Level-1 weights are the AHP weights of the full root matrix (nothing pruned).
	for i, c := range fw.Root.Children {
		n, _ := res.Node(c.ID)
		if !near(n.Local, fw.Root.AHP.Weights[i], 1e-12) {
			t.Errorf("%s: local %v, want %v", c.ID, n.Local, fw.Root.AHP.Weights[i])
		}
	}
	// Total = Σ effective leaf weight × leaf score (arithmetic aggregation is linear).
	for _, u := range res.Units {
		total, _ := res.Value(u, "total")
		s := 0.0
		for _, n := range res.Nodes {
			if n.Method == "" {
				v, _ := res.Value(u, n.ID)
				s += n.Effective * v.Score
			}
		}
		if !near(total.Score, s, 1e-9) {
			t.Errorf("%s: total %v, Σ effective·score %v", u, total.Score, s)
		}
	}
	golden(t, "fhi_demo.golden", dump(res))
}

func TestScoreHandComputed(t *testing.T) {
	// testdata/framework/minimal.good.yml with a.x, a.y (cost) and b.q only (b.p, b.r missing).
	//   a.x 1, 2, 3 → 0, 50, 100; a.y 10, 30, 20 (cost) → 100, 0, 50
	//   a = .75·a.x + .25·a.y (fixed 3:1) → 25, 37.5, 87.5
	//   b = b.q (sole present child, weight 1): 5, 1, 3 → 100, 0, 50
	//   total = .75·a + .25·b (AHP [1 3; 1/3 1] → .75/.25) → 43.75, 28.125, 78.125
	b, _ := os.ReadFile("testdata/framework/minimal.good.yml")
	fw, err := ParseFramework(b)
	if err != nil {
		t.Fatal(err)
	}
	tab := Table{Units: []string{"X", "Y", "Z"}, Indicators: []string{"a.x", "b.q", "a.y", "extra"},
		Values: [][]float64{{1, 5, 10, 0}, {2, 1, 30, 0}, {3, 3, 20, 0}}}
	res, err := Score(fw, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	want := map[string][]float64{"a": {25, 37.5, 87.5}, "b": {100, 0, 50}, "total": {43.75, 28.125, 78.125}, "a.y": {100, 0, 50}}
	for node, ws := range want {
		for u, w := range ws {
			v, _ := res.Value(tab.Units[u], node)
			if !near(v.Score, w, 1e-9) {
				t.Errorf("%s/%s: got %v, want %v (hand computation)", node, tab.Units[u], v.Score, w)
			}
		}
	}
	if !slices.Equal(res.Missing, []string{"b.p", "b.r"}) || !slices.Equal(res.Unused, []string{"extra"}) {
		t.Errorf("missing %v unused %v, want [b.p b.r] and [extra]", res.Missing, res.Unused)
	}
	var order []string
	for _, v := range res.Ranking("total") {
		order = append(order, fmt.Sprintf("%s%d", v.Unit, v.Rank))
	}
	if got := strings.Join(order, " "); got != "Z1 X2 Y3" {
		t.Errorf("ranking: got %s, want Z1 X2 Y3", got)
	}
	// Geometric aggregation: X's a.y… Y scores 0 on b, so its total is 0.
	geo, err := Score(fw, tab, Options{Aggregation: AggGeometric})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := geo.Value("Y", "total"); v.Score != 0 {
		t.Errorf("geometric total for Y: got %v, want 0 (b = 0)", v.Score)
	}
	// Z: a = 100^.75 · 50^.25 = 84.0896; total = a^.75 · 50^.25.
	if v, _ := geo.Value("Z", "total"); !near(v.Score, math.Pow(math.Pow(100, .75)*math.Pow(50, .25), .75)*math.Pow(50, .25), 1e-9) {
		t.Errorf("geometric total for Z: got %v", v.Score)
	}
}

func TestScorePruning(t *testing.T) {
	fw := fhiFramework(t)
	full := readTestTable(t, "testdata/fhi_demo.csv")
	keep := []string{"industry.p2p.firms", "industry.p2p.volume", "ecosystem.business.cost_of_living"}
	tab := Table{Units: full.Units, Indicators: keep}
	for _, row := range full.Values {
		var r []float64
		for _, id := range keep {
			r = append(r, row[slices.Index(full.Indicators, id)])
		}
		tab.Values = append(tab.Values, r)
	}
	res, err := Score(fw, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if len(res.Missing) != 36 {
		t.Errorf("got %d missing, want 36", len(res.Missing))
	}
	var ids []string
	for _, n := range res.Nodes {
		ids = append(ids, n.ID)
	}
	wantIDs := []string{"total", "industry", "industry.p2p", "industry.p2p.firms", "industry.p2p.volume", "ecosystem", "ecosystem.business", "ecosystem.business.cost_of_living"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("kept nodes:\n got %v\nwant %v", ids, wantIDs)
	}
	// Root: the 2×2 sub-matrix [industry, ecosystem] of the root matrix, a = m[0][2]:
	// weights a/(1+a) and 1/(1+a), not the full-matrix weights renormalised.
	a := fw.Root.Matrix.At(0, 2)
	ind, _ := res.Node("industry")
	if !near(ind.Local, a/(1+a), 1e-12) {
		t.Errorf("industry local: got %v, want a/(1+a) = %v", ind.Local, a/(1+a))
	}
	// The total uses only what is present: no zero for the missing experience branch.
	for _, u := range res.Units {
		tot, _ := res.Value(u, "total")
		i, _ := res.Value(u, "industry")
		e, _ := res.Value(u, "ecosystem")
		if !near(tot.Score, ind.Local*i.Score+(1-ind.Local)*e.Score, 1e-9) {
			t.Errorf("%s: total %v is not the renormalised mean of present branches", u, tot.Score)
		}
	}
	// Nothing present at all.
	_, err = Score(fw, Table{Units: []string{"X"}, Indicators: []string{"nope"}, Values: [][]float64{{1}}}, Options{})
	if !errors.Is(err, ErrNoIndicators) {
		t.Errorf("got %v, want ErrNoIndicators", err)
	}
}

func simpleFramework(t *testing.T, leafYAML string) *Framework {
	t.Helper()
	y := "root:\n  id: total\n  children:\n" + leafYAML
	fw, err := ParseFramework([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return fw
}

func TestScoreMissingRules(t *testing.T) {
	nan := math.NaN()
	tab := Table{Units: []string{"X", "Y", "Z", "W"}, Indicators: []string{"v"}, Values: [][]float64{{2}, {nan}, {6}, {4}}}
	tests := []struct {
		rule, dir string
		fill      float64 // raw value imputed for Y
		dropped   []string
	}{
		{MissingZero, Benefit, 0, nil},
		{MissingMin, Benefit, 2, nil},
		{MissingMean, Benefit, 4, nil},
		{MissingWorst, Benefit, 2, nil},
		{MissingWorst, Cost, 6, nil},
		{MissingDropUnit, Benefit, nan, []string{"Y"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.dir, func(t *testing.T) {
			fw := simpleFramework(t, fmt.Sprintf("    - {id: v, missing: %s, direction: %s}\n    - {id: w}\n", tt.rule, tt.dir))
			res, err := Score(fw, tab, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, res)
			if !slices.Equal(res.Dropped, tt.dropped) {
				t.Errorf("dropped: got %v, want %v", res.Dropped, tt.dropped)
			}
			if tt.dropped != nil {
				if len(res.Units) != 3 || len(res.Imputed) != 0 {
					t.Errorf("units %v imputed %v", res.Units, res.Imputed)
				}
				return
			}
			if len(res.Imputed) != 1 || res.Imputed[0].Unit != "Y" || res.Imputed[0].Value != tt.fill {
				t.Errorf("imputed: got %+v, want Y = %v", res.Imputed, tt.fill)
			}
			if v, _ := res.Value("Y", "v"); v.Raw != tt.fill || math.IsNaN(v.Score) {
				t.Errorf("Y raw %v score %v, want raw %v", v.Raw, v.Score, tt.fill)
			}
		})
	}
	fw := simpleFramework(t, "    - {id: v}\n")
	_, err := Score(fw, tab, Options{})
	var me *MissingValueError
	if !errors.As(err, &me) || me.Indicator != "v" || !slices.Equal(me.Units, []string{"Y"}) || !errors.Is(err, ErrMissingValue) {
		t.Errorf("rule error: got %v, want MissingValueError{v, [Y]}", err)
	}
}

func TestScoreConstantColumn(t *testing.T) {
	tab := Table{Units: []string{"X", "Y", "Z"}, Indicators: []string{"c", "v"}, Values: [][]float64{{7, 1}, {7, 2}, {7, 3}}}
	tests := []struct {
		rule     string
		score    float64 // score of c; NaN when pruned
		constant []string
		fails    bool
	}{
		{ConstantDrop, math.NaN(), []string{"c"}, false},
		{ConstantMid, 50, nil, false},
		{ConstantZero, 0, nil, false},
		{ConstantError, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			fw := simpleFramework(t, fmt.Sprintf("    - {id: c, constant: %s}\n    - {id: v}\n", tt.rule))
			res, err := Score(fw, tab, Options{})
			if tt.fails {
				if err == nil || !strings.Contains(err.Error(), "constant") {
					t.Errorf("got %v, want a constant-column error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, res)
			if !slices.Equal(res.Constant, tt.constant) {
				t.Errorf("constant: got %v, want %v", res.Constant, tt.constant)
			}
			v, ok := res.Value("X", "c")
			if math.IsNaN(tt.score) {
				if ok {
					t.Errorf("c kept with score %v, want pruned", v.Score)
				}
				if tot, _ := res.Value("Z", "total"); tot.Score != 100 {
					t.Errorf("total for Z: got %v, want 100 (v alone)", tot.Score)
				}
				return
			}
			if v.Score != tt.score {
				t.Errorf("c score: got %v, want %v", v.Score, tt.score)
			}
		})
	}
}

func TestCompetitionRanks(t *testing.T) {
	scores := []float64{90, 80, 80 + 1e-12, 70, 95}
	want := []int{2, 3, 3, 5, 1} // "1224"-style: two tie at 3 (equal at 1e-9), next is 5
	got := competitionRanks(scores, nil)
	if !slices.Equal(got, want) {
		t.Errorf("competitionRanks: got %v, want %v", got, want)
	}
	if fast := fastRanks(scores, nil, nil); !slices.Equal(fast, want) {
		t.Errorf("fastRanks: got %v, want %v", fast, want)
	}
}

func TestScoreOptions(t *testing.T) {
	fw := fhiFramework(t)
	tab := readTestTable(t, "testdata/fhi_demo.csv")
	for _, nm := range []string{NormZScore, NormRank, NormGoalposts, NormBorda, NormDist2Max, NormFracMax} {
		res, err := Score(fw, tab, Options{Normalisation: nm})
		if err != nil {
			t.Fatalf("%s: %v", nm, err)
		}
		if nm != NormBorda { // Borda counts units beaten: 0 … n−1
			checkInvariants(t, res)
		}
		if nm == NormZScore {
			// No silent clamping: the demo's Beijing is more than 5 sd above the mean somewhere.
			if v, _ := res.Value("Beijing", "industry.credit.volume"); !(v.Score > 100) || len(res.Clamped) != 0 {
				t.Errorf("zscore: Beijing credit volume %v, clamped %v; want > 100 and nothing clamped", v.Score, res.Clamped)
			}
		}
	}
	for _, agg := range []string{AggGeometric, AggHarmonic, AggMedian} {
		res, err := Score(fw, tab, Options{Aggregation: agg})
		if err != nil {
			t.Fatalf("%s: %v", agg, err)
		}
		checkInvariants(t, res)
	}
	if _, err := Score(fw, tab, Options{Normalisation: "x", Aggregation: "y"}); err == nil || !strings.Contains(err.Error(), "aggregation") || !strings.Contains(err.Error(), "normalisation") {
		t.Errorf("bad options: got %v, want both reported", err)
	}
}

func TestScoreDeterministic(t *testing.T) {
	fw := fhiFramework(t)
	tab := readTestTable(t, "testdata/fhi_demo.csv")
	opts := Options{MonteCarloDraws: 300, Seed: 42}
	a, err := Score(fw, tab, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Score(fhiFramework(t), tab, opts)
	if err != nil {
		t.Fatal(err)
	}
	if dump(a) != dump(b) {
		t.Error("same inputs and seed gave different results")
	}
	golden(t, "fhi_demo_mc.golden", dump(a))
}
