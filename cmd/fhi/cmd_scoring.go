package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/fhi-index/fhi/scoring"
	"gonum.org/v1/gonum/mat"
)

// The scoring commands use run.go's exit codes: exitOK; exitError when the computation refuses the
// input (inconsistent judgments, missing values …); exitUsage for usage errors and for unreadable
// or malformed input files (exit 2, naming file and line).

// inputError formats a read failure as "file:line:column: message" when the position is known.
func inputError(file string, err error) string {
	var pe *scoring.ParseError
	if errors.As(err, &pe) {
		if pe.Column > 0 {
			return fmt.Sprintf("%s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)
		}
		return fmt.Sprintf("%s:%d: %v", file, pe.Line, pe.Err)
	}
	return fmt.Sprintf("%s: %v", file, err)
}

// parseRI reads the -ri flag: "saaty" or a comma-separated table for n = 1, 2, ….
func parseRI(s string) (scoring.RandomIndex, error) {
	if s == "" || s == "saaty" {
		return scoring.SaatyRI, nil
	}
	var ri scoring.RandomIndex
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("parsing random index %q: want saaty or numbers like 0,0,0.58,0.9", s)
		}
		ri = append(ri, v)
	}
	return ri, nil
}

// ahpOutput is the JSON printed by fhi ahp.
type ahpOutput struct {
	Labels    []string  `json:"labels,omitempty"`
	Weights   []float64 `json:"weights"`
	LambdaMax float64   `json:"lambda_max"`
	CI        float64   `json:"ci"`
	CR        float64   `json:"cr"`
}

// writeJSON prints v as indented JSON, leaving <, > and & as they are (city names, URLs).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// cmdAHP implements "fhi ahp <matrix.csv>": the eigenvector weights and consistency of a
// pairwise-comparison matrix.
func cmdAHP(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("ahp", "ahp [-ri saaty|0,0,0.58,…] <matrix.csv>",
		`Computes AHP weights (principal eigenvector), λmax, CI and CR of a pairwise-comparison matrix
and prints them as JSON. The file holds n lines of n comma-separated Saaty judgments (3, 0.2 or
1/3), optionally with a header row and a first column of labels.
Exit 1 when CR ≥ 0.10 (the JSON is still printed); exit 2 for unreadable or malformed input.`, stderr)
	riFlag := fs.String("ri", "saaty", "random-index table: saaty, or comma-separated values for n = 1, 2, …")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	ri, err := parseRI(*riFlag)
	if err != nil {
		fmt.Fprintf(stderr, "fhi ahp: %v\n", err)
		return exitUsage
	}
	file := fs.Arg(0)
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "fhi ahp: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	labels, m, err := scoring.ParseMatrixCSV(f)
	if err != nil {
		fmt.Fprintf(stderr, "fhi ahp: %s\n", inputError(file, err))
		return exitUsage
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "fhi ahp: %v\n", err)
		return exitError
	}
	res, err := scoring.AHP(m, ri)
	var ie *scoring.InconsistencyError
	if err != nil && !errors.As(err, &ie) {
		fmt.Fprintf(stderr, "fhi ahp: %s: %v\n", file, err)
		return exitUsage
	}
	if err := writeJSON(stdout, ahpOutput{Labels: labels, Weights: res.Weights, LambdaMax: res.LambdaMax, CI: res.CI, CR: res.CR}); err != nil {
		fmt.Fprintf(stderr, "fhi ahp: writing output: %v\n", err)
		return exitError
	}
	if ie != nil {
		ie.Matrix = file
		for i := range ie.Worst {
			if len(labels) == len(res.Weights) {
				ie.Worst[i].Row, ie.Worst[i].Col = labels[ie.Worst[i].I], labels[ie.Worst[i].J]
			}
		}
		fmt.Fprintf(stderr, "fhi ahp: %v\n", ie)
		return exitError
	}
	return exitOK
}

// pcaOutput is the JSON printed by fhi pca.
type pcaOutput struct {
	Indicators     []string    `json:"indicators"`
	Units          int         `json:"units"`
	Eigenvalues    []float64   `json:"eigenvalues"`
	Explained      []float64   `json:"explained"`
	Kept           int         `json:"kept"`
	Rotated        bool        `json:"rotated"`
	Loadings       [][]float64 `json:"loadings"`
	FactorVariance []float64   `json:"factor_variance"`
	Assigned       []int       `json:"assigned"`
	Weights        []float64   `json:"weights"`
	Constant       []string    `json:"constant,omitempty"`
	Note           string      `json:"note,omitempty"`
}

// cmdPCA implements "fhi pca <table.csv>": the Nicoletti PCA weights of the table's indicators.
func cmdPCA(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("pca", "pca <table.csv>",
		`Runs the PCA weighting recipe (OECD/JRC Handbook 2008 §6.1: correlation matrix, components with
eigenvalue > 1, varimax when more than one, squared scaled loadings) on a wide table — a header
row of indicator names, one row per unit with its name first — and prints eigenvalues, explained
variance, loadings and weights as JSON. Every cell must be filled.`, stderr)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	file := fs.Arg(0)
	tab, code := readTable(file, "pca", stderr)
	if code != exitOK {
		return code
	}
	if len(tab.Units) < 2 {
		fmt.Fprintf(stderr, "fhi pca: %s: need at least 2 units, got %d\n", file, len(tab.Units))
		return exitUsage
	}
	x := mat.NewDense(len(tab.Units), len(tab.Indicators), nil)
	for u, row := range tab.Values {
		for j, v := range row {
			if math.IsNaN(v) {
				fmt.Fprintf(stderr, "fhi pca: %s:%d: missing value for %s (unit %s); fill it in or drop the unit\n", file, u+2, tab.Indicators[j], tab.Units[u])
				return exitUsage
			}
		}
		x.SetRow(u, row)
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "fhi pca: %v\n", err)
		return exitError
	}
	res, err := scoring.PCAWeights(x, tab.Indicators)
	if err != nil {
		fmt.Fprintf(stderr, "fhi pca: %s: %v\n", file, err)
		return exitError
	}
	out := pcaOutput{Indicators: tab.Indicators, Units: len(tab.Units), Eigenvalues: res.Eigenvalues, Explained: res.Explained,
		Kept: res.Kept, Rotated: res.Rotated, Loadings: res.Loadings, FactorVariance: res.FactorVariance,
		Assigned: res.Assigned, Weights: res.Weights, Constant: res.Constant, Note: res.Note}
	if err := writeJSON(stdout, out); err != nil {
		fmt.Fprintf(stderr, "fhi pca: writing output: %v\n", err)
		return exitError
	}
	return exitOK
}

func readTable(file, cmd string, stderr io.Writer) (scoring.Table, int) {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "fhi %s: %v\n", cmd, err)
		return scoring.Table{}, exitUsage
	}
	defer f.Close()
	tab, err := scoring.ReadTableCSV(f)
	if err != nil {
		fmt.Fprintf(stderr, "fhi %s: %s\n", cmd, inputError(file, err))
		return scoring.Table{}, exitUsage
	}
	return tab, exitOK
}

// weightsFile is the JSON written to <out>/weights.json.
type weightsFile struct {
	Framework   string               `json:"framework"`
	Version     string               `json:"version"`
	Root        string               `json:"root"`
	Options     scoring.Options      `json:"options"`
	Units       []string             `json:"units"`
	Missing     []string             `json:"missing"`
	Unused      []string             `json:"unused"`
	Constant    []string             `json:"constant"`
	Dropped     []string             `json:"dropped"`
	Imputed     []scoring.Imputation `json:"imputed"`
	Treatments  []scoring.Treatment  `json:"treatment"`
	Top         []string             `json:"top"`
	Candidates  []string             `json:"candidates"`
	Nodes       []scoring.NodeWeight `json:"nodes"`
	Sensitivity *scoring.Sensitivity `json:"sensitivity,omitempty"`
}

// cmdScoreFile implements "fhi score": scores a wide CSV and writes scores.csv, weights.json and
// standardised.csv into the output directory.
func cmdScoreFile(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("score", "score [--framework F.yaml] --input table.csv --out dir [flags]",
		`Scores a wide CSV (one row per unit, first column the unit name, one column per indicator id)
with the FHI framework and writes, atomically, into --out:
  scores.csv        rank,city,total,<level-1 ids…>,<level-2 ids…>, best first
  weights.json      the weight tree with AHP CRs and PCA diagnostics, missing indicators, imputations
  standardised.csv  the [0,100] score of every indicator used
Indicators the input lacks are dropped and sibling weights renormalised (listed under "missing").`, stderr)
	fwPath := fs.String("framework", "", "framework YAML (default: the embedded data/framework.yaml)")
	input := fs.String("input", "", "wide CSV of raw indicators (required)")
	out := fs.String("out", "", "output directory, created if needed (required)")
	norm := fs.String("normalisation", scoring.NormMinMax, "minmax, zscore, rank or goalposts")
	agg := fs.String("aggregation", scoring.AggArithmetic, "arithmetic or geometric")
	draws := fs.Int("draws", 0, "Monte Carlo draws for rank intervals and weight importance (0 = off)")
	seed := fs.Int64("seed", 1, "Monte Carlo seed")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *input == "" || *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "fhi score: --input and --out are required (see fhi score -h)")
		return exitUsage
	}
	fwBytes, fwName := data.FrameworkYAML, "data/framework.yaml (embedded)"
	if *fwPath != "" {
		b, err := os.ReadFile(*fwPath)
		if err != nil {
			fmt.Fprintf(stderr, "fhi score: %v\n", err)
			return exitUsage
		}
		fwBytes, fwName = b, *fwPath
	}
	fw, err := scoring.ParseFramework(fwBytes)
	if err != nil {
		fmt.Fprintf(stderr, "fhi score: parsing %s:\n%v\n", fwName, err)
		return exitUsage
	}
	tab, code := readTable(*input, "score", stderr)
	if code != exitOK {
		return code
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "fhi score: %v\n", err)
		return exitError
	}
	res, err := scoring.Score(fw, tab, scoring.Options{Normalisation: *norm, Aggregation: *agg, MonteCarloDraws: *draws, Seed: *seed})
	if err != nil {
		fmt.Fprintf(stderr, "fhi score: scoring %s: %v\n", *input, err)
		return exitError
	}
	if err := writeResult(*out, fw, res); err != nil {
		fmt.Fprintf(stderr, "fhi score: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "scored %d units on %d of %d indicators (%d missing) → %s\n",
		len(res.Units), len(fw.Leaves())-len(res.Missing)-len(res.Constant), len(fw.Leaves()), len(res.Missing), *out)
	return exitOK
}

// writeResult writes the three output files of fhi score into dir.
func writeResult(dir string, fw *scoring.Framework, res *scoring.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	// scores.csv: best first.
	var cols []string
	for _, lvl := range []int{1, 2} {
		for _, n := range res.Nodes {
			if n.Level == lvl && n.Method != "" {
				cols = append(cols, n.ID)
			}
		}
	}
	score := map[string]map[string]float64{} // node → unit → score
	for _, v := range res.Values {
		if score[v.Node] == nil {
			score[v.Node] = map[string]float64{}
		}
		score[v.Node][v.Unit] = v.Score
	}
	var rows [][]string
	rows = append(rows, append([]string{"rank", "city", res.Root}, cols...))
	for _, v := range res.Ranking(res.Root) {
		rec := []string{strconv.Itoa(v.Rank), v.Unit, fmtScore(v.Score)}
		for _, c := range cols {
			rec = append(rec, fmtScore(score[c][v.Unit]))
		}
		rows = append(rows, rec)
	}
	if err := writeCSVAtomic(filepath.Join(dir, "scores.csv"), rows); err != nil {
		return err
	}
	// standardised.csv: input order, leaves in framework order.
	var leaves []string
	for _, n := range res.Nodes {
		if n.Method == "" {
			leaves = append(leaves, n.ID)
		}
	}
	rows = [][]string{append([]string{"city"}, leaves...)}
	for _, u := range res.Units {
		rec := []string{u}
		for _, l := range leaves {
			rec = append(rec, fmtScore(score[l][u]))
		}
		rows = append(rows, rec)
	}
	if err := writeCSVAtomic(filepath.Join(dir, "standardised.csv"), rows); err != nil {
		return err
	}
	wf := weightsFile{Framework: fw.Name, Version: fw.Version, Root: res.Root, Options: res.Options, Units: res.Units,
		Missing: nonNil(res.Missing), Unused: nonNil(res.Unused), Constant: nonNil(res.Constant), Dropped: nonNil(res.Dropped),
		Imputed: res.Imputed, Treatments: res.Treatments, Top: res.Top, Candidates: nonNil(res.Candidates),
		Nodes: res.Nodes, Sensitivity: res.Sensitivity}
	if wf.Imputed == nil {
		wf.Imputed = []scoring.Imputation{}
	}
	if wf.Treatments == nil {
		wf.Treatments = []scoring.Treatment{}
	}
	var b strings.Builder
	if err := writeJSON(&b, wf); err != nil {
		return fmt.Errorf("encoding weights.json: %w", err)
	}
	return pipelines.WriteFileAtomic(filepath.Join(dir, "weights.json"), []byte(b.String()))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// fmtScore prints a [0,100] score with 6 decimals: enough to reproduce ranks, stable across runs.
func fmtScore(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

func writeCSVAtomic(path string, rows [][]string) error {
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		return fmt.Errorf("encoding %s: %w", filepath.Base(path), err)
	}
	return pipelines.WriteFileAtomic(path, []byte(b.String()))
}

// printWeights prints the weight tree of res for humans (fhi weights): every node indented by
// level with its weighting method, local and effective weight, AHP λmax/CI/CR, PCA eigenvalues,
// explained variance and loadings; then the effective weight of every indicator.
func printWeights(w io.Writer, res *scoring.Result) {
	for _, n := range res.Nodes {
		indent := strings.Repeat("  ", n.Level)
		kind := n.Method
		if kind == "" {
			kind = "indicator, " + n.Direction
			if n.Transform != "" && n.Transform != scoring.TransformNone {
				kind += ", " + n.Transform
			}
		}
		fmt.Fprintf(w, "%s%s  %s / %s  [%s]  local %.4f  effective %.4f\n", indent, n.ID, n.Name, n.NameEN, kind, n.Local, n.Effective)
		in := indent + "    "
		switch n.Method {
		case scoring.MethodAHP:
			fmt.Fprintf(w, "%sAHP: λmax %.4f  CI %.4f  CR %.4f\n", in, n.LambdaMax, n.CI, n.CR)
		case scoring.MethodPCA:
			if len(n.Eigenvalues) > 0 {
				fmt.Fprintf(w, "%sPCA: eigenvalues %s\n", in, joinFloats(n.Eigenvalues, "%.4f"))
				pct := make([]float64, len(n.Explained))
				for i, e := range n.Explained {
					pct[i] = 100 * e
				}
				fmt.Fprintf(w, "%s     explained %s %%  kept %d  rotated %v\n", in, joinFloats(pct, "%.1f"), n.Kept, n.Rotated)
				for i, row := range n.Loadings {
					if i < len(n.Children) {
						fmt.Fprintf(w, "%s     loading %-40s %s\n", in, n.Children[i], joinFloats(row, "%+.4f"))
					}
				}
			}
			if n.Note != "" {
				fmt.Fprintf(w, "%sPCA: %s\n", in, n.Note)
			}
		}
	}
	fmt.Fprintln(w, "\neffective weights of indicators:")
	for _, n := range res.Nodes {
		if n.Method == "" {
			fmt.Fprintf(w, "  %-45s %.4f\n", n.ID, n.Effective)
		}
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(w, "\nmissing from the input (pruned, siblings renormalised): %s\n", strings.Join(res.Missing, ", "))
	}
	if len(res.Constant) > 0 {
		fmt.Fprintf(w, "constant in the input (pruned): %s\n", strings.Join(res.Constant, ", "))
	}
}

func joinFloats(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, " ")
}
