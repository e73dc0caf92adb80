package main

import (
	"fmt"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newImportCmd(a *app) *cobra.Command {
	var sheet, key string
	cmd := &cobra.Command{
		Use:   "import [flags] <source> <file.csv|file.xlsx>",
		Short: "file a CSV or XLSX (a survey export, a yearbook table) into the lake as a source",
		Long: `Files the rows of a CSV or XLSX file under a source name of your choosing. Each row keeps its
lineage: the file's path and SHA-256, a copy in the archive and its row number. Rows that do not
fit the header are listed in the run's failures.json. A transform step reads it with
"-- requires: <source>".`,
		Example: `  fhi import --key 城市 yearbook yearbook-2017.xlsx`,
		Args:    exactArgs("source", "file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			lake, err := a.writeLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			m, err := lake.Import(cmd.Context(), pipelines.ImportOptions{Source: args[0], File: args[1], Sheet: sheet, Key: key})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%d records\n", m.RunID, m.Source, m.Status, m.Rows)
			return nil
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "xlsx: sheet to read (default: the first)")
	cmd.Flags().StringVar(&key, "key", "", "column holding each row's natural key (default: the row number)")
	return cmd
}
