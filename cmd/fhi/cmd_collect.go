package main

import (
	"fmt"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newCollectCmd(a *app) *cobra.Command {
	var cf *crawlFlags
	cmd := &cobra.Command{
		Use:   "collect [flags] [source…]",
		Short: "crawl sources into the lake (every source with a site, or those named)",
		Long: `Crawls sources into raw Parquet partitions and WARC archives, nothing downstream. Without --site
or a config naming sites, the built-in sample web is started and crawled.`,
		Example: `  fhi collect p2p --site p2p=https://www.example.com/p2p --parallelism 2 --delay 1s --auto-throttle
  fhi collect --resume
  fhi collect --spec-dir my-specs --from-archive collect-20261126T020000Z-ab12`,
		ValidArgsFunction: completeSources,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cf.loadSpecs(cmd.Flags()); err != nil {
				return err
			}
			for _, name := range args { // a typo fails before anything starts
				if _, err := collectors.Default.Lookup(name); err != nil {
					return usageError{fmt.Errorf("%w: `fhi sources` lists them", err)}
				}
			}
			lake, err := a.writeLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			copts, stop, err := cf.prepare(a.stderr)
			defer stop()
			if err != nil {
				return err
			}
			copts.Sources = args
			dist, stopDist, err := cf.dist.open(cmd.Context(), lake.Root, a.stderr)
			defer stopDist()
			if err != nil {
				return err
			}
			copts.Distributed = dist
			prog := newCrawlProgress(cmd.Context(), a.stderr)
			copts.Progress = prog.update
			res, err := lake.Collect(cmd.Context(), copts)
			prog.finish()
			var ms []*pipelines.Manifest
			if res != nil {
				ms = res.Runs
				for _, s := range res.NothingToResume {
					fmt.Fprintf(a.stderr, "collect %s: nothing to resume (its latest run finished)\n", s)
				}
			}
			for _, m := range ms {
				fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%d records\n", m.RunID, m.Source, m.Status, m.Rows)
			}
			if err != nil {
				return err
			}
			return pipelines.LossesErr(res.Losses)
		},
	}
	cf = addCrawlFlags(cmd.Flags(), &a.configPath)
	return cmd
}

// completeSources completes source names for shell completion.
func completeSources(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	var names []string
	for _, s := range collectors.Default.Sources() {
		names = append(names, s.Name+"\t"+s.Description)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
