package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/scoring"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCmdAHP(t *testing.T) {
	tests := []struct {
		name      string
		matrix    string
		args      []string
		code      int
		stderr    string  // substring
		weight0   float64 // when code is 0 or 1: first weight
		tolerance float64
	}{
		// Wikipedia "Analytic hierarchy process – leader example": Experience .547, CR .044
		// (verified in scoring/testdata/ahp_check.py).
		{name: "leader", matrix: ",exp,edu,cha,age\nexp,1,4,3,7\nedu,1/4,1,1/3,3\ncha,1/3,3,1,5\nage,1/7,1/3,1/5,1\n", weight0: 0.547569, tolerance: 1e-5},
		// Saaty (1977) light-intensity matrix: CR 0.1447 ≥ 0.10.
		{name: "inconsistent", matrix: "1,5,6,7\n1/5,1,4,6\n1/6,1/4,1,4\n1/7,1/6,1/4,1\n", code: 1, stderr: "CR 0.1447", weight0: 0.618669, tolerance: 1e-5},
		{name: "bad cell", matrix: "1,3\n1/3,abc\n", code: 2, stderr: "m.csv:2:2:"},
		{name: "not square", matrix: "1,3,1\n1/3,1,1\n", code: 2, stderr: "m.csv:1:"},
		{name: "not reciprocal", matrix: "1,3\n3,1\n", code: 2, stderr: "m.csv: invalid judgments: row 2, column 1 must be the reciprocal of matrix[0][1]=3, got 3"},
		// Issue 8: these once gave weights [1] with exit 0 (the bad row was taken for a header).
		{name: "negative", matrix: "1,-3\n-1/3,1\n", code: 2, stderr: `m.csv:1:2: parsing judgment "-3": must be positive and finite`},
		{name: "zero", matrix: "1,0\n3,1\n", code: 2, stderr: `m.csv:1:2: parsing judgment "0"`},
		{name: "NaN", matrix: "1,3\nNaN,1\n", code: 2, stderr: `m.csv:2:1: parsing judgment "NaN"`},
		{name: "Inf", matrix: "1,Inf\n0,1\n", code: 2, stderr: `m.csv:1:2: parsing judgment "Inf"`},
		{name: "labelled bad cell", matrix: ",a,b\na,1,x3\nb,1/3,1\n", code: 2, stderr: "m.csv:2:3:"},
		{name: "outside Saaty's scale", matrix: ",a,b\na,1,12\nb,1/12,1\n", args: []string{"--saaty-scale"}, code: 2, stderr: "a[a,b] (row 1, column 2) outside Saaty's scale 1/9 … 9, got 12"},
		{name: "12 allowed without the flag", matrix: "1,12\n1/12,1\n", weight0: 12.0 / 13, tolerance: 1e-12},
		{name: "loose reciprocal within tolerance", matrix: "1,3\n0.33,1\n", weight0: 0.75, tolerance: 2e-3},
		{name: "tighter tolerance", matrix: "1,3\n0.33,1\n", args: []string{"--tolerance", "0.001"}, code: 2, stderr: "must be the reciprocal"},
		{name: "custom ri", matrix: "1,2,4\n1/2,1,2\n1/4,1/2,1\n", args: []string{"--ri", "0,0,0.52"}, weight0: 4.0 / 7, tolerance: 1e-12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "m.csv", tt.matrix)
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append(append([]string{"ahp"}, tt.args...), path), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
			if code == 2 {
				return
			}
			var out struct {
				Weights   []float64 `json:"weights"`
				LambdaMax float64   `json:"lambda_max"`
				CI, CR    float64
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("decoding %q: %v", stdout.String(), err)
			}
			if math.Abs(out.Weights[0]-tt.weight0) > tt.tolerance {
				t.Errorf("weight 0: got %v, want %v", out.Weights[0], tt.weight0)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), prepend("ahp", []string{"-h"}), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "fhi ahp [flags] <matrix.csv> [more experts' matrix.csv …]") {
		t.Errorf("-h: exit %d, stderr %q", code, stderr.String())
	}
	if code := run(t.Context(), prepend("ahp", nil), &stdout, &stderr); code != 2 {
		t.Errorf("no file: exit %d, want 2", code)
	}
	if code := run(t.Context(), prepend("ahp", []string{filepath.Join(t.TempDir(), "nope.csv")}), &stdout, &stderr); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

func TestCmdPCA(t *testing.T) {
	src, err := os.ReadFile("../../scoring/testdata/usarrests.csv")
	if err != nil {
		t.Fatal(err)
	}
	path := writeTemp(t, "usarrests.csv", string(src))
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), prepend("pca", []string{path}), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Eigenvalues []float64
		Weights     []float64
		Loadings    [][]float64
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	// R: prcomp(USArrests, scale. = TRUE)$sdev^2 = 2.4802416 …
	if math.Abs(out.Eigenvalues[0]-2.4802416) > 1e-6 || len(out.Loadings) != 4 || len(out.Weights) != 4 {
		t.Errorf("got eigenvalues %v, %d loadings, want 2.4802416 first and 4 rows", out.Eigenvalues, len(out.Loadings))
	}
	bad := writeTemp(t, "bad.csv", "unit,a,b\nX,1,2\nY,,3\n")
	stderr.Reset()
	if code := run(t.Context(), prepend("pca", []string{bad}), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "bad.csv:3") {
		t.Errorf("missing value: exit %d, stderr %q; want 2 naming bad.csv:3", code, stderr.String())
	}
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestCmdScoreFile(t *testing.T) {
	src, err := os.ReadFile("../../scoring/testdata/fhi_demo.csv")
	if err != nil {
		t.Fatal(err)
	}
	in := writeTemp(t, "demo.csv", string(src))
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), prepend("score", []string{"--input", in, "--out", out}), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	scores := readCSVFile(t, filepath.Join(out, "scores.csv"))
	header := strings.Join(scores[0], ",")
	if !strings.HasPrefix(header, "rank,city,total,industry,experience,ecosystem,industry.p2p,") || len(scores[0]) != 3+3+16 {
		t.Errorf("scores.csv header %q", header)
	}
	if len(scores) != 38 || scores[1][0] != "1" {
		t.Errorf("scores.csv: %d rows, first rank %q; want 37 units, best first", len(scores)-1, scores[1][0])
	}
	std := readCSVFile(t, filepath.Join(out, "standardised.csv"))
	if len(std[0]) != 40 {
		t.Errorf("standardised.csv: %d columns, want city + 39", len(std[0]))
	}
	b, err := os.ReadFile(filepath.Join(out, "weights.json"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Missing []string
		Nodes   []scoring.NodeWeight
	}
	if err := json.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.Nodes) != 59 || wf.Nodes[0].Method != "ahp" || wf.Nodes[0].CR <= 0 {
		t.Errorf("weights.json: %d nodes, root %+v", len(wf.Nodes), wf.Nodes[0])
	}
	// Same inputs → byte-identical outputs; no temp files left behind.
	out2 := filepath.Join(t.TempDir(), "out2")
	if code := run(t.Context(), prepend("score", []string{"--input", in, "--out", out2, "--mc-draws", "50"}), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, f := range []string{"scores.csv", "standardised.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, f))
		c, _ := os.ReadFile(filepath.Join(out2, f))
		if !bytes.Equal(a, c) {
			t.Errorf("%s differs between runs", f)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 3 {
		t.Errorf("output dir holds %d entries, want 3 (no temp files)", len(entries))
	}

	// A framework file and a pruned input: only two indicators.
	fw := writeTemp(t, "fw.yaml", "root:\n  id: total\n  weighting: {method: equal}\n  children:\n    - {id: a}\n    - {id: b, direction: cost}\n    - {id: c}\n")
	small := writeTemp(t, "small.csv", "city,a,b\nX,1,1\nY,2,3\nZ,3,2\n")
	out3 := filepath.Join(t.TempDir(), "out3")
	stderr.Reset()
	if code := run(t.Context(), prepend("score", []string{"--framework", fw, "--input", small, "--out", out3}), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got := readCSVFile(t, filepath.Join(out3, "scores.csv"))
	// a: 0, 50, 100; b (cost): 100, 0, 50; total = mean: X 50, Y 25, Z 75.
	want := [][]string{{"rank", "city", "total"}, {"1", "Z", "75.000000"}, {"2", "X", "50.000000"}, {"3", "Y", "25.000000"}}
	if strings.Join(flat(got), "|") != strings.Join(flat(want), "|") {
		t.Errorf("scores.csv:\n got %v\nwant %v", got, want)
	}

	// Errors: bad input names file and line; missing flags; bad framework; missing values.
	badIn := writeTemp(t, "bad.csv", "city,a\nX,1\nY,zz\n")
	stderr.Reset()
	if code := run(t.Context(), prepend("score", []string{"--input", badIn, "--out", out3}), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "bad.csv:3:2") {
		t.Errorf("bad input: exit %d stderr %q", code, stderr.String())
	}
	if code := run(t.Context(), prepend("score", []string{"--out", out3}), &stdout, &stderr); code != 2 {
		t.Errorf("no --input: exit %d, want 2", code)
	}
	badFw := writeTemp(t, "fw.yaml", "root: {id: total, colour: red}\n")
	stderr.Reset()
	if code := run(t.Context(), prepend("score", []string{"--framework", badFw, "--input", small, "--out", out3}), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "root.colour: unknown key") {
		t.Errorf("bad framework: exit %d stderr %q", code, stderr.String())
	}
	holes := writeTemp(t, "holes.csv", "city,a,b\nX,1,\nY,2,3\nZ,3,2\n")
	stderr.Reset()
	if code := run(t.Context(), prepend("score", []string{"--framework", fw, "--input", holes, "--out", out3}), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "indicator b: missing for X") {
		t.Errorf("missing value: exit %d stderr %q", code, stderr.String())
	}
	if code := run(t.Context(), prepend("score", []string{"-h"}), &stdout, &stderr); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

// TestCmdAHPGroup combines experts' matrices by element-wise geometric mean (Aczél & Saaty 1983):
// a_12 of 2 and 8 combine to √16 = 4, so weights 0.8 / 0.2 (hand computation); an inconsistent
// expert (Saaty's 1977 light-intensity matrix, CR 0.1447) is named by file, with exit 1.
func TestCmdAHPGroup(t *testing.T) {
	dir := t.TempDir()
	write := func(name, m string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e1, e2 := write("e1.csv", ",a,b\na,1,2\nb,1/2,1\n"), write("e2.csv", ",a,b\na,1,8\nb,1/8,1\n")
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"ahp", e1, e2}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Experts []struct {
			File    string
			Weights []float64
		}
		Combined struct{ Weights []float64 }
		Matrix   [][]float64 `json:"geometric_mean_matrix"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Experts) != 2 || math.Abs(out.Matrix[0][1]-4) > 1e-12 || math.Abs(out.Combined.Weights[0]-0.8) > 1e-12 || math.Abs(out.Experts[1].Weights[0]-8.0/9) > 1e-12 {
		t.Errorf("got %+v", out)
	}
	bad := write("bad.csv", "1,5,6,7\n1/5,1,4,6\n1/6,1/4,1,4\n1/7,1/6,1/4,1\n")
	good := write("good.csv", "1,2,3,4\n1/2,1,2,3\n1/3,1/2,1,2\n1/4,1/3,1/2,1\n")
	stdout.Reset()
	stderr.Reset()
	if code := run(t.Context(), []string{"ahp", good, bad}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "bad.csv: inconsistent judgments: CR 0.1447") || strings.Contains(stderr.String(), "good.csv") {
		t.Errorf("inconsistent expert: exit %d, stderr %q", code, stderr.String())
	}
	if code := run(t.Context(), []string{"ahp", e1, good}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "every expert judges the same items") {
		t.Errorf("size mismatch: exit %d, stderr %q", code, stderr.String())
	}
	neg := write("neg.csv", "1,-2\n-1/2,1\n")
	if code := run(t.Context(), []string{"ahp", e1, neg}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "neg.csv:1:2:") {
		t.Errorf("bad expert cell: exit %d, stderr %q", code, stderr.String())
	}
}

func TestPrintWeights(t *testing.T) {
	src, _ := os.ReadFile("../../scoring/testdata/fhi_demo.csv")
	tab, err := scoring.ReadTableCSV(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	fw, err := scoring.ParseFramework(mustRead(t, "../../data/framework.yaml"), mustRead(t, "../../data/ahp_judgements.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := scoring.Score(fw, tab, scoring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	printWeights(&b, res, "data/ahp_judgements.yaml (embedded)")
	out := b.String()
	for _, want := range []string{
		"total  金融科技中心指数 / Fintech Hub Index  [ahp]  local 1.0000  effective 1.0000",
		"AHP: λmax 3.0010",
		"PCA: eigenvalues ",
		"explained ",
		"loading industry.p2p.firms",
		"effective weights of indicators:",
		"ecosystem.business.cost_of_living",
		"[indicator, cost]",
		"NOTE: the AHP judgements of total, industry, experience, ecosystem are placeholders (provenance: placeholder, in data/ahp_judgements.yaml (embedded))",
		// An indicator's local weight is PCA's; its effective weight rests on industry's placeholders.
		"industry.p2p.firms  企业数量 / number of firms  [indicator, benefit]  local 0.",
		"judgements: placeholder — fhi maintainers (no panel has been convened), 2026-11-26",
		"industry.p2p.firms                            0.",
		"  placeholder\n",
		"  placeholder via industry\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("printWeights output lacks %q", want)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScoreTruthExport scores the sample web's ground truth outside the lake, the way a
// methodologist would (fhi sampleweb truth, then fhi score --input): every level is scored and the
// total ranks the report's published top five (FHI2017.md §4) in order.
func TestScoreTruthExport(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := fhi(t, "sampleweb", "truth", "--out", filepath.Join(dir, "truth")); code != exitOK {
		t.Fatalf("fhi sampleweb truth: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "scored")
	if code, _, errOut := fhi(t, "score", "--input", filepath.Join(dir, "truth", "indicators.csv"), "--out", out); code != exitOK {
		t.Fatalf("fhi score --input: exit %d: %s", code, errOut)
	}
	f, err := os.Open(filepath.Join(out, "scores.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(recs[0]); got != 2+1+3+16 {
		t.Errorf("scores.csv has %d columns, want rank, city, total, 3 level-1 and 16 level-2", got)
	}
	for i, want := range []string{"北京", "上海", "深圳", "杭州", "广州"} {
		if recs[i+1][1] != want {
			t.Errorf("rank %d is %s, published %s", i+1, recs[i+1][1], want)
		}
	}
}

// prepend puts a command name before its arguments.
func prepend(cmd string, args []string) []string { return append([]string{cmd}, args...) }

// TestPrintWeightsTreatment shows the treatment log of COINr's ASEM example: Flights winsorised 1
// point (skew 2.244 → 1.754, COINr's Dets_Table) and no placeholder note without placeholders.
func TestPrintWeightsTreatment(t *testing.T) {
	fw, err := scoring.ParseFramework(mustRead(t, "../../scoring/testdata/asem/framework.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../scoring/testdata/asem/data.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := scoring.ReadTableCSV(f, fw.AttributeIDs()...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scoring.Score(fw, tab, scoring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	printWeights(&b, res, "")
	out := b.String()
	for _, want := range []string{"outlier treatment: 15 of 49 indicators checked failed", "Flights", "winsorised 1 (MLT); skew 2.244 → 1.754, kurtosis 6.298 → 3.247, passes", "imputed values: ", "by group-mean"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "placeholder") {
		t.Error("a framework without placeholder judgements printed a placeholder note")
	}
}

// TestCmdAudit audits COINr's ASEM example from a CSV: Ship's correlation with Physical is 0.254
// (R's cor on COINr's Normalised/Aggregated data sets), not significant at 5% (p 0.072) — flagged.
func TestCmdAudit(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"audit", "--framework", "../../scoring/testdata/asem/framework.yaml", "--input", "../../scoring/testdata/asem/data.csv"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if out := stdout.String(); !strings.Contains(out, "Ship                                          r with Physical +0.254  p 0.072  FLAG insignificant") {
		t.Errorf("output lacks Ship's flag:\n%s", out)
	}
	stdout.Reset()
	code = run(t.Context(), []string{"audit", "--json", "--framework", "../../scoring/testdata/asem/framework.yaml", "--input", "../../scoring/testdata/asem/data.csv"}, &stdout, &stderr)
	var au scoring.AuditResult
	if code != 0 || json.Unmarshal(stdout.Bytes(), &au) != nil || len(au.Groups) != 11 {
		t.Errorf("--json: exit %d, %d groups: %s", code, len(au.Groups), stderr.String())
	}
}
