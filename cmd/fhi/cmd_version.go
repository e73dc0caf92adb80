package main

import (
	"database/sql"
	"fmt"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB driver the lake is written with
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
			}{CodeVersion: pipelines.CurrentCodeVersion(), DuckDB: duckDBVersion()}
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

// duckDBVersion asks the linked DuckDB library for its version.
func duckDBVersion() string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "unknown: " + err.Error()
	}
	defer db.Close()
	var v string
	if err := db.QueryRow(`SELECT version()`).Scan(&v); err != nil {
		return "unknown: " + err.Error()
	}
	return v
}
