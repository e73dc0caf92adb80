package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newLineageCmd(a *app) *cobra.Command {
	var runID string
	var limit int
	var verify, asJSON bool
	cmd := &cobra.Command{
		Use:   "lineage [flags] <city> <indicator>",
		Short: "trace one city's score on one indicator back to the archived bytes",
		Long: `Shows how one city's score on one indicator was made: its standardised score and rank, the
weights up to the total, the transform's metric value, and the raw records behind it with their
URLs and WARC coordinates. --verify re-reads each listed record's archived response and checks its
SHA-256 (exit 1 when one does not match).`,
		Example: `  fhi lineage 杭州 industry.p2p.firms --verify`,
		Args:    exactArgs("city", "indicator"),
		RunE: func(cmd *cobra.Command, args []string) error {
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			r, err := lake.Lineage(cmd.Context(), pipelines.LineageQuery{City: args[0], Indicator: args[1], ScoreRun: runID, Limit: limit, Verify: verify})
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(a.stdout, r); err != nil {
					return err
				}
			} else {
				printLineage(a.stdout, r)
			}
			for _, row := range r.Records {
				if row.Verified != nil && !*row.Verified {
					return fmt.Errorf("record %s: the archived bytes at %s @ %d do not match body_sha256 %s", row.RecordID, row.WARCFile, row.WARCOffset, row.BodySHA256)
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&runID, flagRun, "", "score run (default: the published one)")
	f.IntVar(&limit, "limit", 10, "records to list")
	f.BoolVar(&verify, "verify", false, "re-hash each listed record's archived bytes")
	f.BoolVar(&asJSON, flagJSON, false, "print the report as JSON")
	_ = cmd.RegisterFlagCompletionFunc(flagRun, a.completeRuns(pipelines.StageScore))
	return cmd
}

func printLineage(w io.Writer, r *pipelines.LineageReport) {
	fmt.Fprintf(w, "%s · %s   (score run %s, transform run %s)\n", r.City, r.Indicator, r.ScoreRun, r.TransformRun)
	fmt.Fprintf(w, "  standardised score %.2f, rank %d; value scored %s\n", r.Score, r.Rank, optFloat(r.Raw))
	fmt.Fprintln(w, "  weights, indicator to total:")
	for _, lv := range r.Weights {
		fmt.Fprintf(w, "    %-42s local %.4f  effective %.4f  (%s)  score %6.2f  rank %d\n", lv.Node, lv.Local, lv.Effective, orDash(lv.Method), lv.Score, lv.Rank)
	}
	fmt.Fprintf(w, "  metric %s from %d records\n", optFloat(r.Metric), r.RecordCount)
	if !r.RecordsAvailable {
		fmt.Fprintf(w, "  records: transform run %s kept no lineage file; rebuild it with fhi transform --from-run <its collect runs> to list them\n", r.TransformRun)
		return
	}
	fmt.Fprintf(w, "  records (%d of %d):\n", len(r.Records), r.RecordCount)
	for _, row := range r.Records {
		check := ""
		if row.Verified != nil {
			check = "  bytes verified"
			if !*row.Verified {
				check = "  BYTES DO NOT MATCH"
			}
		}
		fmt.Fprintf(w, "    %s  %s  %s\n      %s\n      %s @ %d  sha256 %s  fetched %s%s\n",
			row.Source, row.Key, row.RecordID, row.URL, row.WARCFile, row.WARCOffset, row.BodySHA256, row.FetchedAt, check)
		if l := row.Link; l != nil && l.CompanyID != "" {
			fmt.Fprintf(w, "      taken as registry company %s %s: %s matched %q (confidence %.2f)\n", l.CompanyID, l.Company, l.Method, l.MatchedOn, l.Confidence)
		} else if l != nil {
			fmt.Fprintf(w, "      not linked to the registry: %s\n", l.Problem)
		}
	}
}

func optFloat(v *float64) string {
	if v == nil {
		return "missing"
	}
	return strconv.FormatFloat(*v, 'g', 10, 64)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
