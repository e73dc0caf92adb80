package scoring

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/data"
	"gonum.org/v1/gonum/mat"
)

func TestJudgementsFHI(t *testing.T) {
	if _, err := ParseFramework(data.FrameworkYAML); err == nil || !strings.Contains(err.Error(), `judgements: names "ahp_judgements.yaml"`) {
		t.Errorf("framework without its judgements file: got %v", err)
	}
	fw := fhiFramework(t)
	want := []string{"total", "industry", "experience", "ecosystem"}
	if got := fw.Placeholders(); !slices.Equal(got, want) {
		t.Errorf("placeholders %v, want %v", got, want)
	}
	if j := fw.Root.Judgements; j == nil || j.Provenance != ProvenancePlaceholder || len(j.Matrices) != 3 || j.Who == "" {
		t.Errorf("root judgements %+v", j)
	}
	res, err := Score(fw, readTestTable(t, "testdata/fhi_demo.csv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Placeholders, want) {
		t.Errorf("result placeholders %v", res.Placeholders)
	}
	for _, n := range res.Nodes {
		if (n.Parent != "") != n.Placeholder {
			t.Errorf("%s: placeholder %v; every weight below the root derives from placeholder judgements", n.ID, n.Placeholder)
		}
		if n.Method == MethodAHP && (n.Provenance != ProvenancePlaceholder || n.Judgements == nil) {
			t.Errorf("%s: provenance %q", n.ID, n.Provenance)
		}
	}
}

const judgedFramework = `
judgements: j.yaml
root:
  id: total
  weighting: {method: ahp}
  children: [{id: a}, {id: b}, {id: c}]
`

func TestJudgementsFile(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // substrings of the error; none for a valid file
		w0   float64  // weight of a when valid
	}{
		{name: "matrices of two experts", file: `
groups:
  - group: total
    provenance: elicited
    who: panel of two
    when: "2026-11-30"
    how: pairwise questionnaire
    experts:
      - {name: A, matrix: [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]}
      - {name: B, matrix: [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]}
`, w0: 4.0 / 7},
		{name: "consensus matrix, published", file: `
groups:
  - {group: total, provenance: published, who: Saaty, when: "1980", how: "book, p. 1", matrix: [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]}
`, w0: 4.0 / 7},
		{name: "no provenance", file: `
groups:
  - {group: total, matrix: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]}
`, want: []string{"judgements.groups[0].provenance: required"}},
		{name: "elicited without who", file: `
groups:
  - {group: total, provenance: elicited, when: "2026", how: survey, matrix: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]}
`, want: []string{"judgements.groups[0].who: required for elicited judgements"}},
		{name: "unknown group and missing one", file: `
groups:
  - {group: nowhere, provenance: placeholder, matrix: [[1]]}
`, want: []string{`the judgements file has no group "total"`, `judgements.groups[0].group: "nowhere" is not an ahp group`}},
		{name: "bad cell named", file: `
groups:
  - {group: total, provenance: placeholder, experts: [{name: A, matrix: [[1, -3, 1], ["1/3", 1, 1], [1, 1, 1]]}]}
`, want: []string{"judgements.groups[0].matrices[0][0][1]: parsing judgment \"-3\""}},
		{name: "not reciprocal", file: `
groups:
  - {group: total, provenance: placeholder, experts: [{name: A, matrix: [[1, 3, 1], [3, 1, 1], [1, 1, 1]]}]}
`, want: []string{"judgements.groups[0].matrices[0][1][0]: must be the reciprocal of matrix[0][1]=3, got 3"}},
		{name: "inconsistent expert", file: `
groups:
  - group: total
    provenance: placeholder
    experts:
      - {name: ok, matrix: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]}
      - {name: Zhang, matrix: [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]}
`, want: []string{"total (expert Zhang): inconsistent judgments"}},
		{name: "mixed kinds", file: `
groups:
  - {group: total, provenance: placeholder, experts: [{name: A, scores: {a: 1, b: 2, c: 3}}, {name: B, matrix: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]}]}
`, want: []string{"every expert of a group gives the same kind of judgments"}},
		{name: "unknown key", file: `
groups:
  - {group: total, provenence: placeholder, matrix: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]}
`, want: []string{"judgements.groups[0].provenence: unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fw, err := ParseFramework([]byte(judgedFramework), []byte(tt.file))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if w := fw.Root.AHP.Weights[0]; !near(w, tt.w0, 1e-9) {
					t.Errorf("weight of a %v, want %v", w, tt.w0)
				}
				if len(fw.Placeholders()) != 0 {
					t.Errorf("placeholders %v, want none", fw.Placeholders())
				}
				return
			}
			if err == nil {
				t.Fatal("got nil error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !errors.Is(err, ErrFramework) {
				t.Errorf("does not wrap ErrFramework: %v", err)
			}
		})
	}
}

// TestCheckJudgments names every bad cell once (issue 8: −3, 0, NaN and Inf were accepted).
func TestCheckJudgments(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name  string
		m     []float64
		rules JudgmentRules
		want  []JudgmentProblem
	}{
		{"valid", []float64{1, 3, 1.0 / 3, 1}, JudgmentRules{}, nil},
		{"negative", []float64{1, -3, -1.0 / 3, 1}, JudgmentRules{}, []JudgmentProblem{{0, 1, "must be positive, got -3"}, {1, 0, "must be positive, got -0.3333333333333333"}}},
		{"zero", []float64{1, 0, 3, 1}, JudgmentRules{}, []JudgmentProblem{{0, 1, "must be positive, got 0"}}},
		{"NaN", []float64{1, nan, 1, 1}, JudgmentRules{}, []JudgmentProblem{{0, 1, "must be finite, got NaN"}}},
		{"Inf", []float64{1, inf, 0.5, 1}, JudgmentRules{}, []JudgmentProblem{{0, 1, "must be finite, got +Inf"}}},
		{"diagonal", []float64{2, 1, 1, 1}, JudgmentRules{}, []JudgmentProblem{{0, 0, "diagonal must be 1, got 2"}}},
		{"reciprocal", []float64{1, 3, 0.5, 1}, JudgmentRules{}, []JudgmentProblem{{1, 0, "must be the reciprocal of matrix[0][1]=3, got 1/2"}}},
		{"0.33 passes at 2%", []float64{1, 3, 0.33, 1}, JudgmentRules{}, nil},
		{"0.33 fails at 0.1%", []float64{1, 3, 0.33, 1}, JudgmentRules{Tolerance: 0.001}, []JudgmentProblem{{1, 0, "must be the reciprocal of matrix[0][1]=3, got 0.33"}}},
		{"Saaty scale", []float64{1, 12, 1.0 / 12, 1}, JudgmentRules{SaatyScale: true}, []JudgmentProblem{{0, 1, "outside Saaty's scale 1/9 … 9, got 12"}, {1, 0, "outside Saaty's scale 1/9 … 9, got 1/12"}}},
		{"9 is on the scale", []float64{1, 9, 1.0 / 9, 1}, JudgmentRules{SaatyScale: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckJudgments(mat.NewDense(2, 2, tt.m), tt.rules)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if tt.rules != (JudgmentRules{}) {
				return
			}
			// AHP applies the default rules: it refuses exactly the matrices with problems.
			if _, err := AHP(mat.NewDense(2, 2, tt.m), SaatyRI); (err != nil) != (tt.want != nil) || (err != nil && !errors.Is(err, ErrNotReciprocal)) {
				t.Errorf("AHP: got %v", err)
			}
		})
	}
}

// TestAHPGroup: two experts' 2×2 judgments 2 and 8 combine to √(2·8) = 4 (Aczél & Saaty 1983), so
// weights 0.8 / 0.2; members keep their own weights 2/3 and 8/9 (hand computation).
func TestAHPGroup(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 2, 0.5, 1})
	b := mat.NewDense(2, 2, []float64{1, 8, 0.125, 1})
	res, err := AHPGroup([]*mat.Dense{a, b}, SaatyRI, JudgmentRules{})
	if err != nil {
		t.Fatal(err)
	}
	if !near(res.Combined.Weights[0], 0.8, 1e-12) || !near(res.Members[0].Weights[0], 2.0/3, 1e-12) || !near(res.Members[1].Weights[0], 8.0/9, 1e-12) || !near(res.Matrix[0][1], 4, 1e-12) {
		t.Errorf("got %+v", res)
	}
	light := mat.NewDense(4, 4, []float64{1, 5, 6, 7, 1.0 / 5, 1, 4, 6, 1.0 / 6, 1.0 / 4, 1, 4, 1.0 / 7, 1.0 / 6, 1.0 / 4, 1})
	id := mat.NewDense(4, 4, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	_, err = AHPGroup([]*mat.Dense{id, light}, SaatyRI, JudgmentRules{})
	var ie *InconsistencyError
	if !errors.As(err, &ie) || ie.Matrix != "expert 2" || !near(ie.CR, 0.1447, 1e-3) {
		t.Errorf("inconsistent member: got %v", err)
	}
	if _, err := AHPGroup([]*mat.Dense{a, id}, SaatyRI, JudgmentRules{}); !errors.Is(err, ErrGroupShape) {
		t.Errorf("shape: got %v", err)
	}
	bad := mat.NewDense(2, 2, []float64{1, -2, -0.5, 1})
	var je *JudgmentError
	if _, err := AHPGroup([]*mat.Dense{a, bad}, SaatyRI, JudgmentRules{}); !errors.As(err, &je) || je.Matrix != "expert 2" || !errors.Is(err, ErrNotReciprocal) {
		t.Errorf("bad member: got %v", err)
	}
}
