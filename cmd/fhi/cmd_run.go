package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newRunCmd(a *app) *cobra.Command {
	var sources string
	var allowPartial bool
	var cf *crawlFlags
	var sqlDirFlag *string
	cmd := &cobra.Command{
		Use:   "run [flags]",
		Short: "crawl the sources, transform, score and publish (starts the sample web unless --site is given)",
		Long: `Runs every stage once: collect (sources on different hosts in parallel), transform, score and
publish, then prints the ranking (total and level-1 sub-indices; fhi scores shows every column).
Without --site or a config naming sites, the built-in sample web is started on a free loopback
port and crawled.`,
		Example: `  fhi run
  fhi run --lake /data/fhi-lake --site p2p=https://www.example.com/p2p --auto-throttle
  fhi run --scale 0.1 --faults 5xx=0.05,drop=0.01`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cf.loadSpecs(cmd.Flags()); err != nil {
				return err
			}
			dir, err := a.sqlDir(*sqlDirFlag)
			if err != nil {
				return err
			}
			start := time.Now()
			table, root, err := runPipeline(cmd.Context(), a.lakePath, cf, pipelineSettings{sources: sources, sqlDir: dir, allowPartial: allowPartial}, a.stderr)
			if table == nil {
				return err
			}
			printScoresTable(a.stdout, table, 0)
			if len(table.Missing) > 0 {
				fmt.Fprintf(a.stdout, "\n%d of the framework's indicators have no data yet and were left out (not scored as zero): fhi scores --format json lists them\n", len(table.Missing))
			}
			fmt.Fprintf(a.stdout, "\nLake: %s  (fhi scores --lake %s for every sub-index; fhi runs --lake %s)   took %s\n",
				root, root, root, time.Since(start).Round(time.Millisecond))
			return err // published, but some sources kept last time's data
		},
	}
	cf = addCrawlFlags(cmd.Flags(), &a.configPath)
	sqlDirFlag = addSQLDirFlag(cmd.Flags())
	cmd.Flags().StringVar(&sources, flagSources, "", "comma-separated sources to collect (default: every source with a site)")
	cmd.Flags().BoolVar(&allowPartial, flagAllowPartial, false, usageAllowPartial)
	return cmd
}

// pipelineSettings are the run and schedule flags beyond the crawl's.
type pipelineSettings struct {
	sources      string // comma-separated; empty: every source with a site
	sqlDir       string // the analysts' SQL directory; empty: none
	allowPartial bool
}

// runPipeline runs every stage once over the lake at lakePath, reporting each stage on stderr, and
// returns the published scores (total and level 1) and the lake's root. The lake is held only while
// it runs. When some sources failed but scores were published (pipelines.ErrPartialRun), both the
// table and the error come back.
func runPipeline(ctx context.Context, lakePath string, cf *crawlFlags, ps pipelineSettings, stderr io.Writer) (*pipelines.ScoreTable, string, error) {
	lake, err := pipelines.OpenLake(lakePath)
	if err != nil {
		return nil, "", err
	}
	defer lake.Close()
	defer warnLineage(stderr, lake)
	if cf.config != nil && cf.config.Lineage.URL != "" {
		if err := lake.SendLineageTo(cf.config.Lineage.URL); err != nil {
			return nil, lake.Root, err
		}
	}
	copts, stop, err := cf.prepare(stderr)
	defer stop()
	if err != nil {
		return nil, lake.Root, err
	}
	if ps.sources != "" {
		copts.Sources = strings.Split(ps.sources, ",")
	}
	dist, stopDist, err := cf.dist.open(ctx, lake.Root, stderr)
	defer stopDist()
	if err != nil {
		return nil, lake.Root, err
	}
	copts.Distributed = dist
	prog := newCrawlProgress(ctx, stderr)
	copts.Progress = prog.update
	res, err := lake.RunAll(ctx, pipelines.RunOptions{Collect: copts, Resume: copts.Resume, AllowPartial: ps.allowPartial,
		Transform: pipelines.TransformOptions{SQLDir: ps.sqlDir, Step: prog.step}})
	prog.finish()
	if errors.Is(err, pipelines.ErrNothingToResume) {
		// Like fhi collect --resume: nothing left to finish is not a failure; show what is published.
		fmt.Fprintf(stderr, "fhi run --resume: %v\n", err)
		err = nil
	}
	for _, m := range res.Collect {
		fmt.Fprintf(stderr, "collect %s: %s, %d records (run %s)\n", m.Source, m.Status, m.Rows, m.RunID)
	}
	if res.Transform != nil {
		fmt.Fprintf(stderr, "transform: %s, %d metric values (run %s)\n", res.Transform.Status, res.Transform.Rows, res.Transform.RunID)
	}
	if res.Score != nil {
		fmt.Fprintf(stderr, "score: %s (run %s)\n", res.Score.Status, res.Score.RunID)
	}
	if err != nil && !errors.Is(err, pipelines.ErrPartialRun) {
		return nil, lake.Root, err
	}
	table, terr := lake.ScoresAtLevel(ctx, "", 1)
	if terr != nil {
		return nil, lake.Root, errors.Join(err, terr)
	}
	if err == nil {
		err = pipelines.LossesErr(res.Losses)
	}
	return table, lake.Root, err
}
