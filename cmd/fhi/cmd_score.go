package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/fhi-index/fhi/scoring"
	"github.com/spf13/cobra"
)

func newScoreCmd(a *app) *cobra.Command {
	var from, framework, input, out, norm, agg string
	var draws, sobol int
	var seed int64
	cmd := &cobra.Command{
		Use:   "score [flags]",
		Short: "score the metrics (or, with --input, score a CSV outside the lake)",
		Long: `Standardises, weights and aggregates one transform run's metrics (the latest successful one by
default) into score_values, score_weights and, with --mc-draws, score_uncertainty. No site is
contacted. Publish the run with fhi publish.

With --input, scores a wide CSV outside the lake instead (one row per unit, first column the unit
name, one column per indicator id) and writes, atomically, into --out:
  scores.csv        rank,city,total,<level-1 ids…>,<level-2 ids…>, best first
  weights.json      the weight tree with AHP CRs and PCA diagnostics, missing indicators, imputations
  standardised.csv  the [0,100] score of every indicator used
Indicators the input lacks are dropped and sibling weights renormalised (listed under "missing").`,
		Example: `  fhi score
  fhi score --mc-draws 10000 --seed 1
  fhi score --sobol 512
  fhi score --framework data/framework.yaml --input table.csv --out scored/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fwYAML, err := readFramework(framework)
			if err != nil {
				return err
			}
			if input != "" || out != "" {
				if input == "" || out == "" {
					return usagef("--input and --out go together")
				}
				return scoreFile(a, fwYAML, input, out, scoring.Options{Normalisation: norm, Aggregation: agg, MonteCarloDraws: draws, Seed: seed, SobolSamples: sobol})
			}
			lake, err := a.writeLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			m, _, err := lake.Score(cmd.Context(), pipelines.ScoreOptions{FromRun: from, Framework: fwYAML,
				Scoring: scoring.Options{Normalisation: norm, Aggregation: agg, MonteCarloDraws: draws, Seed: seed, SobolSamples: sobol}})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\t%s\t%d values from %s (publish with: fhi publish --from-run %s)\n", m.RunID, m.Status, m.Rows, strings.Join(m.Upstream, ","), m.RunID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, flagFromRun, "", "transform run to score (default: the latest successful one)")
	f.StringVar(&framework, flagFramework, "", "framework YAML (default: the embedded data/framework.yaml)")
	f.StringVar(&input, "input", "", "score this wide CSV of raw indicators instead of the lake (with --out)")
	f.StringVar(&out, "out", "", "with --input: output directory, created if needed")
	f.StringVar(&norm, "normalisation", "", "override every indicator's normalisation: minmax, zscore, rank, borda, goalposts, dist2max or fracmax (default: the framework's)")
	f.StringVar(&agg, "aggregation", "", "override every group's aggregation: arithmetic, geometric, harmonic, median or copeland (default: the framework's)")
	f.IntVar(&sobol, "sobol", 0, "base sample size N of the Sobol' analysis of every city's rank (0 = off; runs N·(k+2) scorings)")
	f.IntVar(&draws, "mc-draws", 0, "Monte Carlo draws for rank intervals and weight importance (0 = off)")
	f.IntVar(&draws, "draws", 0, "")
	_ = f.MarkDeprecated("draws", "use --mc-draws")
	f.Int64Var(&seed, "seed", 1, "seed of the Monte Carlo draws and Sobol' samples")
	_ = cmd.RegisterFlagCompletionFunc(flagFromRun, a.completeRuns(pipelines.StageTransform))
	return cmd
}

// readFramework reads a framework file and the judgements file it names; "" means the embedded
// ones.
func readFramework(path string) (pipelines.FrameworkSource, error) {
	src, err := pipelines.ReadFramework(path)
	if err != nil {
		return src, usageError{err}
	}
	return src, nil
}

// scoreFile scores a wide CSV outside the lake and writes the three output files into out.
func scoreFile(a *app, src pipelines.FrameworkSource, input, out string, opts scoring.Options) error {
	fw, err := src.Parse()
	if err != nil {
		return usagef("parsing %s:\n%v", src.Name, err)
	}
	tab, err := readTable(input, fw.AttributeIDs()...)
	if err != nil {
		return err
	}
	res, err := scoring.Score(fw, tab, opts)
	if err != nil {
		return fmt.Errorf("scoring %s: %w", input, err)
	}
	if err := writeResult(out, fw, res); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "scored %d units on %d of %d indicators (%d missing) → %s\n",
		len(res.Units), len(fw.Leaves())-len(res.Missing)-len(res.Constant), len(fw.Leaves()), len(res.Missing), out)
	return nil
}

// weightsFile is the JSON written to <out>/weights.json.
type weightsFile struct {
	Framework string `json:"framework"`
	// Placeholders lists the AHP groups whose judgements are placeholders; PlaceholderNote says
	// what that means for every weight marked placeholder in nodes.
	Placeholders    []string             `json:"placeholders"`
	PlaceholderNote string               `json:"placeholder_note,omitempty"`
	Screened        []string             `json:"screened_units,omitempty"`
	Version         string               `json:"version"`
	Root            string               `json:"root"`
	Options         scoring.Options      `json:"options"`
	Units           []string             `json:"units"`
	Missing         []string             `json:"missing"`
	Unused          []string             `json:"unused"`
	Constant        []string             `json:"constant"`
	Dropped         []string             `json:"dropped"`
	Imputed         []scoring.Imputation `json:"imputed"`
	Treatments      []scoring.Treatment  `json:"treatment"`
	Top             []string             `json:"top"`
	Candidates      []string             `json:"candidates"`
	Nodes           []scoring.NodeWeight `json:"nodes"`
	Sensitivity     *scoring.Sensitivity `json:"sensitivity,omitempty"`
	Sobol           *scoring.SobolResult `json:"sobol,omitempty"`
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
		Nodes: res.Nodes, Sensitivity: res.Sensitivity, Sobol: res.Sobol,
		Placeholders: nonNil(res.Placeholders), Screened: res.ScreenedUnits}
	if len(res.Placeholders) > 0 {
		wf.PlaceholderNote = "the AHP judgements of the groups in placeholders are placeholders, not a panel's: every node with placeholder true has a weight derived from them"
	}
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
