package main

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newScoresCmd(a *app) *cobra.Command {
	var format, runID string
	var top, level int
	var bom, raw bool
	cmd := &cobra.Command{
		Use:   "scores [flags]",
		Short: "print the published scores (or any score run's)",
		Long: `Prints a score run, the published one by default. CSV header: rank,city,total then one column per
level-1 and level-2 sub-index that exists; --level 1/2 shows one level, --level 3 the standardised
indicators. After fhi score --mc-draws N each city also gets its median rank and 5–95% rank
interval over the Monte Carlo draws; every CSV row ends with score_run and simulated. --raw adds
each indicator's measured value (<id>_raw) beside its score (--level 3). --bom starts the CSV with
a UTF-8 byte-order mark, for Excel on Windows. --format json prints rows as objects with labels;
--format xlsx writes the workbook published as scores.xlsx (redirect it to a file).`,
		Example: `  fhi scores --top 10
  fhi scores --format csv --level 3 --raw
  fhi scores --format csv --bom > scores.csv
  fhi scores --format xlsx > scores.xlsx`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if level < 0 || level > 3 {
				return usagef("--level %d: want 0, 1, 2 or 3", level)
			}
			if format != "table" && format != "csv" && format != "json" && format != "xlsx" {
				return usagef("--format %q: want table, csv, json or xlsx", format)
			}
			if raw && level != 3 {
				return usagef("--raw shows the indicators' measured values: add --level 3")
			}
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			t, err := lake.Scores(cmd.Context(), pipelines.ScoreQuery{Run: runID, Level: level, Raw: raw})
			if err != nil {
				return err
			}
			switch format {
			case "csv":
				if bom {
					if _, err := a.stdout.Write(pipelines.UTF8BOM); err != nil {
						return err
					}
				}
				return pipelines.WriteScoresCSV(a.stdout, t)
			case "xlsx":
				return lake.WriteWorkbook(cmd.Context(), a.stdout, t.RunID)
			case "json":
				return writeJSON(a.stdout, t)
			}
			printScoresTable(a.stdout, t, top)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", "output format: table, csv, json or xlsx")
	f.BoolVar(&bom, "bom", false, "csv: start with a UTF-8 byte-order mark (Excel on Windows)")
	f.BoolVar(&raw, "raw", false, "--level 3: each indicator's measured value beside its score")
	f.StringVar(&runID, flagRun, "", "score run to show (default: the published one)")
	f.IntVar(&top, "top", 0, "table format: show only the first N cities (0 = all)")
	f.IntVar(&level, "level", 0, "columns after the total: 1 level-1 sub-indices, 2 level-2, 3 standardised indicators (0 = levels 1 and 2)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"table", "csv", "json", "xlsx"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc(flagRun, a.completeRuns(pipelines.StageScore))
	return cmd
}

// printScoresTable prints the ranking with every score column, and rank intervals when present.
func printScoresTable(w io.Writer, t *pipelines.ScoreTable, top int) {
	header := []string{"rank", "city"}
	for i, c := range t.Columns {
		header = append(header, c)
		if t.WithRaw && t.Labels[i].Level == 3 {
			header = append(header, rawColumnHeader(t.Labels[i]))
		}
	}
	if t.Draws > 0 { // the score run had --mc-draws
		header = append(header, "median rank", "5–95% rank")
	}
	var rows [][]string
	for i, r := range t.Rows {
		if top > 0 && i >= top {
			break
		}
		row := []string{fmt.Sprint(r.Rank), r.City}
		for i, s := range r.Scores {
			row = append(row, fmt.Sprintf("%.1f", s))
			if t.WithRaw && t.Labels[i].Level == 3 {
				row = append(row, formatMeasured(r.Raw[i]))
			}
		}
		if t.Draws > 0 {
			row = append(row, fmt.Sprintf("%.1f", r.MedianRank), fmt.Sprintf("%d–%d", r.P05Rank, r.P95Rank))
		}
		rows = append(rows, row)
	}
	printAligned(w, header, rows)
}

// rawColumnHeader names a measured-value column with its unit: industry.p2p.firms_raw (firms).
func rawColumnHeader(lb pipelines.ColumnLabel) string {
	unit := lb.RawUnit
	if unit == "" {
		unit = "unit not declared"
	}
	return lb.ID + "_raw (" + unit + ")"
}

// formatMeasured prints a measured value to six significant digits; "-" when missing.
func formatMeasured(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}
