package main

import (
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/fhi-index/fhi/scoring"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func newPCACmd(a *app) *cobra.Command {
	var retain, rotation, basis, assign string
	cmd := &cobra.Command{
		Use:   "pca [flags] <table.csv>",
		Short: "principal components and recipe weights of an indicator table CSV",
		Long: `Runs the PCA weighting recipe (OECD/JRC Handbook 2008 §6.1: correlation matrix, retained
components rotated by varimax, each indicator weighted by its squared loading on the factor of its
highest loading) on a wide table — a header row of indicator names, one row per unit with its name
first — and prints eigenvalues, explained variance, loadings and weights as JSON. Every cell must
be filled.

--retain chooses the components: kaiser (eigenvalue above the mean, i.e. > 1 on correlations),
variance:F (each explaining more than F), cumulative:F (as many as needed to pass F), or a count N;
terms combine with commas, keeping a component any of them keeps — the Handbook's rule is
kaiser,variance:0.10,cumulative:0.60, which keeps 4 on its TAI data (Table 18).`,
		Example: `  fhi pca scoring/testdata/tai.csv
  fhi pca --retain 4 scoring/testdata/tai.csv
  fhi pca --retain kaiser,variance:0.10,cumulative:0.60 --rotation quartimax scoring/testdata/tai.csv`,
		Args: exactArgs("table.csv"),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			tab, err := readTable(file)
			if err != nil {
				return err
			}
			if len(tab.Units) < 2 {
				return usagef("%s: need at least 2 units, got %d", file, len(tab.Units))
			}
			x := mat.NewDense(len(tab.Units), len(tab.Indicators), nil)
			for u, row := range tab.Values {
				for j, v := range row {
					if math.IsNaN(v) {
						return usagef("%s:%d: missing value for %s (unit %s); fill it in or drop the unit", file, u+2, tab.Indicators[j], tab.Units[u])
					}
				}
				x.SetRow(u, row)
			}
			spec, err := scoring.ParsePCASpec(retain, rotation, basis, assign)
			if err != nil {
				return usageError{err}
			}
			res, err := scoring.PCAWeightsWith(x, tab.Indicators, spec)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			out := pcaOutput{Indicators: tab.Indicators, Units: len(tab.Units), PCAResult: res}
			if err := writeJSON(a.stdout, out); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&retain, "retain", "kaiser", "components to keep: kaiser, variance:F, cumulative:F or N, combined with commas")
	f.StringVar(&rotation, "rotation", scoring.RotationVarimax, "rotation of the kept loadings: varimax, quartimax or none")
	f.StringVar(&basis, "basis", scoring.BasisCorrelation, "matrix decomposed: correlation or covariance")
	f.StringVar(&assign, "assign", scoring.AssignLoading, "factor each indicator is weighted on: loading (its highest loading) or share (its largest scaled squared loading)")
	return cmd
}

// pcaOutput is the JSON printed by fhi pca.
type pcaOutput struct {
	Indicators []string `json:"indicators"`
	Units      int      `json:"units"`
	scoring.PCAResult
}

// readTable reads a wide indicator CSV; a read failure is a usage error naming file and line.
func readTable(file string, attributes ...string) (scoring.Table, error) {
	f, err := os.Open(file)
	if err != nil {
		return scoring.Table{}, usageError{err}
	}
	defer f.Close()
	tab, err := scoring.ReadTableCSV(f, attributes...)
	if err != nil {
		return scoring.Table{}, usagef("%s", inputError(file, err))
	}
	return tab, nil
}

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
