package main

import (
	"fmt"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newVersionCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version [flags]",
		Short: "print fhi's module version, VCS revision, Go and DuckDB versions",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := struct {
				pipelines.CodeVersion
				DuckDB string `json:"duckdb"`
			}{CodeVersion: pipelines.CurrentCodeVersion()}
			var err error
			if v.DuckDB, err = pipelines.DuckDBVersion(cmd.Context()); err != nil {
				v.DuckDB = "unknown: " + err.Error()
			}
			if asJSON {
				return writeJSON(a.stdout, v)
			}
			rev := v.Revision
			if rev == "" {
				rev = "unknown (not built from a git checkout)"
			} else if v.Modified {
				rev += " (with uncommitted changes)"
			}
			fmt.Fprintf(a.stdout, "fhi %s\nmodule   %s\nrevision %s\ngo       %s\nduckdb   %s\n", v.Version, v.Module, rev, v.GoVersion, v.DuckDB)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, flagJSON, false, "print JSON")
	return cmd
}
