package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/fhi-index/fhi/scoring"
)

// openLake opens the lake for a command, printing the error itself.
func openLake(stderr io.Writer, cmd, path string) (*pipelines.Lake, bool) {
	lake, err := pipelines.OpenLake(path)
	if err != nil {
		fail(stderr, cmd, err)
		return nil, false
	}
	return lake, true
}

// cmdRun implements "fhi run": every stage once, the sample web unless sites are configured.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "run [flags]", "", stderr)
	lakePath := lakeFlag(fs)
	cf := addCrawlFlags(fs)
	sources := fs.String("sources", "", "comma-separated sources to collect (default: every source with a site)")
	allowPartial := fs.Bool("allow-partial", false, "score and publish although a source the framework needs has never had a good run")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fhi run: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if err := cf.loadSpecs(fs); err != nil {
		return fail(stderr, "run", err)
	}
	start := time.Now()
	table, root, err := runPipeline(ctx, *lakePath, cf, *sources, *allowPartial, stderr)
	if table == nil {
		return fail(stderr, "run", err)
	}
	printScoresTable(stdout, table, 0)
	if len(table.Missing) > 0 {
		fmt.Fprintf(stdout, "\n%d of the framework's indicators have no data yet and were left out (not scored as zero): fhi scores --format json lists them\n", len(table.Missing))
	}
	fmt.Fprintf(stdout, "\nLake: %s  (fhi scores --lake %s; fhi runs --lake %s)   took %s\n",
		root, root, root, time.Since(start).Round(time.Millisecond))
	if err != nil { // published, but some sources kept last time's data
		return fail(stderr, "run", err)
	}
	return exitOK
}

// runPipeline runs every stage once over the lake at lakePath, reporting each stage on stderr, and
// returns the published scores and the lake's root. The lake is held only while it runs. When some
// sources failed but scores were published (pipelines.ErrPartialRun), both the table and the
// error come back.
func runPipeline(ctx context.Context, lakePath string, cf *crawlFlags, sources string, allowPartial bool, stderr io.Writer) (*pipelines.ScoreTable, string, error) {
	lake, err := pipelines.OpenLake(lakePath)
	if err != nil {
		return nil, "", err
	}
	defer lake.Close()
	copts, stop, err := cf.prepare(stderr)
	defer stop()
	if err != nil {
		return nil, lake.Root, err
	}
	if sources != "" {
		copts.Sources = strings.Split(sources, ",")
	}
	res, err := lake.RunAll(ctx, pipelines.RunOptions{Collect: copts, Resume: copts.Resume, AllowPartial: allowPartial})
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
	table, terr := lake.PublishedScores(ctx, "")
	if terr != nil {
		return nil, lake.Root, errors.Join(err, terr)
	}
	return table, lake.Root, err
}

// cmdSchedule implements "fhi schedule --cron SPEC": the nightly crawl as a long-running process.
func cmdSchedule(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("schedule", "schedule --cron SPEC [run flags]",
		"Runs every stage (as fhi run does, incrementally by default) at the times SPEC names — a\ncron line such as \"0 2 * * *\", or @daily, @every 6h — until interrupted. A failed night is\nlogged and the schedule goes on. Against the sample web, each run sees the world one day later.", stderr)
	lakePath := lakeFlag(fs)
	cf := addCrawlFlags(fs)
	spec := fs.String("cron", "", "when to run: a cron line (minute hour day month weekday) or @daily, @every 6h …")
	sources := fs.String("sources", "", "comma-separated sources to collect (default: every source with a site)")
	full := fs.Bool("full", false, "download everything each run instead of sending conditional requests")
	allowPartial := fs.Bool("allow-partial", false, "score and publish although a source the framework needs has never had a good run")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *spec == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	if err := cf.loadSpecs(fs); err != nil {
		return fail(stderr, "schedule", err)
	}
	*cf.incremental = !*full
	firstDay := *cf.day
	log := slog.New(slog.NewTextHandler(stderr, nil))
	log.Info("schedule started", "cron", *spec, "lake", *lakePath, "incremental", !*full)
	err := pipelines.Schedule(ctx, *spec, func(ctx context.Context, n int) error {
		*cf.day = firstDay + n - 1 // the sample web evolves a day per run; real sites ignore it
		table, _, err := runPipeline(ctx, *lakePath, cf, *sources, *allowPartial, stderr)
		if err == nil && len(table.Rows) > 0 {
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
		fmt.Fprintf(stderr, "fhi schedule: %v\n", err)
		return exitUsage
	}
	log.Info("schedule stopped")
	return exitOK
}

// cmdCollect implements "fhi collect [source…]": crawl into the lake, nothing downstream.
func cmdCollect(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("collect", "collect [flags] [source…]", "", stderr)
	lakePath := lakeFlag(fs)
	cf := addCrawlFlags(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := cf.loadSpecs(fs); err != nil {
		return fail(stderr, "collect", err)
	}
	for _, name := range fs.Args() { // a typo fails before anything starts
		if _, err := collectors.Default.Lookup(name); err != nil {
			return fail(stderr, "collect", fmt.Errorf("%w: `fhi sources` lists them", err))
		}
	}
	lake, ok := openLake(stderr, "collect", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	copts, stop, err := cf.prepare(stderr)
	defer stop()
	if err != nil {
		return fail(stderr, "collect", err)
	}
	copts.Sources = fs.Args()
	res, err := lake.Collect(ctx, copts)
	if res != nil {
		for _, m := range res.Runs {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%d records\n", m.RunID, m.Source, m.Status, m.Rows)
		}
		for _, s := range res.NothingToResume {
			fmt.Fprintf(stderr, "collect %s: nothing to resume (its latest run finished)\n", s)
		}
	}
	if err != nil {
		return fail(stderr, "collect", err)
	}
	return exitOK
}

// cmdTransform implements "fhi transform": clean the raw records and compute the metrics.
func cmdTransform(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("transform", "transform [--from-run COLLECT_RUN]…", "", stderr)
	lakePath := lakeFlag(fs)
	var from multiFlag
	fs.Var(&from, "from-run", "collect run to read (repeatable; default: each source's latest successful run)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	lake, ok := openLake(stderr, "transform", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	m, err := lake.Transform(ctx, pipelines.TransformOptions{FromRuns: from})
	if err != nil {
		return fail(stderr, "transform", err)
	}
	fmt.Fprintf(stdout, "%s\t%s\t%d metric values from %s\n", m.RunID, m.Status, m.Rows, strings.Join(m.Upstream, ","))
	return exitOK
}

// cmdScore implements "fhi score": score a transform run, or with --input a CSV outside the lake.
func cmdScore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "--input" || a == "-input" || strings.HasPrefix(a, "--input=") || strings.HasPrefix(a, "-input=") {
			return cmdScoreFile(ctx, args, stdout, stderr)
		}
	}
	fs := newFlags("score", "score [--from-run TRANSFORM_RUN] [--framework F.yaml]   (or: fhi score --input table.csv --out DIR)", "", stderr)
	lakePath := lakeFlag(fs)
	from := fs.String("from-run", "", "transform run to score (default: the latest successful one)")
	framework := fs.String("framework", "", "framework YAML (default: the embedded data/framework.yaml)")
	draws := fs.Int("mc-draws", 0, "Monte Carlo draws for rank uncertainty (0 = off)")
	seed := fs.Int64("seed", 1, "Monte Carlo seed")
	allowPartial := fs.Bool("allow-partial", false, "score although a source the framework needs has never had a good run")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	opts := pipelines.ScoreOptions{FromRun: *from, Scoring: scoring.Options{MonteCarloDraws: *draws, Seed: *seed}, AllowPartial: *allowPartial}
	if *framework != "" {
		b, err := os.ReadFile(*framework)
		if err != nil {
			return fail(stderr, "score", err)
		}
		opts.Framework = b
	}
	lake, ok := openLake(stderr, "score", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	m, _, err := lake.Score(ctx, opts)
	if err != nil {
		return fail(stderr, "score", err)
	}
	fmt.Fprintf(stdout, "%s\t%s\t%d values from %s (publish with: fhi publish --from-run %s)\n", m.RunID, m.Status, m.Rows, strings.Join(m.Upstream, ","), m.RunID)
	return exitOK
}

// cmdPublish implements "fhi publish": make a score run the published one.
func cmdPublish(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("publish", "publish [--from-run SCORE_RUN]", "", stderr)
	lakePath := lakeFlag(fs)
	from := fs.String("from-run", "", "score run to publish (default: the latest successful one)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	lake, ok := openLake(stderr, "publish", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	m, err := lake.Publish(ctx, *from)
	if err != nil {
		return fail(stderr, "publish", err)
	}
	fmt.Fprintf(stdout, "%s\t%s\tpublished %s (%d cities)\n", m.RunID, m.Status, strings.Join(m.Upstream, ","), m.Rows)
	return exitOK
}
