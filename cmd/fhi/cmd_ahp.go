package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/scoring"
	"github.com/spf13/cobra"
)

func newAHPCmd(a *app) *cobra.Command {
	var riFlag string
	cmd := &cobra.Command{
		Use:   "ahp [flags] <matrix.csv>",
		Short: "weights, λmax, CI and CR of a pairwise-comparison matrix CSV",
		Long: `Computes AHP weights (principal eigenvector), λmax, CI and CR of a pairwise-comparison matrix
and prints them as JSON. The file holds n lines of n comma-separated Saaty judgments (3, 0.2 or
1/3), optionally with a header row and a first column of labels.
Exit 1 when CR ≥ 0.10 (the JSON is still printed); exit 2 for unreadable or malformed input.`,
		Example: `  fhi ahp judgements.csv`,
		Args:    exactArgs("matrix.csv"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ri, err := parseRI(riFlag)
			if err != nil {
				return usageError{err}
			}
			file := args[0]
			f, err := os.Open(file)
			if err != nil {
				return usageError{err}
			}
			defer f.Close()
			labels, m, err := scoring.ParseMatrixCSV(f)
			if err != nil {
				return usagef("%s", inputError(file, err))
			}
			res, err := scoring.AHP(m, ri)
			var ie *scoring.InconsistencyError
			if err != nil && !errors.As(err, &ie) {
				return usagef("%s: %v", file, err)
			}
			if err := writeJSON(a.stdout, ahpOutput{Labels: labels, Weights: res.Weights, LambdaMax: res.LambdaMax, CI: res.CI, CR: res.CR}); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
			if ie != nil {
				ie.Matrix = file
				for i := range ie.Worst {
					if len(labels) == len(res.Weights) {
						ie.Worst[i].Row, ie.Worst[i].Col = labels[ie.Worst[i].I], labels[ie.Worst[i].J]
					}
				}
				return ie
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&riFlag, "ri", "saaty", "random-index table: saaty, or comma-separated values for n = 1, 2, …")
	return cmd
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
