package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/fhi-index/fhi/scoring"
	"github.com/spf13/cobra"
)

func newAuditCmd(a *app) *cobra.Command {
	var from, framework, input string
	var asJSON bool
	var opts scoring.AuditOptions
	cmd := &cobra.Command{
		Use:   "audit [flags]",
		Short: "statistical audit of the index: correlations, Cronbach's alpha, PCA per group",
		Long: `Audits the index the latest metrics give (or, with --input, a wide CSV scored with the framework)
as the JRC audits composite indicators: within every group, each pair of children's correlation
(flagged when negative, or above --collinear), each child's correlation with the group (flagged
when negative or not significant at --alpha), Cronbach's alpha of the children and the share of
their variance the first principal component carries. Correlations are Pearson's over the
cities with both values, with a two-sided t-test p-value.`,
		Example: `  fhi audit
  fhi audit --json --collinear 0.9
  fhi audit --framework scoring/testdata/asem/framework.yaml --input scoring/testdata/asem/data.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src, err := readFramework(framework)
			if err != nil {
				return err
			}
			var res *scoring.Result
			if input != "" {
				fw, err := src.Parse()
				if err != nil {
					return usagef("parsing %s:\n%v", src.Name, err)
				}
				tab, err := readTable(input, fw.AttributeIDs()...)
				if err != nil {
					return err
				}
				if res, err = scoring.Score(fw, tab, scoring.Options{}); err != nil {
					return fmt.Errorf("scoring %s: %w", input, err)
				}
			} else {
				lake, err := a.readLake()
				if err != nil {
					return err
				}
				defer lake.Close()
				if res, err = lake.Weights(cmd.Context(), from, src); err != nil {
					return err
				}
			}
			au := scoring.Audit(res, opts)
			if asJSON {
				return writeJSON(a.stdout, jsonSafeAudit(au))
			}
			printAudit(a.stdout, au)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, flagFromRun, "", "transform run whose metrics to audit (default: the latest)")
	f.StringVar(&framework, flagFramework, "", "framework YAML (default: the embedded data/framework.yaml)")
	f.StringVar(&input, "input", "", "audit this wide CSV scored with the framework instead of the lake")
	f.BoolVar(&asJSON, "json", false, "print the audit as JSON")
	f.Float64Var(&opts.Alpha, "alpha", 0.05, "significance level of the correlation tests")
	f.Float64Var(&opts.Collinear, "collinear", 0.92, "flag sibling pairs correlated above this")
	f.Float64Var(&opts.Negative, "negative", 0, "flag sibling pairs correlated below this")
	_ = cmd.RegisterFlagCompletionFunc(flagFromRun, a.completeRuns(pipelines.StageTransform))
	return cmd
}

// printAudit prints the audit for humans: one block per group, flags first.
func printAudit(w io.Writer, au *scoring.AuditResult) {
	fmt.Fprintf(w, "audit: %d groups, %d flagged correlations (alpha %.2f, collinear > %.2f, negative < %.2f)\n",
		len(au.Groups), len(au.Flagged), au.Options.Alpha, au.Options.Collinear, au.Options.Negative)
	for _, g := range au.Groups {
		first := math.NaN()
		if len(g.Explained) > 0 {
			first = 100 * g.Explained[0]
		}
		fmt.Fprintf(w, "\n%s (level %d, %d children): Cronbach's alpha %s, first component %s%% of the variance\n",
			g.Group, g.Level, len(g.Children), fmtNum(g.Alpha, "%.3f"), fmtNum(first, "%.1f"))
		for _, c := range g.WithGroup {
			fmt.Fprintf(w, "  %-45s r with %s %s  p %s%s\n", c.A, g.Group, fmtNum(c.R, "%+.3f"), fmtNum(c.P, "%.3g"), flagText(c.Flags))
		}
		for _, c := range g.Pairs {
			if len(c.Flags) > 0 {
				fmt.Fprintf(w, "  pair %s – %s  r %s%s\n", c.A, c.B, fmtNum(c.R, "%+.3f"), flagText(c.Flags))
			}
		}
	}
}

func flagText(flags []string) string {
	if len(flags) == 0 {
		return ""
	}
	return "  FLAG " + strings.Join(flags, ", ")
}

func fmtNum(v float64, format string) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf(format, v)
}

// jsonSafeAudit replaces NaN statistics (undefined: too few values, no variance), which JSON
// cannot carry, by −1 for alpha and the correlation's p (documented in the output's note).
func jsonSafeAudit(au *scoring.AuditResult) any {
	fix := func(cs []scoring.Correlation) {
		for i := range cs {
			if math.IsNaN(cs[i].R) {
				cs[i].R, cs[i].P = 0, 1
				cs[i].Flags = append(cs[i].Flags, "undefined")
			}
		}
	}
	for i := range au.Groups {
		fix(au.Groups[i].Pairs)
		fix(au.Groups[i].WithGroup)
		if math.IsNaN(au.Groups[i].Alpha) {
			au.Groups[i].Alpha = -1
		}
	}
	fix(au.Flagged)
	return struct {
		Note string `json:"note"`
		*scoring.AuditResult
	}{"an undefined correlation (too few cities, or no variance) reads r 0, p 1, flag undefined; an undefined alpha reads -1", au}
}
