package main

import (
	"fmt"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newPruneCmd(a *app) *cobra.Command {
	var keep int
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "prune --keep N [flags]",
		Short: "remove old runs' data, keeping the newest runs and what published scores depend on",
		Long: `Removes old runs' raw partitions, WARC files, lineage files and database rows, keeping the newest N
successful runs of each stage (per source for collect), the newest N published scores and
everything they depend on — including older WARC files an incremental run still points at.
Manifests stay, marked pruned. Nothing outside the lake is ever removed. Try --dry-run first.`,
		Example: `  fhi prune --keep 7 --dry-run`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keep < 1 {
				return usagef("--keep N is required and must be ≥ 1")
			}
			lake, err := a.writeLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			rep, err := lake.Prune(cmd.Context(), pipelines.PruneOptions{Keep: keep, DryRun: dryRun})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, rep)
			}
			verb := "removed"
			if dryRun {
				verb = "would remove"
			}
			for _, f := range rep.Files {
				fmt.Fprintln(a.stdout, f)
			}
			fmt.Fprintf(a.stdout, "%s %d runs, %d files, %.1f MB\n", verb, len(rep.Runs), len(rep.Files), float64(rep.Bytes)/1e6)
			return nil
		},
	}
	cmd.Flags().IntVar(&keep, "keep", 0, "successful runs to keep per stage and source (required, ≥ 1)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be removed, remove nothing")
	cmd.Flags().BoolVar(&asJSON, flagJSON, false, "print the report as JSON")
	return cmd
}
