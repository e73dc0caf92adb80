package main

import (
	"fmt"
	"strings"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newTransformCmd(a *app) *cobra.Command {
	var from []string
	var sqlDirFlag *string
	cmd := &cobra.Command{
		Use:   "transform [flags]",
		Short: "clean raw records and compute per-city metrics in DuckDB",
		Long: `Cleans the raw records of each source's latest successful collect run (or the runs named by
--from-run) and computes the per-city metrics, in one DuckDB transaction. --sql-dir (or the
config's transform.sql_dir) adds or replaces SQL steps (NNN_name.sql) and reference tables (CSV)
without a rebuild; fhi lint --sql-dir checks them first.`,
		Example: `  fhi transform
  fhi transform --from-run collect-20261126T020000Z-ab12
  fhi transform --sql-dir ./my-sql`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := a.sqlDir(*sqlDirFlag)
			if err != nil {
				return err
			}
			lake, err := a.writeLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			prog := newCrawlProgress(cmd.Context(), a.stderr)
			m, err := lake.Transform(cmd.Context(), pipelines.TransformOptions{FromRuns: from, SQLDir: dir, Step: prog.step})
			prog.finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\t%s\t%d metric values from %s\n", m.RunID, m.Status, m.Rows, strings.Join(m.Upstream, ","))
			return nil
		},
	}
	sqlDirFlag = addSQLDirFlag(cmd.Flags())
	cmd.Flags().StringArrayVar(&from, flagFromRun, nil, "collect run to read (repeatable; default: each source's latest successful run)")
	_ = cmd.RegisterFlagCompletionFunc(flagFromRun, a.completeRuns(pipelines.StageCollect))
	return cmd
}
