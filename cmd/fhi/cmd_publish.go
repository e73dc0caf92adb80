package main

import (
	"fmt"
	"strings"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newPublishCmd(a *app) *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "publish [flags]",
		Short: "publish a score run: the ranking fhi scores shows and lake/published/",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lake, err := a.writeLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			m, err := lake.Publish(cmd.Context(), from)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\t%s\tpublished %s (%d cities)\n", m.RunID, m.Status, strings.Join(m.Upstream, ","), m.Rows)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, flagFromRun, "", "score run to publish (default: the latest successful one)")
	_ = cmd.RegisterFlagCompletionFunc(flagFromRun, a.completeRuns(pipelines.StageScore))
	return cmd
}
