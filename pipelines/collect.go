package pipelines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// ErrNoRecords is the health gate's verdict on a source that yielded nothing.
var ErrNoRecords = errors.New("pipelines: source yielded no records")

// CollectOptions configure a collect stage.
type CollectOptions struct {
	// Sources to collect; empty means every registered source that has a base URL.
	Sources []string
	// BaseURLs maps source name to the site it crawls.
	BaseURLs map[string]string
	Crawl    collectors.Options
	// Registry defaults to collectors.Default.
	Registry *collectors.Registry
	// Progress, if set, is called about once a second while a source is crawled, and once at its end.
	Progress func(source string, s collectors.Stats, done bool)
}

// Collect runs one collect run per source, in name order, and returns their manifests. It stops at
// the first source that fails, after recording that run's manifest.
func (l *Lake) Collect(ctx context.Context, opts CollectOptions) ([]*Manifest, error) {
	reg := opts.Registry
	if reg == nil {
		reg = collectors.Default
	}
	names := opts.Sources
	if len(names) == 0 {
		for _, s := range reg.Sources() {
			if opts.BaseURLs[s.Name] != "" {
				names = append(names, s.Name)
			}
		}
		if len(names) == 0 {
			return nil, errors.New("collect: no source has a base URL configured")
		}
	}
	// Resolve every name before crawling anything: a typo should cost nothing.
	sources := make([]collectors.Source, 0, len(names))
	for _, n := range names {
		s, err := reg.Lookup(n)
		if err != nil {
			return nil, err
		}
		if opts.BaseURLs[n] == "" {
			return nil, fmt.Errorf("collect: source %s has no base URL configured", n)
		}
		sources = append(sources, s)
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].Name < sources[j].Name })
	var out []*Manifest
	for _, s := range sources {
		m, err := l.collectSource(ctx, s, opts.BaseURLs[s.Name], opts)
		if m != nil {
			out = append(out, m)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// collectDetails is the collect-specific part of a manifest.
type collectDetails struct {
	BaseURL    string            `json:"base_url"`
	Stats      collectors.Stats  `json:"crawl_stats"`
	Duplicates int64             `json:"duplicate_records_skipped"`
	Failures   int               `json:"failures"`
	Options    collectDetailOpts `json:"options"`
}

type collectDetailOpts struct {
	Parallelism  int    `json:"parallelism"`
	Delay        string `json:"delay"`
	MaxAttempts  int    `json:"max_attempts"`
	IgnoreRobots bool   `json:"ignore_robots"`
	UserAgent    string `json:"user_agent"`
}

func (l *Lake) collectSource(ctx context.Context, src collectors.Source, baseURL string, opts CollectOptions) (m *Manifest, err error) {
	m, err = l.beginRun(StageCollect, src.Name, nil)
	if err != nil {
		return nil, err
	}
	m.Params = map[string]string{"base_url": baseURL}
	tmp := l.rawTempDir(src.Name, m.RunID)
	defer func() {
		if err != nil {
			os.RemoveAll(tmp) // nothing of a failed run may look like a partition
		}
		if ferr := l.finishRun(m, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return m, fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	archive, err := collectors.OpenArchive(l.ArchiveDir(src.Name), m.RunID)
	if err != nil {
		return m, fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	sink := collectors.NewParquetSink(tmp, src.Name, m.RunID, src.Fields, collectors.SinkOptions{})
	crawlErr := l.crawl(ctx, src, baseURL, archive, sink, opts, m)
	if err := errors.Join(crawlErr, sink.Close(), archive.Close()); err != nil {
		return m, fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	rows, _ := sink.Rows()
	m.Rows = rows
	if rows == 0 {
		return m, fmt.Errorf("collecting %s from %s: %w — suspect a changed site layout or a wrong base URL (see `fhi probe`)", src.Name, baseURL, ErrNoRecords)
	}
	final := l.RawDir(src.Name, m.RunID)
	if err := os.Rename(tmp, final); err != nil {
		return m, fmt.Errorf("publishing partition %s: %w", final, err)
	}
	return m, l.recordOutputs(m, final, src.Name)
}

// crawl runs the source's collector and fills the manifest's details and failures file.
func (l *Lake) crawl(ctx context.Context, src collectors.Source, baseURL string, archive *collectors.Archive, sink *collectors.ParquetSink, opts CollectOptions, m *Manifest) error {
	coll, err := src.New(collectors.Config{BaseURL: baseURL})
	if err != nil {
		return err
	}
	crawl, err := collectors.NewCrawl(ctx, src, baseURL, archive, sink, opts.Crawl)
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		if opts.Progress == nil {
			return
		}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				opts.Progress(src.Name, crawl.Stats(), false)
			}
		}
	}()
	runErr := crawl.Run(coll)
	close(stop)
	<-ticked
	stats := crawl.Stats()
	if opts.Progress != nil {
		opts.Progress(src.Name, stats, true)
	}
	failures := crawl.Failures()
	_, dups := sink.Rows()
	details, err := json.Marshal(collectDetails{
		BaseURL: baseURL, Stats: stats, Duplicates: dups, Failures: len(failures),
		Options: collectDetailOpts{
			Parallelism: opts.Crawl.Parallelism, Delay: opts.Crawl.Delay.String(),
			MaxAttempts: opts.Crawl.Retry.MaxAttempts, IgnoreRobots: opts.Crawl.IgnoreRobots, UserAgent: opts.Crawl.UserAgent,
		},
	})
	if err != nil {
		return errors.Join(runErr, err)
	}
	m.Details = details
	if failures == nil {
		failures = []collectors.Failure{}
	}
	fb, err := json.MarshalIndent(failures, "", "  ")
	if err != nil {
		return errors.Join(runErr, err)
	}
	return errors.Join(runErr, WriteFileAtomic(filepath.Join(l.rawTempDir(src.Name, m.RunID), "failures.json"), fb))
}

// recordOutputs lists the partition's files and the run's WARC files, with hashes, in the manifest.
func (l *Lake) recordOutputs(m *Manifest, partition, source string) error {
	parts, err := filepath.Glob(filepath.Join(partition, "*"))
	if err != nil {
		return err
	}
	warcs, err := filepath.Glob(filepath.Join(l.ArchiveDir(source), m.RunID+"-*.warc.gz"))
	if err != nil {
		return err
	}
	for _, p := range append(parts, warcs...) {
		ref, err := l.fileRef(p)
		if err != nil {
			return err
		}
		m.Outputs = append(m.Outputs, ref)
	}
	return nil
}

// rawFiles lists the Parquet part files of a successful collect run.
func (l *Lake) rawFiles(m *Manifest) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(l.RawDir(m.Source, m.RunID), "part-*.parquet"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("collect run %s of %s has no Parquet files under %s", m.RunID, m.Source, l.RawDir(m.Source, m.RunID))
	}
	return files, nil
}
