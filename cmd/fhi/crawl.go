package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/fhi-index/fhi/collectors/specs"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// crawlFlags are the flags of every command that crawls.
type crawlFlags struct {
	sites        []string
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
	dist         *distFlags // --frontier, --workers (frontier.go)

	config *Config         // loaded by loadSpecs from --config
	set    map[string]bool // flags given on the command line
}

// loadSpecs lays --spec-dir's specs (or the config's spec_dir) over the built-in ones and loads
// --config; call it right after parsing, before looking sources up.
func (cf *crawlFlags) loadSpecs(fs *pflag.FlagSet) error {
	cf.set = map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { cf.set[f.Name] = true })
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

// addCrawlFlags declares the crawl flags on fs; configPath is the root's --config.
func addCrawlFlags(fs *pflag.FlagSet, configPath *string) *crawlFlags {
	cf := &crawlFlags{configPath: configPath}
	fs.StringArrayVar(&cf.sites, "site", nil, "point a source at a site, as source=URL (repeatable); without any, the built-in sample web is started")
	cf.seed = fs.Int64("seed", 1, "sample web: world seed")
	cf.scale = fs.Float64("scale", 1, "sample web: world scale (1 = the 2017 volumes)")
	cf.day = fs.Int("day", 0, "sample web: day of the world's evolution")
	cf.faults = fs.String("faults", "", `sample web: faults to inject, e.g. "5xx=0.05,ratelimit=200"`)
	cf.parallelism = fs.Int("parallelism", 0, "concurrent requests per host (default 2 for real sites, 8 for the sample web)")
	cf.delay = fs.Duration("delay", -1, "delay between requests to a host (default 500ms for real sites, 0 for the sample web)")
	cf.maxAttempts = fs.Int("max-attempts", 5, "attempts per request, first try included")
	cf.ignoreRobots = fs.Bool("ignore-robots", false, "do not obey robots.txt")
	cf.autoThrottle = fs.Bool("auto-throttle", false, "adapt the delay per host to its latency; never faster after errors")
	cf.specDir = fs.String(flagSpecDir, "", "directory of edited source specs (*.yaml) to use over the built-in ones")
	cf.resume = fs.Bool("resume", false, "finish each source's latest unfinished run (killed or interrupted), replaying what it fetched")
	cf.fromArchive = fs.String("from-archive", "", "re-parse this collect run's archive with today's specs, without any request")
	cf.incremental = fs.Bool("incremental", false, "nightly mode: conditional requests (ETag, If-Modified-Since) for pages of the last good run")
	cf.allowDrop = fs.Bool("allow-drop", false, "accept a run with less than half of the previous run's records")
	cf.dist = addDistributedFlags(fs)
	return cf
}

// prepare resolves where each source is crawled, starting the sample web when no site is given.
// The returned stop function shuts the sample web down.
func (cf *crawlFlags) prepare(stderr io.Writer) (pipelines.CollectOptions, func(), error) {
	opts := pipelines.CollectOptions{BaseURLs: map[string]string{}, Crawl: collectors.DefaultOptions(),
		Resume: *cf.resume, FromArchive: *cf.fromArchive, Incremental: *cf.incremental, AllowDrop: *cf.allowDrop}
	stop := func() {}
	if *cf.resume && *cf.fromArchive != "" {
		return opts, stop, usagef("--resume and --from-archive exclude each other")
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
				return opts, stop, usagef("--site %q: want source=URL", s)
			}
			if _, err := collectors.Default.Lookup(name); err != nil {
				return opts, stop, fmt.Errorf("--site %q: %w", s, err)
			}
			opts.BaseURLs[name] = u
		}
	} else {
		faults, err := sampleweb.ParseFaults(*cf.faults)
		if err != nil {
			return opts, stop, usageError{fmt.Errorf("--faults: %w", err)}
		}
		srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: *cf.seed, Scale: *cf.scale, Day: *cf.day, Faults: faults})
		if err != nil {
			return opts, stop, fmt.Errorf("starting the sample web: %w", err)
		}
		stop = func() { srv.Close() }
		opts.Simulated = true
		fmt.Fprintf(stderr, "sample web (simulated sites, seed %d, scale %g) at %s\n", *cf.seed, *cf.scale, srv.URL())
		opts.BaseURLs, opts.AllowedHosts = srv.Targets(collectors.Default.Sources())
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
	return opts, stop, nil
}
