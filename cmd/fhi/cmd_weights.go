package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/fhi-index/fhi/scoring"
	"github.com/spf13/cobra"
)

func newWeightsCmd(a *app) *cobra.Command {
	var from, framework string
	cmd := &cobra.Command{
		Use:   "weights [flags]",
		Short: "print the weight tree of the framework with AHP and PCA diagnostics",
		Long: `Prints the weight tree scoring the latest metrics would use: every node with its weighting method,
local and effective weight, AHP λmax/CI/CR and where the judgements come from (their provenance:
the shipped ones are placeholders, and weights derived from them are marked so), PCA eigenvalues,
explained variance and loadings; then the effective weight of every indicator, the outlier
treatment log, imputed values and anything the data-availability screen dropped.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fwYAML, err := readFramework(framework)
			if err != nil {
				return err
			}
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			res, err := lake.Weights(cmd.Context(), from, fwYAML)
			if err != nil {
				return err
			}
			printWeights(a.stdout, res, fwYAML.JudgementsName())
			return nil
		},
	}
	cmd.Flags().StringVar(&from, flagFromRun, "", "transform run whose metrics the PCA weights come from (default: the latest)")
	cmd.Flags().StringVar(&framework, flagFramework, "", "framework YAML (default: the embedded data/framework.yaml)")
	_ = cmd.RegisterFlagCompletionFunc(flagFromRun, a.completeRuns(pipelines.StageTransform))
	return cmd
}

// printWeights prints the weight tree of res for humans (fhi weights): every node indented by
// level with its weighting method, local and effective weight, AHP λmax/CI/CR and provenance, PCA
// eigenvalues, explained variance and loadings; then the effective weight of every indicator, the
// treatment log, imputations and the screen. Weights derived from placeholder judgements are
// marked "placeholder" wherever they appear.
func printWeights(w io.Writer, res *scoring.Result, judgementsFile string) {
	if len(res.Placeholders) > 0 {
		from := ""
		if judgementsFile != "" {
			from = ", in " + judgementsFile
		}
		fmt.Fprintf(w, "NOTE: the AHP judgements of %s are placeholders (provenance: placeholder%s), not a panel's:\n"+
			"      every weight marked \"placeholder\" below derives from them.\n\n", strings.Join(res.Placeholders, ", "), from)
	}
	byID := map[string]scoring.NodeWeight{}
	for _, n := range res.Nodes {
		byID[n.ID] = n
	}
	for _, n := range res.Nodes {
		indent := strings.Repeat("  ", n.Level)
		kind := n.Method
		if kind == "" {
			kind = "indicator, " + n.Direction
			if n.Transform != "" && n.Transform != scoring.TransformNone {
				kind += ", " + n.Transform
			}
		} else if n.Aggregation != "" && n.Aggregation != scoring.AggArithmetic {
			kind += ", " + n.Aggregation
		}
		fmt.Fprintf(w, "%s%s  %s / %s  [%s]  local %.4f  effective %.4f%s\n", indent, n.ID, n.Name, n.NameEN, kind, n.Local, n.Effective, placeholderMark(n, byID))
		in := indent + "    "
		switch n.Method {
		case scoring.MethodAHP:
			fmt.Fprintf(w, "%sAHP: λmax %.4f  CI %.4f  CR %.4f\n", in, n.LambdaMax, n.CI, n.CR)
			if j := n.Judgements; j != nil {
				fmt.Fprintf(w, "%sjudgements: %s — %s, %s; %s\n", in, j.Provenance, j.Who, j.When, j.How)
			} else {
				fmt.Fprintf(w, "%sjudgements: inline in the framework, provenance not stated\n", in)
			}
		case scoring.MethodPCA:
			if len(n.Eigenvalues) > 0 {
				fmt.Fprintf(w, "%sPCA: eigenvalues %s\n", in, joinFloats(n.Eigenvalues, "%.4f"))
				pct := make([]float64, len(n.Explained))
				for i, e := range n.Explained {
					pct[i] = 100 * e
				}
				fmt.Fprintf(w, "%s     explained %s %%  kept %d (retain %s)  rotated %v\n", in, joinFloats(pct, "%.1f"), n.Kept, n.Retain, n.Rotated)
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
			fmt.Fprintf(w, "  %-45s %.4f%s\n", n.ID, n.Effective, placeholderMark(n, byID))
		}
	}
	printTreatment(w, res)
	if len(res.Imputed) > 0 {
		rules := map[string]int{}
		var order []string
		for _, im := range res.Imputed {
			if rules[im.Rule] == 0 {
				order = append(order, im.Rule)
			}
			rules[im.Rule]++
		}
		parts := make([]string, len(order))
		for i, r := range order {
			parts[i] = fmt.Sprintf("%d by %s", rules[r], r)
		}
		fmt.Fprintf(w, "\nimputed values: %s (every one is flagged in score_values.imputed)\n", strings.Join(parts, ", "))
	}
	if len(res.ScreenedUnits) > 0 || len(res.ScreenedIndicators) > 0 {
		fmt.Fprintf(w, "dropped by the data-availability screen: units %s; indicators %s\n", orNone(res.ScreenedUnits), orNone(res.ScreenedIndicators))
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(w, "\nmissing from the input (pruned, siblings renormalised): %s\n", strings.Join(res.Missing, ", "))
	}
	if len(res.Constant) > 0 {
		fmt.Fprintf(w, "constant in the input (pruned): %s\n", strings.Join(res.Constant, ", "))
	}
}

// placeholderMark marks a weight that rests on placeholder judgements: "placeholder" when its own
// (local) weight was computed from them, "placeholder via <group>" when only its effective weight
// rests on them, through the nearest ancestor whose judgements are placeholders.
func placeholderMark(n scoring.NodeWeight, byID map[string]scoring.NodeWeight) string {
	if !n.Placeholder {
		return ""
	}
	parent := byID[n.Parent]
	if parent.Provenance == scoring.ProvenancePlaceholder {
		return "  placeholder"
	}
	for g := parent; g.ID != ""; g = byID[g.Parent] {
		if p := byID[g.Parent]; p.Provenance == scoring.ProvenancePlaceholder {
			return "  placeholder via " + p.ID
		}
	}
	return "  placeholder"
}

// printTreatment prints the outlier-treatment log: one line per indicator that failed the
// skew/kurtosis check, with what was done and the statistics before and after.
func printTreatment(w io.Writer, res *scoring.Result) {
	var failed []scoring.Treatment
	for _, t := range res.Treatments {
		if !t.Before.Pass || t.Untestable {
			failed = append(failed, t)
		}
	}
	if len(res.Treatments) == 0 {
		return
	}
	fmt.Fprintf(w, "\noutlier treatment: %d of %d indicators checked failed |skew| and kurtosis:\n", len(failed), len(res.Treatments))
	for _, t := range failed {
		if t.Untestable {
			fmt.Fprintf(w, "  %-45s untestable (too few values or no variance): left as is\n", t.Indicator)
			continue
		}
		how := fmt.Sprintf("winsorised %d (%s)", t.Winsorised, strings.Join(t.Units, ", "))
		after := t.AfterWinsorising
		if t.LogCT {
			how = fmt.Sprintf("winsorising %d did not pass: log_CT instead", t.Winsorised)
			after = t.AfterLog
		}
		verdict := "passes"
		if !t.Passed() {
			verdict = "still fails"
		}
		fmt.Fprintf(w, "  %-45s %s; skew %.3f → %.3f, kurtosis %.3f → %.3f, %s\n", t.Indicator, how, t.Before.Skew, after.Skew, t.Before.Kurtosis, after.Kurtosis, verdict)
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func joinFloats(xs []float64, format string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(parts, " ")
}
