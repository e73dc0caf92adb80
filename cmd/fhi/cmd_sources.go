package main

import (
	"fmt"
	"net/url"
	"os"
	"text/tabwriter"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newSourcesCmd(a *app) *cobra.Command {
	var specDir string
	cmd := &cobra.Command{
		Use:   "sources [flags]",
		Short: "list the registered sources, their sample site and last run",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cf := &crawlFlags{specDir: &specDir, configPath: &a.configPath}
			if err := cf.loadSpecs(cmd.Flags()); err != nil {
				return err
			}
			var lake *pipelines.Lake
			if fi, err := os.Stat(a.lakePath); err == nil && fi.IsDir() {
				if l, err := a.readLake(); err == nil {
					lake = l
					defer lake.Close()
				}
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SOURCE\tSAMPLE SITE\tFIELDS\tLAST HOST\tLAST RUN\tDESCRIPTION")
			for _, s := range collectors.Default.Sources() {
				last, host := "-", "-"
				if lake != nil {
					m, err := lake.LatestRun(pipelines.StageCollect, s.Name)
					if err != nil {
						return err
					}
					if m != nil {
						last = fmt.Sprintf("%s (%s, %d records)", m.RunID, m.Status, m.Rows)
						if u, err := url.Parse(m.Params["base_url"]); err == nil && u.Host != "" {
							host = u.Host
						}
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Name, s.Site, len(s.Fields), host, last, s.Description)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&specDir, flagSpecDir, "", "directory of edited source specs to list over the built-in ones")
	return cmd
}
