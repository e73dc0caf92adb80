package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newQualityCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "quality [flags]",
		Short: "what the latest runs set aside: failed and quarantined pages, quarantined rows",
		Long: `Lists, per source and reason, the pages each source's latest collect run could not fetch or parse
and the rows the current transform quarantined, with a count and one example each. Exit 0 either way.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			rows, err := lake.Quality(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(a.stdout, "nothing set aside: every page fetched and parsed, every row cleaned")
				return nil
			}
			table := make([][]string, 0, len(rows))
			for _, r := range rows {
				ex := r.Example
				if n := []rune(ex); len(n) > 90 {
					ex = string(n[:87]) + "..."
				}
				table = append(table, []string{r.Stage, r.Source, r.Reason, fmt.Sprint(r.Count), ex})
			}
			printLeft(a.stdout, []string{"STAGE", "SOURCE", "REASON", "COUNT", "EXAMPLE"}, table)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, flagJSON, false, "print JSON")
	return cmd
}
