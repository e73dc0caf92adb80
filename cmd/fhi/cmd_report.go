package main

import (
	"fmt"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newReportCmd(a *app) *cobra.Command {
	var runID, output string
	cmd := &cobra.Command{
		Use:   "report [flags]",
		Short: "write the report of a score run as one offline HTML page",
		Long: `Writes the report — total ranking, sub-index chapters with tiers, top 10s, heat map, one profile per
city, weights and method, rank uncertainty and changes, data quality — of the published score run
(or --run) as one self-contained HTML file that opens from disk and prints to PDF. fhi publish
writes the same page as lake/published/report.html.`,
		Example: `  fhi report -o report.html
  fhi report --run score-20261126T031502Z-9f3c -o candidate.html`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			page, err := lake.Report(cmd.Context(), runID)
			if err != nil {
				return err
			}
			if output == "-" {
				_, err = a.stdout.Write(page)
				return err
			}
			if err := pipelines.WriteFileAtomic(output, page); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %s (%d bytes)\n", output, len(page))
			return nil
		},
	}
	cmd.Flags().StringVar(&runID, flagRun, "", "score run to report (default: the published one)")
	cmd.Flags().StringVarP(&output, "output", "o", "report.html", "file to write; - for stdout")
	_ = cmd.RegisterFlagCompletionFunc(flagRun, a.completeRuns(pipelines.StageScore))
	return cmd
}
