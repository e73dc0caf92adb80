package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newRunsCmd(a *app) *cobra.Command {
	var stage string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs [flags]",
		Short: "list stage runs with status, counts, durations, upstream runs and errors",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			runs, err := lake.Runs()
			if err != nil {
				return err
			}
			var shown []*pipelines.Manifest
			for _, m := range runs {
				if stage == "" || m.Stage == stage {
					shown = append(shown, m)
				}
			}
			if asJSON {
				return writeJSON(a.stdout, shown)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tSTAGE\tSOURCE\tSTATUS\tROWS\tDURATION\tSTARTED\tUPSTREAM\tERROR")
			for _, m := range shown {
				errText := m.Error
				if r := []rune(errText); len(r) > 80 {
					errText = string(r[:77]) + "..."
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", m.RunID, m.Stage, m.Source, m.Status, m.Rows,
					m.Duration().Round(time.Millisecond), m.StartedAt.Format(time.RFC3339), strings.Join(m.Upstream, ","), errText)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&stage, "stage", "", "only runs of this stage (collect, transform, score, publish)")
	cmd.Flags().BoolVar(&asJSON, flagJSON, false, "print the manifests as JSON")
	_ = cmd.RegisterFlagCompletionFunc("stage", cobra.FixedCompletions(
		[]string{pipelines.StageCollect, pipelines.StageTransform, pipelines.StageScore, pipelines.StagePublish}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// completeRuns completes run ids of one stage from the lake, read-only.
func (a *app) completeRuns(stage string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		lake, err := a.readLake()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer lake.Close()
		runs, err := lake.Runs()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ids []string
		for i := len(runs) - 1; i >= 0; i-- {
			if m := runs[i]; m.Stage == stage {
				ids = append(ids, m.RunID+"\t"+m.Status+" "+m.Source)
			}
		}
		return ids, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}
