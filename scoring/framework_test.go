package scoring

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/data"
)

func TestFrameworkFHI(t *testing.T) {
	fw, err := ParseFramework(data.FrameworkYAML, data.JudgementsYAML)
	if err != nil {
		t.Fatalf("parsing data/framework.yaml: %v", err)
	}
	levels := map[int]int{}
	for _, n := range fw.Nodes() {
		levels[n.Level]++
		if n.Name == "" || n.NameEN == "" {
			t.Errorf("%s: missing zh or en name", n.ID)
		}
		if !n.IsLeaf() && n.Level <= 1 && n.Method != MethodAHP {
			t.Errorf("%s: level %d weighted by %s, want ahp (FHI2017 §1)", n.ID, n.Level, n.Method)
		}
		if !n.IsLeaf() && n.Level == 2 && n.Method != MethodPCA {
			t.Errorf("%s: level-2 group weighted by %s, want pca (FHI2017 §1)", n.ID, n.Method)
		}
		if n.AHP != nil && n.AHP.CR >= ConsistencyThreshold {
			t.Errorf("%s: CR %v", n.ID, n.AHP.CR)
		}
	}
	// FHI2017 §2: 1 root → 3 → 16 → 39.
	want := map[int]int{0: 1, 1: 3, 2: 16, 3: 39}
	for l, c := range want {
		if levels[l] != c {
			t.Errorf("level %d: got %d nodes, want %d", l, levels[l], c)
		}
	}
	if fw.Root.ID != "total" {
		t.Errorf("root id %q, want total", fw.Root.ID)
	}
	ids := []string{"industry.credit.capital", "experience.blockchain.familiarity", "ecosystem.attention.baidu_heat", "ecosystem.regulation.regulators"}
	for _, id := range ids {
		if n := fw.Node(id); n == nil || !n.IsLeaf() || n.Level != 3 {
			t.Errorf("indicator %s missing or not a level-3 leaf", id)
		}
	}
	if d := fw.Node("ecosystem.business.cost_of_living").Direction; d != Cost {
		t.Errorf("cost_of_living direction %q, want cost", d)
	}
	if d := fw.Node("ecosystem.business.gdp_per_capita").Direction; d != Benefit {
		t.Errorf("gdp_per_capita direction %q, want benefit", d)
	}
}

func TestFrameworkGood(t *testing.T) {
	files, _ := filepath.Glob("testdata/framework/*.good.yml")
	if len(files) == 0 {
		t.Fatal("no good files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseFramework(b); err != nil {
				t.Errorf("got %v, want nil", err)
			}
		})
	}
}

func TestFrameworkDetails(t *testing.T) {
	b, _ := os.ReadFile("testdata/framework/minimal.good.yml")
	fw, err := ParseFramework(b)
	if err != nil {
		t.Fatal(err)
	}
	if n := fw.Node("a"); n.Fixed[0] != 0.75 || n.Fixed[1] != 0.25 {
		t.Errorf("fixed weights: got %v, want [0.75 0.25] (3:1 normalised)", n.Fixed)
	}
	if n := fw.Node("b.q"); n.Missing != MissingMean || n.Transform != TransformNone {
		t.Errorf("b.q inherits missing %q transform %q, want mean, none", n.Missing, n.Transform)
	}
	if n := fw.Node("b.r"); n.Missing != MissingZero {
		t.Errorf("b.r missing %q, want its own zero", n.Missing)
	}
	if w := fw.Root.AHP.Weights; !near(w[0], 0.75, 1e-12) {
		t.Errorf("root weights %v, want [0.75 0.25]", w)
	}
	b, _ = os.ReadFile("testdata/framework/experts.good.yml")
	fw, err = ParseFramework(b)
	if err != nil {
		t.Fatal(err)
	}
	// Ratio rule on scores 6:3:1 is consistent: weights 0.6, 0.3, 0.1, CR 0.
	for i, w := range []float64{0.6, 0.3, 0.1} {
		if !near(fw.Root.AHP.Weights[i], w, 1e-12) {
			t.Errorf("weight %d: got %v, want %v", i, fw.Root.AHP.Weights[i], w)
		}
	}
	if fw.RandomIndex[2] != 0.52 || fw.Node("a.1").Constant != ConstantMid || fw.Node("a").Method != MethodEqual {
		t.Errorf("settings not applied: ri %v constant %q method %q", fw.RandomIndex, fw.Node("a.1").Constant, fw.Node("a").Method)
	}
}

func TestFrameworkBad(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings, every one must appear (all problems reported at once)
		as   any      // optional error type to find with errors.As
	}{
		{"unknown_keys.bad.yml", []string{"root.wieghting: unknown key", "root.children[0].weighting.metod: unknown key", "root.children[0].children[0].directon: unknown key"}, nil},
		{"many_problems.bad.yml", []string{
			`defaults.direction: unknown value "up"`,
			`root.weighting.method: unknown value "magic"`,
			`root.children[0].children[0].missing: unknown value "guess"`,
			`root.children[0].children[1].goalposts: want [lo, hi]`,
			`root.children[0].weighting.weights.a.zz: not a child of "a"`,
			`root.children[1].id: duplicate id "a"`,
			`root.children[2].id: "bad id" must not contain`,
		}, nil},
		{"inconsistent.bad.yml", []string{"total: inconsistent judgments: CR 0.14", "a[c1,"}, new(*InconsistencyError)},
		{"matrix_shape.bad.yml", []string{`root.weighting.matrix[0][1]: parsing judgment "x"`, "root.weighting.matrix[1]: want 2 judgments, got 3"}, nil},
		{"not_reciprocal.bad.yml", []string{"root.weighting.matrix[1][0]: must be the reciprocal of matrix[0][1]=3, got 3", "root.weighting.matrix[2][2]: diagonal must be 1, got 2"}, nil},
		{"experts.bad.yml", []string{"root.weighting.experts[0].c2: score must be in [1, 9], got 12", `root.weighting.experts[1]: no score for child "c2"`, `experts[1].c3: not a child`}, nil},
		{"leaf_weighting.bad.yml", []string{"root.children[0].weighting: indicator \"c1\" has no children"}, nil},
		{"not_yaml.bad.yml", []string{"decoding framework YAML"}, nil},
		{"no_root.bad.yml", []string{"root: required"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/framework", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseFramework(b)
			if err == nil {
				t.Fatal("got nil error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q; got:\n%v", w, err)
				}
			}
			if tt.file != "not_yaml.bad.yml" && !errors.Is(err, ErrFramework) {
				t.Errorf("error does not wrap ErrFramework: %v", err)
			}
			if ie, ok := tt.as.(**InconsistencyError); ok {
				if !errors.As(err, ie) || math.Abs((*ie).CR-0.1447) > 1e-3 {
					t.Errorf("want *InconsistencyError with CR 0.1447, got %v", err)
				}
			}
		})
	}
}

// TestFrameworkMethodKeys covers the method settings' validation, each problem at its key path.
func TestFrameworkMethodKeys(t *testing.T) {
	base := "root:\n  id: total\n%s  children:\n    - {id: a%s}\n    - {id: b}\n    - {id: c}\n"
	tests := []struct {
		name, group, leaf, top string
		want                   string // substring of the error; "" for valid
	}{
		{name: "pca options", group: "  weighting: {method: pca, retain: \"kaiser,variance:0.1\", rotation: quartimax, basis: covariance, assign: share}\n"},
		{name: "bad retain", group: "  weighting: {method: pca, retain: most}\n", want: `root.weighting: parsing retain term "most"`},
		{name: "bad rotation", group: "  weighting: {method: pca, rotation: promax}\n", want: `rotation "promax"`},
		{name: "pca keys on ahp", group: "  weighting: {method: equal, retain: \"2\"}\n", want: "retain, rotation, basis and assign apply only to method pca"},
		{name: "aggregation", group: "  aggregation: generalised\n  power: 2\n  min_coverage: 0.5\n"},
		{name: "generalised without power", group: "  aggregation: generalised\n", want: "root.power: aggregation generalised needs power"},
		{name: "power 0", group: "  aggregation: generalised\n  power: 0\n", want: "root.power: must be finite and non-zero"},
		{name: "coverage", group: "  min_coverage: 1.5\n", want: "root.min_coverage: must be in [0, 1]"},
		{name: "unknown aggregation", group: "  aggregation: mode\n", want: `root.aggregation: unknown value "mode"`},
		{name: "normalisation", leaf: ", normalisation: zscore, normalisation_params: [0, 1], clamp: true"},
		{name: "dist2ref without reference", leaf: ", normalisation: dist2ref", want: "root.children[0].normalisation: dist2ref needs reference"},
		{name: "params on rank", leaf: ", normalisation: rank, normalisation_params: [0, 1]", want: "normalisation_params apply to minmax and zscore only"},
		{name: "zscore sd 0", leaf: ", normalisation: zscore, normalisation_params: [0, 0]", want: "sd must be positive"},
		{name: "treatment", leaf: ", transform: winsorise, treatment: {winmax: 3, skew: 2.25, fallback: none}"},
		{name: "bad treatment", leaf: ", transform: winsorise, treatment: {winmax: -5}", want: "root.children[0].treatment: winmax: must be ≥ 0"},
		{name: "bad fallback", leaf: ", treatment: {fallback: boxcox}", want: `fallback "boxcox"`},
		{name: "denominator", top: "denominators: [{id: pop}]\n", leaf: ", denominator: pop, denominator_scale: 1000"},
		{name: "undeclared denominator", leaf: ", denominator: pop", want: `root.children[0].denominator: "pop" is not a declared denominator`},
		{name: "group-mean without group", leaf: ", missing: group-mean", want: "group-mean needs missing_group"},
		{name: "undeclared attribute", leaf: ", missing: group-mean, missing_group: tier", want: `missing_group: "tier" is not a declared attribute`},
		{name: "attribute", top: "attributes: [{id: tier}]\n", leaf: ", missing: group-mean, missing_group: tier"},
		{name: "indicator named like a column", top: "denominators: [{id: a}]\n", want: `root.children[0].id: "a" is also declared as a column`},
		{name: "screen", top: "screen: {min_availability: 1.2}\n", want: "screen.min_availability: must be in [0, 1]"},
		{name: "screen nothing", top: "screen: {min_availability: 0.5, units: false}\n", want: "screens neither units nor indicators"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := tt.top + fmt.Sprintf(base, tt.group, tt.leaf)
			_, err := ParseFramework([]byte(y))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v\n%s", err, y)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrFramework) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParseFramework(f *testing.F) {
	f.Add([]byte("root: {id: t, children: [{id: a}, {id: b}]}"), []byte(""))
	f.Add(data.FrameworkYAML, data.JudgementsYAML)
	f.Add([]byte("judgements: j.yaml\nroot: {id: t, weighting: {method: ahp}, children: [{id: a}, {id: b}]}"),
		[]byte("groups: [{group: t, provenance: placeholder, matrix: [[1, 3], [\"1/3\", 1]]}]"))
	f.Add([]byte("screen: {min_availability: 0.5}\nattributes: [{id: g}]\ndefaults: {missing: group-mean, missing_group: g, transform: winsorise, treatment: {winmax: 2}}\nroot: {id: t, weighting: {method: pca, retain: \"kaiser,2\"}, children: [{id: a, normalisation: dist2ref, reference: X}, {id: b}]}"), []byte(""))
	f.Fuzz(func(t *testing.T, fw, judgements []byte) {
		var js [][]byte
		if len(judgements) > 0 {
			js = append(js, judgements)
		}
		got, err := ParseFramework(fw, js...)
		if err != nil {
			if !errors.Is(err, ErrFramework) && !strings.Contains(err.Error(), "decoding") {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, n := range got.Nodes() {
			if n.Method == MethodAHP && (n.AHP == nil || n.AHP.CR >= ConsistencyThreshold) {
				t.Fatalf("%s: accepted without a consistent AHP result", n.ID)
			}
		}
	})
}
