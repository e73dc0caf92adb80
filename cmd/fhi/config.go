package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/internal/yamlsafe"
)

// Config is the file a team keeps for real crawls (--config, or $FHI_CONFIG): where each source is
// crawled and how politely. Flags given on the command line win over it.
//
//	sites:
//	  p2p: https://www.example.com/p2p
//	spec_dir: ./specs
//	crawl:
//	  user_agent: "fhi (research; contact data@example.org)"
//	  parallelism: 2
//	  delay: 1s
//	  random_delay: 1s
//	  request_timeout: 30s
//	  max_attempts: 5
//	  auto_throttle: true
//	  ignore_robots: false
//	transform:
//	  sql_dir: ./sql      # analysts' SQL steps and reference CSVs, laid over the built-in ones
type Config struct {
	Sites     map[string]string `yaml:"sites"`
	SpecDir   string            `yaml:"spec_dir"`
	Crawl     CrawlConfig       `yaml:"crawl"`
	Lineage   LineageConfig     `yaml:"lineage"`
	Transform TransformConfig   `yaml:"transform"`
}

// TransformConfig is the transform part of Config.
type TransformConfig struct {
	// SQLDir holds NNN_name.sql steps and reference CSV files that add to or replace the built-in
	// ones at run time (--sql-dir wins over it); fhi lint checks it.
	SQLDir string `yaml:"sql_dir"`
}

// LineageConfig says where OpenLineage events go besides lake/lineage/events.jsonl.
type LineageConfig struct {
	// URL of an OpenLineage HTTP backend, e.g. http://localhost:5000 (Marquez; events are posted
	// to /api/v1/lineage when the URL has no path).
	URL string `yaml:"url"`
}

// CrawlConfig is the politeness part of Config; zero values keep fhi's defaults.
type CrawlConfig struct {
	UserAgent      string        `yaml:"user_agent"`
	Parallelism    int           `yaml:"parallelism"`
	Delay          time.Duration `yaml:"delay"`
	RandomDelay    time.Duration `yaml:"random_delay"`
	RequestTimeout time.Duration `yaml:"request_timeout"`
	MaxAttempts    int           `yaml:"max_attempts"`
	AutoThrottle   bool          `yaml:"auto_throttle"`
	IgnoreRobots   bool          `yaml:"ignore_robots"`
}

// loadConfig reads path strictly (unknown keys are errors) and validates it against the sources
// registered in the binary.
func loadConfig(path string) (*Config, error) { return loadConfigInto(path, collectors.Default) }

func loadConfigInto(path string, reg *collectors.Registry) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	var c Config
	if err := yamlsafe.DecodeStrict(b, &c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(reg); err != nil {
		return nil, fmt.Errorf("config %s:\n%w", path, err)
	}
	return &c, nil
}

// Validate reports every problem at once, each with its key path.
func (c *Config) Validate(reg *collectors.Registry) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("  %s: %s", key, fmt.Sprintf(format, args...)))
	}
	names := make([]string, 0, len(c.Sites))
	for n := range c.Sites {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := reg.Lookup(n); err != nil {
			bad("sites."+n, "no such source (fhi sources lists them)")
		}
		u, err := url.Parse(c.Sites[n])
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("sites."+n, "must be an absolute http(s) URL, got %q", c.Sites[n])
		}
	}
	if c.Lineage.URL != "" {
		if u, err := url.Parse(c.Lineage.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("lineage.url", "must be an absolute http(s) URL such as http://localhost:5000, got %q", c.Lineage.URL)
		}
	}
	if c.SpecDir != "" {
		if fi, err := os.Stat(c.SpecDir); err != nil || !fi.IsDir() {
			bad("spec_dir", "%s is not a directory", c.SpecDir)
		}
	}
	if c.Transform.SQLDir != "" {
		if fi, err := os.Stat(c.Transform.SQLDir); err != nil || !fi.IsDir() {
			bad("transform.sql_dir", "%s is not a directory", c.Transform.SQLDir)
		}
	}
	cr := c.Crawl
	if cr.Parallelism < 0 {
		bad("crawl.parallelism", "must be ≥ 1, got %d", cr.Parallelism)
	}
	if cr.MaxAttempts < 0 {
		bad("crawl.max_attempts", "must be ≥ 1, got %d", cr.MaxAttempts)
	}
	for key, d := range map[string]time.Duration{"crawl.delay": cr.Delay, "crawl.random_delay": cr.RandomDelay, "crawl.request_timeout": cr.RequestTimeout} {
		if d < 0 {
			bad(key, "must not be negative, got %s", d)
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}

// apply lays the config's crawl settings over o.
func (cr CrawlConfig) apply(o *collectors.Options) {
	if cr.UserAgent != "" {
		o.UserAgent = cr.UserAgent
	}
	if cr.Parallelism > 0 {
		o.Parallelism = cr.Parallelism
	}
	if cr.Delay > 0 {
		o.Delay = cr.Delay
	}
	if cr.RandomDelay > 0 {
		o.RandomDelay = cr.RandomDelay
	}
	if cr.RequestTimeout > 0 {
		o.RequestTimeout = cr.RequestTimeout
	}
	if cr.MaxAttempts > 0 {
		o.Retry.MaxAttempts = cr.MaxAttempts
	}
	o.AutoThrottle = o.AutoThrottle || cr.AutoThrottle
	o.IgnoreRobots = o.IgnoreRobots || cr.IgnoreRobots
}
