package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/scoring"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
)

func newAHPCmd(a *app) *cobra.Command {
	var riFlag string
	var saaty bool
	var tol float64
	cmd := &cobra.Command{
		Use:   "ahp [flags] <matrix.csv> [more experts' matrix.csv …]",
		Short: "weights, λmax, CI and CR of a pairwise-comparison matrix CSV (or several experts')",
		Long: `Computes AHP weights (principal eigenvector), λmax, CI and CR of a pairwise-comparison matrix
and prints them as JSON. The file holds n lines of n comma-separated Saaty judgments (3, 0.2 or
1/3), optionally with a header row and a first column of labels. Every judgment must be positive
and finite, the diagonal 1 and a_ji the reciprocal of a_ij (within --tolerance); with
--saaty-scale every judgment must also lie within 1/9 … 9. A bad cell is named by line and column.

With several files — one matrix per expert, same size and labels — each expert's matrix is
checked and CR-tested on its own, then they are combined by element-wise geometric mean (Aczél &
Saaty 1983) and the combination is weighted; the JSON lists every expert and the combination.

Exit 1 when a CR ≥ 0.10 (the JSON is still printed); exit 2 for unreadable or invalid input.`,
		Example: `  fhi ahp judgements.csv
  fhi ahp --saaty-scale expert1.csv expert2.csv expert3.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("want at least one matrix.csv")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ri, err := parseRI(riFlag)
			if err != nil {
				return usageError{err}
			}
			if !(tol > 0 && tol < 1) {
				return usagef("--tolerance: want a relative tolerance in (0, 1), got %v", tol)
			}
			rules := scoring.JudgmentRules{Tolerance: tol, SaatyScale: saaty}
			var labels []string
			var ms []*mat.Dense
			for k, file := range args {
				l, m, err := readMatrix(file, rules)
				if err != nil {
					return err
				}
				if k > 0 {
					r, _ := m.Dims()
					if r0, _ := ms[0].Dims(); r != r0 {
						return usagef("%s: %d×%d matrix, %s is %d×%d: every expert judges the same items", file, r, r, args[0], r0, r0)
					}
					if labels != nil && l != nil && strings.Join(l, ",") != strings.Join(labels, ",") {
						return usagef("%s: labels %s differ from %s's %s", file, strings.Join(l, ","), args[0], strings.Join(labels, ","))
					}
				}
				if labels == nil {
					labels = l
				}
				ms = append(ms, m)
			}
			if len(ms) == 1 {
				return ahpOne(a, args[0], labels, ms[0], ri)
			}
			return ahpGroup(a, args, labels, ms, ri, rules)
		},
	}
	cmd.Flags().StringVar(&riFlag, "ri", "saaty", "random-index table: saaty, or comma-separated values for n = 1, 2, …")
	cmd.Flags().BoolVar(&saaty, "saaty-scale", false, "require every judgment within Saaty's scale 1/9 … 9")
	cmd.Flags().Float64Var(&tol, "tolerance", 0.02, "relative tolerance of a_ij·a_ji = 1 and of the unit diagonal")
	return cmd
}

// readMatrix reads and validates one matrix file; problems are usage errors naming file and cell.
func readMatrix(file string, rules scoring.JudgmentRules) ([]string, *mat.Dense, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, usageError{err}
	}
	defer f.Close()
	labels, m, err := scoring.ParseMatrixCSV(f)
	if err != nil {
		return nil, nil, usagef("%s", inputError(file, err))
	}
	if ps := scoring.CheckJudgments(m, rules); ps != nil {
		return nil, nil, usageError{&scoring.JudgmentError{Matrix: file, Labels: labels, Problems: ps}}
	}
	return labels, m, nil
}

func ahpOne(a *app, file string, labels []string, m *mat.Dense, ri scoring.RandomIndex) error {
	res, err := scoring.AHP(m, ri)
	var ie *scoring.InconsistencyError
	if err != nil && !errors.As(err, &ie) {
		return usagef("%s: %v", file, err)
	}
	if err := writeJSON(a.stdout, ahpOutput{Labels: labels, Weights: res.Weights, LambdaMax: res.LambdaMax, CI: res.CI, CR: res.CR}); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if ie != nil {
		labelDeviations(ie, file, labels, len(res.Weights))
		return ie
	}
	return nil
}

// ahpGroupOutput is the JSON printed by fhi ahp with several experts' matrices.
type ahpGroupOutput struct {
	Labels   []string    `json:"labels,omitempty"`
	Experts  []ahpExpert `json:"experts"`
	Combined ahpOutput   `json:"combined"`
	Matrix   [][]float64 `json:"geometric_mean_matrix"`
}

type ahpExpert struct {
	File string `json:"file"`
	ahpOutput
}

func ahpGroup(a *app, files, labels []string, ms []*mat.Dense, ri scoring.RandomIndex, rules scoring.JudgmentRules) error {
	res, err := scoring.AHPGroup(ms, ri, rules)
	var ie *scoring.InconsistencyError
	if err != nil && !errors.As(err, &ie) {
		return usagef("%v", err)
	}
	out := ahpGroupOutput{Labels: labels, Matrix: res.Matrix,
		Combined: ahpOutput{Weights: res.Combined.Weights, LambdaMax: res.Combined.LambdaMax, CI: res.Combined.CI, CR: res.Combined.CR}}
	for k, m := range res.Members {
		out.Experts = append(out.Experts, ahpExpert{File: files[k], ahpOutput: ahpOutput{Weights: m.Weights, LambdaMax: m.LambdaMax, CI: m.CI, CR: m.CR}})
	}
	if err := writeJSON(a.stdout, out); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if err == nil {
		return nil
	}
	// Name each inconsistent matrix by its file.
	var msgs []string
	for _, e := range unjoin(err) {
		var ie *scoring.InconsistencyError
		if errors.As(e, &ie) {
			name := ie.Matrix
			if k, ok := strings.CutPrefix(name, "expert "); ok {
				if i, err := strconv.Atoi(k); err == nil && i >= 1 && i <= len(files) {
					name = files[i-1]
				}
			}
			labelDeviations(ie, name, labels, len(res.Combined.Weights))
			msgs = append(msgs, ie.Error())
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func labelDeviations(ie *scoring.InconsistencyError, name string, labels []string, n int) {
	ie.Matrix = name
	for i := range ie.Worst {
		if len(labels) == n {
			ie.Worst[i].Row, ie.Worst[i].Col = labels[ie.Worst[i].I], labels[ie.Worst[i].J]
		}
	}
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
