package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newScheduleCmd(a *app) *cobra.Command {
	var spec, sources string
	var full, allowPartial bool
	var cf *crawlFlags
	var sqlDirFlag *string
	cmd := &cobra.Command{
		Use:   "schedule --cron SPEC [flags]",
		Short: "run every stage on a cron schedule (nightly incremental crawls) until stopped",
		Long: `Runs every stage (as fhi run does, incrementally by default) at the times SPEC names — a cron
line such as "0 2 * * *", or @daily, @every 6h — until interrupted. A failed night is logged and
the schedule goes on; the lake is locked only while a run works. Against the sample web, each run
sees the world one day later.`,
		Example: `  fhi schedule --cron "0 2 * * *" --lake /data/fhi-lake --site p2p=https://www.example.com/p2p --auto-throttle`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if spec == "" {
				return usagef("--cron SPEC is required")
			}
			if !full && cf.dist != nil && (cf.dist.frontier != "" || os.Getenv(envFrontier) != "") {
				// Refused now rather than every night: the revisit schedule lives in one process.
				return usagef("--frontier needs --full: incremental crawls run in one process")
			}
			if err := cf.loadSpecs(cmd.Flags()); err != nil {
				return err
			}
			dir, err := a.sqlDir(*sqlDirFlag)
			if err != nil {
				return err
			}
			*cf.incremental = !full
			firstDay := *cf.day
			log := slog.New(slog.NewTextHandler(a.stderr, nil))
			log.Info("schedule started", "cron", spec, "lake", a.lakePath, "incremental", !full)
			err = pipelines.Schedule(cmd.Context(), spec, func(ctx context.Context, n int) error {
				*cf.day = firstDay + n - 1 // the sample web evolves a day per run; real sites ignore it
				table, _, err := runPipeline(ctx, a.lakePath, cf, pipelineSettings{sources: sources, sqlDir: dir, allowPartial: allowPartial}, a.stderr)
				if table != nil && len(table.Rows) > 0 {
					log.Info("published", "run", table.RunID, "first", table.Rows[0].City, "cities", len(table.Rows))
				}
				return err
			}, func(tk pipelines.Tick) {
				if tk.Err != nil {
					log.Error("run failed", "n", tk.N, "took", tk.Duration.Round(time.Millisecond), "err", tk.Err, "next", tk.Next.Format(time.RFC3339))
				} else {
					log.Info("run finished", "n", tk.N, "took", tk.Duration.Round(time.Millisecond), "next", tk.Next.Format(time.RFC3339))
				}
			})
			if err != nil {
				return usageError{err}
			}
			log.Info("schedule stopped")
			return nil
		},
	}
	cf = addCrawlFlags(cmd.Flags(), &a.configPath)
	sqlDirFlag = addSQLDirFlag(cmd.Flags())
	cmd.Flags().StringVar(&spec, "cron", "", "when to run: a cron line (minute hour day month weekday) or @daily, @every 6h …")
	cmd.Flags().StringVar(&sources, flagSources, "", "comma-separated sources to collect (default: every source with a site)")
	cmd.Flags().BoolVar(&full, "full", false, "download everything each run instead of sending conditional requests")
	cmd.Flags().BoolVar(&allowPartial, flagAllowPartial, false, usageAllowPartial)
	return cmd
}
