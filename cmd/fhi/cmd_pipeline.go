package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/fhi-index/fhi/collectors/specs"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/fhi-index/fhi/scoring"
	"go.yaml.in/yaml/v3"
)

// crawlFlags are the flags of every command that crawls.
type crawlFlags struct {
	sites        multiFlag
	seed         *int64
	scale        *float64
	day          *int
	faults       *string
	parallelism  *int
	delay        *time.Duration
	maxAttempts  *int
	ignoreRobots *bool
	autoThrottle *bool
	specDir      *string
	resume       *bool
	fromArchive  *string
	incremental  *bool
	allowDrop    *bool
	configPath   *string

	config *Config         // loaded by init from --config
	set    map[string]bool // flags given on the command line
}

// loadSpecs lays --spec-dir's specs (or the config's spec_dir) over the built-in ones and loads
// --config; call it right after parsing, before looking sources up.
func (cf *crawlFlags) loadSpecs(fs *flag.FlagSet) error {
	cf.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { cf.set[f.Name] = true })
	dir := *cf.specDir
	if cf.configPath != nil && *cf.configPath != "" {
		// Specs first: the config may name sources that only an edited spec directory defines.
		var raw struct {
			SpecDir string `yaml:"spec_dir"`
		}
		if b, err := os.ReadFile(*cf.configPath); err == nil {
			_ = yaml.Unmarshal(b, &raw)
		}
		if dir == "" {
			dir = raw.SpecDir
		}
	}
	if dir != "" {
		if _, err := specs.LoadDir(dir, collectors.Default); err != nil {
			return err
		}
	}
	if cf.configPath != nil && *cf.configPath != "" {
		c, err := loadConfig(*cf.configPath)
		if err != nil {
			return err
		}
		cf.config = c
	}
	return nil
}

func addCrawlFlags(fs *flag.FlagSet) *crawlFlags {
	cf := &crawlFlags{}
	fs.Var(&cf.sites, "site", "point a source at a site, as source=URL (repeatable); without any, the built-in sample web is started")
	cf.seed = fs.Int64("seed", 1, "sample web: world seed")
	cf.scale = fs.Float64("scale", 1, "sample web: world scale (1 = the 2017 volumes)")
	cf.day = fs.Int("day", 0, "sample web: day of the world's evolution")
	cf.faults = fs.String("faults", "", `sample web: faults to inject, e.g. "5xx=0.05,ratelimit=200"`)
	cf.parallelism = fs.Int("parallelism", 0, "concurrent requests per host (default 2 for real sites, 8 for the sample web)")
	cf.delay = fs.Duration("delay", -1, "delay between requests to a host (default 500ms for real sites, 0 for the sample web)")
	cf.maxAttempts = fs.Int("max-attempts", 5, "attempts per request, first try included")
	cf.ignoreRobots = fs.Bool("ignore-robots", false, "do not obey robots.txt")
	cf.autoThrottle = fs.Bool("auto-throttle", false, "adapt the delay per host to its latency; never faster after errors")
	cf.specDir = fs.String("spec-dir", "", "directory of edited source specs (*.yaml) to use over the built-in ones")
	cf.resume = fs.Bool("resume", false, "finish each source's latest unfinished run (killed or interrupted), replaying what it fetched")
	cf.fromArchive = fs.String("from-archive", "", "re-parse this collect run's archive with today's specs, without any request")
	cf.incremental = fs.Bool("incremental", false, "nightly mode: conditional requests (ETag, If-Modified-Since) for pages of the last good run")
	cf.allowDrop = fs.Bool("allow-drop", false, "accept a run with less than half of the previous run's records")
	cf.configPath = fs.String("config", os.Getenv("FHI_CONFIG"), "config file: sites, spec_dir and crawl settings (env FHI_CONFIG); flags win over it")
	return cf
}

// prepare resolves where each source is crawled, starting the sample web when no site is given.
// The returned stop function shuts the sample web down.
func (cf *crawlFlags) prepare(stderr io.Writer) (pipelines.CollectOptions, func(), error) {
	opts := pipelines.CollectOptions{BaseURLs: map[string]string{}, Crawl: collectors.DefaultOptions(),
		Resume: *cf.resume, FromArchive: *cf.fromArchive, Incremental: *cf.incremental, AllowDrop: *cf.allowDrop}
	stop := func() {}
	if *cf.resume && *cf.fromArchive != "" {
		return opts, stop, errors.New("--resume and --from-archive exclude each other")
	}
	siteFlags := []string(cf.sites)
	if len(siteFlags) == 0 && cf.config != nil {
		for name, u := range cf.config.Sites {
			siteFlags = append(siteFlags, name+"="+u)
		}
	}
	if *cf.fromArchive != "" {
		// Nothing is fetched: the run's own base URL is in its manifest.
	} else if len(siteFlags) > 0 {
		for _, s := range siteFlags {
			name, u, ok := strings.Cut(s, "=")
			if !ok || name == "" || u == "" {
				return opts, stop, fmt.Errorf("--site %q: want source=URL", s)
			}
			if _, err := collectors.Default.Lookup(name); err != nil {
				return opts, stop, fmt.Errorf("--site %q: %w", s, err)
			}
			opts.BaseURLs[name] = u
		}
	} else {
		faults, err := sampleweb.ParseFaults(*cf.faults)
		if err != nil {
			return opts, stop, fmt.Errorf("--faults: %w", err)
		}
		srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: *cf.seed, Scale: *cf.scale, Day: *cf.day, Faults: faults})
		if err != nil {
			return opts, stop, fmt.Errorf("starting the sample web: %w", err)
		}
		stop = func() { srv.Close() }
		fmt.Fprintf(stderr, "sample web (simulated sites, seed %d, scale %g) at %s\n", *cf.seed, *cf.scale, srv.URL())
		sites := map[string]string{}
		for _, s := range srv.Sites() {
			sites[s.Name] = s.BaseURL
		}
		for _, src := range collectors.Default.Sources() {
			if u, ok := sites[src.Site]; ok {
				opts.BaseURLs[src.Name] = u
			}
		}
		// Our own loopback server: no need to be polite, only correct.
		opts.Crawl.Parallelism, opts.Crawl.Delay, opts.Crawl.RandomDelay = 8, 0, 0
		opts.Crawl.Retry.BaseDelay, opts.Crawl.Retry.MaxDelay = 50*time.Millisecond, 5*time.Second
	}
	if cf.config != nil {
		cf.config.Crawl.apply(&opts.Crawl)
	}
	if *cf.parallelism > 0 {
		opts.Crawl.Parallelism = *cf.parallelism
	}
	if *cf.delay >= 0 {
		opts.Crawl.Delay, opts.Crawl.RandomDelay = *cf.delay, *cf.delay
	}
	if cf.set["max-attempts"] || cf.config == nil || cf.config.Crawl.MaxAttempts == 0 {
		opts.Crawl.Retry.MaxAttempts = *cf.maxAttempts
	}
	opts.Crawl.IgnoreRobots = opts.Crawl.IgnoreRobots || *cf.ignoreRobots
	if *cf.autoThrottle || opts.Crawl.AutoThrottle {
		opts.Crawl.AutoThrottle, opts.Crawl.AutoThrottleMaxDelay, opts.Crawl.AutoThrottleTarget = true, time.Minute, float64(opts.Crawl.Parallelism)
	}
	opts.Progress = progressPrinter(stderr)
	return opts, stop, nil
}

// progressPrinter shows crawl progress: a line rewritten in place on a terminal; otherwise
// structured log lines (log/slog) every ten seconds and at each source's end, for log collectors.
func progressPrinter(w io.Writer) func(string, collectors.Stats, bool) {
	if !isTerminal(w) {
		log := slog.New(slog.NewTextHandler(w, nil))
		var last time.Time
		return func(source string, s collectors.Stats, done bool) {
			if !done && time.Since(last) < 10*time.Second {
				return
			}
			last = time.Now()
			msg := "crawling"
			if done {
				msg = "crawled"
			}
			log.Info(msg, "source", source, "requests", s.Requests, "records", s.Records, "retries", s.Retries,
				"failed", s.Failed, "quarantined", s.Quarantined, "replayed", s.Replayed, "not_modified", s.NotModified, "bytes", s.Bytes)
		}
	}
	return func(source string, s collectors.Stats, done bool) {
		line := fmt.Sprintf("collect %s: %d requests, %d records, %d retries, %d failed, %d quarantined, %.1f MB",
			source, s.Requests, s.Records, s.Retries, s.Failed, s.Quarantined, float64(s.Bytes)/1e6)
		if done {
			fmt.Fprintf(w, "\r\033[K%s\n", line)
		} else {
			fmt.Fprintf(w, "\r\033[K%s", line)
		}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func openLake(stderr io.Writer, cmd, path string) (*pipelines.Lake, bool) {
	lake, err := pipelines.OpenLake(path)
	if err != nil {
		fail(stderr, cmd, err)
		return nil, false
	}
	return lake, true
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "run [flags]", "", stderr)
	lakePath := lakeFlag(fs)
	cf := addCrawlFlags(fs)
	sources := fs.String("sources", "", "comma-separated sources to collect (default: every source with a site)")
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
	table, root, err := runPipeline(ctx, *lakePath, cf, *sources, stderr)
	if err != nil {
		return fail(stderr, "run", err)
	}
	printScoresTable(stdout, table, 0)
	if len(table.Missing) > 0 {
		fmt.Fprintf(stdout, "\n%d of the framework's indicators have no data yet and were left out (not scored as zero): fhi scores --format json lists them\n", len(table.Missing))
	}
	fmt.Fprintf(stdout, "\nLake: %s  (fhi scores --lake %s; fhi runs --lake %s)   took %s\n",
		root, root, root, time.Since(start).Round(time.Millisecond))
	return exitOK
}

// runPipeline runs every stage once over the lake at lakePath, reporting each stage on stderr, and
// returns the published scores and the lake's root. The lake is held only while it runs.
func runPipeline(ctx context.Context, lakePath string, cf *crawlFlags, sources string, stderr io.Writer) (*pipelines.ScoreTable, string, error) {
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
	res, err := lake.RunAll(ctx, pipelines.RunOptions{Collect: copts})
	for _, m := range res.Collect {
		fmt.Fprintf(stderr, "collect %s: %s, %d records (run %s)\n", m.Source, m.Status, m.Rows, m.RunID)
	}
	if res.Transform != nil {
		fmt.Fprintf(stderr, "transform: %s, %d metric values (run %s)\n", res.Transform.Status, res.Transform.Rows, res.Transform.RunID)
	}
	if res.Score != nil {
		fmt.Fprintf(stderr, "score: %s (run %s)\n", res.Score.Status, res.Score.RunID)
	}
	if err != nil {
		return nil, lake.Root, err
	}
	table, err := lake.PublishedScores(ctx, "")
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
		table, _, err := runPipeline(ctx, *lakePath, cf, *sources, stderr)
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
	ms, err := lake.Collect(ctx, copts)
	for _, m := range ms {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%d records\n", m.RunID, m.Source, m.Status, m.Rows)
	}
	if err != nil {
		return fail(stderr, "collect", err)
	}
	return exitOK
}

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
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	opts := pipelines.ScoreOptions{FromRun: *from, Scoring: scoring.Options{MonteCarloDraws: *draws, Seed: *seed}}
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

func cmdScores(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("scores", "scores [--format table|csv|json] [--level 0|1|2|3] [--run SCORE_RUN] [--top N]", "", stderr)
	lakePath := lakeFlag(fs)
	format := fs.String("format", "table", "output format: table, csv or json")
	runID := fs.String("run", "", "score run to show (default: the published one)")
	top := fs.Int("top", 0, "table format: show only the first N cities (0 = all)")
	level := fs.Int("level", 0, "columns after the total: 1 level-1 sub-indices, 2 level-2, 3 standardised indicators (0 = levels 1 and 2)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *level < 0 || *level > 3 {
		fmt.Fprintf(stderr, "fhi scores: --level %d: want 0, 1, 2 or 3\n", *level)
		return exitUsage
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		fmt.Fprintf(stderr, "fhi scores: --format %q: want table, csv or json\n", *format)
		return exitUsage
	}
	lake, ok := openLake(stderr, "scores", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	t, err := lake.ScoresAtLevel(ctx, *runID, *level)
	if err != nil {
		return fail(stderr, "scores", err)
	}
	switch *format {
	case "csv":
		err = pipelines.WriteScoresCSV(stdout, t)
	case "json":
		err = writeJSON(stdout, t)
	default:
		printScoresTable(stdout, t, *top)
	}
	if err != nil {
		return fail(stderr, "scores", err)
	}
	return exitOK
}

func printScoresTable(w io.Writer, t *pipelines.ScoreTable, top int) {
	header := append([]string{"rank", "city"}, t.Columns...)
	if t.Draws > 0 { // the score run had --mc-draws
		header = append(header, "median rank", "5–95% rank")
	}
	var rows [][]string
	for i, r := range t.Rows {
		if top > 0 && i >= top {
			break
		}
		row := []string{fmt.Sprint(r.Rank), r.City}
		for _, s := range r.Scores {
			row = append(row, fmt.Sprintf("%.1f", s))
		}
		if t.Draws > 0 {
			row = append(row, fmt.Sprintf("%.1f", r.MedianRank), fmt.Sprintf("%d–%d", r.P05Rank, r.P95Rank))
		}
		rows = append(rows, row)
	}
	printAligned(w, header, rows)
}

func cmdRuns(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("runs", "runs [--stage S] [--json]", "", stderr)
	lakePath := lakeFlag(fs)
	stage := fs.String("stage", "", "only runs of this stage (collect, transform, score, publish)")
	asJSON := fs.Bool("json", false, "print the manifests as JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	lake, ok := openLake(stderr, "runs", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	runs, err := lake.Runs()
	if err != nil {
		return fail(stderr, "runs", err)
	}
	var shown []*pipelines.Manifest
	for _, m := range runs {
		if *stage == "" || m.Stage == *stage {
			shown = append(shown, m)
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, shown); err != nil {
			return fail(stderr, "runs", err)
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTAGE\tSOURCE\tSTATUS\tROWS\tDURATION\tSTARTED\tUPSTREAM\tERROR")
	for _, m := range shown {
		errText := m.Error
		if len(errText) > 80 {
			errText = errText[:77] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", m.RunID, m.Stage, m.Source, m.Status, m.Rows,
			m.Duration().Round(time.Millisecond), m.StartedAt.Format(time.RFC3339), strings.Join(m.Upstream, ","), errText)
	}
	tw.Flush()
	return exitOK
}

func cmdSources(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sources", "sources", "", stderr)
	lakePath := lakeFlag(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var lake *pipelines.Lake
	if fi, err := os.Stat(*lakePath); err == nil && fi.IsDir() {
		if l, err := pipelines.OpenLake(*lakePath); err == nil {
			lake = l
			defer lake.Close()
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSAMPLE SITE\tFIELDS\tLAST HOST\tLAST RUN\tDESCRIPTION")
	for _, s := range collectors.Default.Sources() {
		last, host := "-", "-"
		if lake != nil {
			if m, err := lake.LatestRun(pipelines.StageCollect, s.Name); err == nil && m != nil {
				last = fmt.Sprintf("%s (%s, %d records)", m.RunID, m.Status, m.Rows)
				if u, err := url.Parse(m.Params["base_url"]); err == nil && u.Host != "" {
					host = u.Host
				}
			} else if err != nil && !errors.Is(err, pipelines.ErrRunNotFound) {
				return fail(stderr, "sources", err)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Name, s.Site, len(s.Fields), host, last, s.Description)
	}
	tw.Flush()
	return exitOK
}

func cmdWeights(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("weights", "weights [--from-run TRANSFORM_RUN] [--framework F.yaml]", "", stderr)
	lakePath := lakeFlag(fs)
	from := fs.String("from-run", "", "transform run whose metrics the PCA weights come from (default: the latest)")
	framework := fs.String("framework", "", "framework YAML (default: the embedded data/framework.yaml)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var fwYAML []byte
	if *framework != "" {
		b, err := os.ReadFile(*framework)
		if err != nil {
			return fail(stderr, "weights", err)
		}
		fwYAML = b
	}
	lake, ok := openLake(stderr, "weights", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	res, err := lake.Weights(ctx, *from, fwYAML)
	if err != nil {
		return fail(stderr, "weights", err)
	}
	printWeights(stdout, res)
	return exitOK
}
