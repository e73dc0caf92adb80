package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/frontier"
	"github.com/fhi-index/fhi/collectors/specs"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newWorkerCmd(a *app) *cobra.Command {
	var (
		frontierURL, sources, run string
		concurrency, batch        int
		leaseTTL                  time.Duration
		verbose                   bool
		specDir                   string
	)
	cmd := &cobra.Command{
		Use:   "worker --frontier URL [flags]",
		Short: "crawl for the distributed runs of a shared frontier (long-running; one per machine)",
		Long: `Joins the shared frontier (Redis) and crawls whatever runs ` + "`fhi run|collect --frontier`" + ` seeded there,
until stopped (SIGTERM or Ctrl-C: the batches under way are committed first). It takes one host at a
time per --concurrency slot, under a lease no other worker can hold, so each host's politeness
(parallelism, delay, robots.txt, Retry-After, auto-throttle) holds across all workers. Records, WARC
files and failures are written into the lake — the coordinator's, shared through a filesystem
(NFS, CephFS) and given with --lake — and count only once committed.

Site credentials (FHI_<SOURCE>_COOKIE, …) are read from this worker's environment; they never
enter Redis.`,
		Example: `  fhi worker --frontier redis://fhi:secret@10.0.0.5:6379/0 --lake /mnt/fhi-lake --concurrency 8
  FHI_FRONTIER=redis://10.0.0.5:6379/0 fhi worker --lake /mnt/fhi-lake --sources p2p,p2p_loans`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if concurrency < 1 {
				return usagef("--concurrency: want ≥ 1, got %d", concurrency)
			}
			if specDir != "" {
				if _, err := specs.LoadDir(specDir, collectors.Default); err != nil {
					return err
				}
			}
			var srcs []string
			if sources != "" {
				for _, s := range strings.Split(sources, ",") {
					if _, err := collectors.Default.Lookup(s); err != nil {
						return usageError{fmt.Errorf("--%s: %w", flagSources, err)}
					}
					srcs = append(srcs, s)
				}
			}
			ctx := cmd.Context()
			f, err := openFrontier(ctx, frontierURL, frontier.Options{LeaseTTL: leaseTTL})
			if err != nil {
				return err
			}
			defer f.Close()
			lake, err := pipelines.OpenLakeReadOnly(a.lakePath)
			if err != nil {
				return err
			}
			defer lake.Close()
			log := slog.New(slog.NewTextHandler(a.stderr, nil))
			id := frontier.NewWorkerID()
			log.Info("worker started", "id", id, "frontier", f.Addr(), "lake", lake.Root, "concurrency", concurrency)
			opts := pipelines.WorkerOptions{ID: id, Sources: srcs, Run: run, Concurrency: concurrency, Batch: batch,
				Log: func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) }}
			if verbose {
				opts.Trace = func(format string, args ...any) { log.Info(fmt.Sprintf(format, args...)) }
			}
			rep, err := lake.Work(ctx, f, opts)
			if rep != nil {
				log.Info("worker stopped", "leases", rep.Leases, "commits", rep.Commits, "requests", rep.Done, "records", rep.Records, "fenced", rep.Fenced, "dropped", rep.Dropped)
			}
			if ctx.Err() != nil {
				return nil // stopped, as a long-running command is
			}
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&frontierURL, flagFrontier, "", usageFrontier)
	fs.StringVar(&sources, flagSources, "", "comma-separated sources to crawl (default: every source)")
	fs.StringVar(&run, flagRun, "", "crawl only this frontier run and exit when it is complete (default: every open run, until stopped)")
	fs.IntVar(&concurrency, "concurrency", 4, "hosts crawled at once, each under its own lease")
	fs.IntVar(&batch, "batch", 0, "finished requests committed together, with their files (default 16 × the per-host parallelism, 32–256; a batch also commits once 2 s old)")
	fs.DurationVar(&leaseTTL, "lease-ttl", 30*time.Second, "how long a host stays leased without renewal: a dead worker's host is taken over after it")
	fs.BoolVarP(&verbose, "verbose", "v", false, "log every lease taken")
	fs.StringVar(&specDir, flagSpecDir, "", "directory of edited source specs (*.yaml), as the coordinator uses")
	return cmd
}
