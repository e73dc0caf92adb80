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
local and effective weight, AHP λmax/CI/CR, PCA eigenvalues, explained variance and loadings; then
the effective weight of every indicator.`,
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
			printWeights(a.stdout, res)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, flagFromRun, "", "transform run whose metrics the PCA weights come from (default: the latest)")
	cmd.Flags().StringVar(&framework, flagFramework, "", "framework YAML (default: the embedded data/framework.yaml)")
	_ = cmd.RegisterFlagCompletionFunc(flagFromRun, a.completeRuns(pipelines.StageTransform))
	return cmd
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
