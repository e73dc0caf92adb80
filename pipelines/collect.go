package pipelines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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
	// AllowedHosts maps a source name to the other hosts its site spans (a list on one host,
	// detail pages on another), beyond those its spec allows.
	AllowedHosts map[string][]string
	Crawl        collectors.Options
	// Registry defaults to collectors.Default.
	Registry *collectors.Registry
	// Progress, if set, is called about once a second while a source is crawled, and once at its end.
	Progress func(source string, s collectors.Stats, done bool)

	// Resume finishes each source's latest unfinished run: pages its archive already holds are
	// replayed, the rest fetched, and the records rebuilt — the same set an uninterrupted run gives.
	Resume bool
	// FromArchive names a collect run whose archive is re-parsed with today's specs, offline.
	FromArchive string
	// Incremental sends conditional requests for the pages of each source's last good run, and
	// carries detail pages that are not due on the adaptive revisit schedule forward from the
	// archive (collectors.Schedule).
	Incremental bool
	// Full makes an incremental run fetch every page (a full refresh); FullEvery does so when the
	// last full run is that many runs old (0: never on its own).
	Full      bool
	FullEvery int
	// AllowDrop lets a run publish fewer than half of the previous run's records.
	AllowDrop bool
	// Simulated says the sites are fhi's sample web (the CLI sets it when it started one); the
	// manifest records it, and every score and publication built on the run carries it.
	Simulated bool
}

// Collect runs one collect run per source, in name order, and returns their manifests and the
// failures of any that failed.
func (l *Lake) Collect(ctx context.Context, opts CollectOptions) ([]*Manifest, error) {
	reg := opts.Registry
	if reg == nil {
		reg = collectors.Default
	}
	names := opts.Sources
	if opts.FromArchive != "" {
		// A re-parse is of one run, hence one source, and contacts no site.
		old, err := l.Run(opts.FromArchive)
		if err != nil {
			return nil, fmt.Errorf("--from-archive: %w", err)
		}
		if len(names) > 1 || len(names) == 1 && names[0] != old.Source {
			return nil, fmt.Errorf("--from-archive: run %s is a run of %s, not of %v", old.RunID, old.Source, names)
		}
		names = []string{old.Source}
		opts.BaseURLs = map[string]string{old.Source: old.Params["base_url"]}
	}
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
	// One broken source must not cost the others their night: every source is tried, and the
	// failures are returned together (an interruption stops at once).
	var out []*Manifest
	var errs []error
	for _, s := range sources {
		m, err := l.collectSource(ctx, s, opts.BaseURLs[s.Name], opts)
		if m != nil {
			out = append(out, m)
		}
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	return out, errors.Join(errs...)
}

// collectDetails is the collect-specific part of a manifest.
type collectDetails struct {
	// FinishReason is why the crawl stopped: completed, interrupted, or the error.
	FinishReason string            `json:"finish_reason"`
	BaseURL      string            `json:"base_url"`
	Stats        collectors.Stats  `json:"crawl_stats"`
	Duplicates   int64             `json:"duplicate_records_skipped"`
	Failures     int               `json:"failures"`
	Options      collectDetailOpts `json:"options"`
}

type collectDetailOpts struct {
	Parallelism  int    `json:"parallelism"`
	Delay        string `json:"delay"`
	MaxAttempts  int    `json:"max_attempts"`
	IgnoreRobots bool   `json:"ignore_robots"`
	UserAgent    string `json:"user_agent"`
}

func (l *Lake) collectSource(ctx context.Context, src collectors.Source, baseURL string, opts CollectOptions) (m *Manifest, err error) {
	prev, err := l.LatestRun(StageCollect, src.Name)
	if err != nil {
		return nil, err
	}
	crawlOpts := opts.Crawl
	crawlOpts.AllowedHosts = append(append([]string(nil), crawlOpts.AllowedHosts...), opts.AllowedHosts[src.Name]...)
	if crawlOpts.Headers == nil {
		crawlOpts.Headers = collectors.HeadersFromEnv(src.Name, os.Getenv)
	}
	existingFiles := 0
	switch {
	case opts.Resume:
		if m, err = l.resumableRun(src.Name); err != nil {
			return nil, err
		}
		files, err := l.archiveFiles(src.Name, m.RunID, true)
		if err != nil {
			return nil, err
		}
		if crawlOpts.Replay, err = collectors.IndexArchive(l.ArchiveDir(src.Name), files); err != nil {
			return nil, err
		}
		existingFiles = len(files)
		m.Params["resumed"] = fmt.Sprintf("%d pages replayed from the first attempt", len(crawlOpts.Replay))
	case opts.FromArchive != "":
		old, err := l.Run(opts.FromArchive)
		if err != nil {
			return nil, fmt.Errorf("--from-archive: %w", err)
		}
		if old.Stage != StageCollect || old.Source != src.Name {
			return nil, fmt.Errorf("--from-archive: run %s is not a collect run of %s", old.RunID, src.Name)
		}
		// The run's page index names every page it used, including those an incremental run
		// revalidated from older archives; a run without one (failed, interrupted) is indexed from
		// its own WARC files.
		if crawlOpts.Replay, err = l.pageIndex(old, false); err != nil {
			files, ferr := l.archiveFiles(src.Name, old.RunID, false)
			if ferr != nil {
				return nil, ferr
			}
			if crawlOpts.Replay, err = collectors.IndexArchive(l.ArchiveDir(src.Name), files); err != nil {
				return nil, err
			}
		}
		crawlOpts.Offline = true
		baseURL = old.Params["base_url"]
		if m, err = l.beginRun(StageCollect, src.Name, []string{old.RunID}); err != nil {
			return nil, err
		}
		m.Params = map[string]string{"base_url": baseURL, "from_archive": old.RunID, ParamSimulated: old.Params[ParamSimulated]}
	default:
		if opts.Incremental && prev != nil {
			if crawlOpts.Revalidate, err = l.pageIndex(prev, true); err != nil {
				return nil, err
			}
			all, err := l.pageIndex(prev, false)
			if err != nil {
				return nil, err
			}
			crawlOpts.Schedule = &collectors.Schedule{Prev: all, AlwaysFetch: src.AlwaysFetch, Full: opts.Full || l.fullDue(src.Name, opts.FullEvery)}
		}
		var upstream []string
		if crawlOpts.Revalidate != nil {
			upstream = []string{prev.RunID}
		}
		if m, err = l.beginRun(StageCollect, src.Name, upstream); err != nil {
			return nil, err
		}
		m.Params = map[string]string{"base_url": baseURL}
		if crawlOpts.Revalidate != nil {
			m.Params["incremental_from"] = prev.RunID
			if crawlOpts.Schedule.Full {
				m.Params["refresh"] = "full"
			}
		}
		if opts.Simulated {
			m.Params[ParamSimulated] = "true"
		}
	}
	tmp := l.rawTempDir(src.Name, m.RunID)
	defer func() {
		if err != nil {
			os.RemoveAll(tmp) // nothing of a failed run may look like a partition
		}
		if ferr := l.finishRun(m, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()
	if err := os.RemoveAll(tmp); err != nil { // a resumed run rebuilds its records from scratch
		return m, err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return m, fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	archive, err := collectors.OpenArchiveAt(l.ArchiveDir(src.Name), m.RunID, existingFiles)
	if err != nil {
		return m, fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	sink := collectors.NewParquetSink(tmp, src.Name, m.RunID, src.Fields, collectors.SinkOptions{})
	opts.Crawl = crawlOpts
	crawlErr := l.crawl(ctx, src, baseURL, archive, sink, opts, m)
	if err := errors.Join(crawlErr, sink.Close(), archive.Close()); err != nil {
		return m, fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	rows, _ := sink.Rows()
	m.Rows = rows
	if err := healthGate(src.Name, baseURL, rows, prev, opts.AllowDrop); err != nil {
		return m, err
	}
	final := l.RawDir(src.Name, m.RunID)
	if err := os.Rename(tmp, final); err != nil {
		return m, fmt.Errorf("publishing partition %s: %w", final, err)
	}
	return m, l.recordOutputs(m, final, src.Name)
}

// ErrHealthGate is the verdict on a source that yielded far fewer records than its last good run.
var ErrHealthGate = errors.New("pipelines: source health gate")

// healthGate fails a run that yielded nothing, or less than half of the previous good run's
// records: usually a changed layout, and publishing it would silently shrink the index. The
// previous run stays the current data.
func healthGate(source, baseURL string, rows int64, prev *Manifest, allowDrop bool) error {
	if rows == 0 {
		return fmt.Errorf("collecting %s from %s: %w — suspect a changed site layout or a wrong base URL (see `fhi probe`)", source, baseURL, ErrNoRecords)
	}
	if prev != nil && rows*2 < prev.Rows && !allowDrop {
		return fmt.Errorf("collecting %s: %w: %d records, less than half of the %d of run %s — suspect a changed site layout (see `fhi probe`; --allow-drop accepts the drop)",
			source, ErrHealthGate, rows, prev.Rows, prev.RunID)
	}
	return nil
}

// resumableRun returns the newest collect run of source that did not finish (interrupted,
// abandoned by a killed process, or failed) and was not followed by a successful one, marked
// running again.
func (l *Lake) resumableRun(source string) (*Manifest, error) {
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	for i := len(runs) - 1; i >= 0; i-- {
		m := runs[i]
		if m.Stage != StageCollect || m.Source != source || m.Params["from_archive"] != "" {
			continue
		}
		switch m.Status {
		case StatusSucceeded:
			return nil, fmt.Errorf("resume: the latest collect run of %s (%s) succeeded; there is nothing to resume", source, m.RunID)
		case StatusRunning:
			return nil, fmt.Errorf("resume: collect run %s of %s is still running (pid %d)", m.RunID, source, m.PID)
		}
		m.Status, m.PID, m.Error, m.FinishedAt = StatusRunning, os.Getpid(), "", nil
		if m.Params == nil {
			m.Params = map[string]string{}
		}
		return m, l.writeManifest(m)
	}
	return nil, fmt.Errorf("resume: no unfinished collect run of %s", source)
}

// archiveFiles lists a run's WARC files. With finalize, the *.open files a killed process left are
// renamed to their final names first (their complete records stay readable; a torn tail is
// ignored by readers), so a resumed run's lineage points at stable names.
func (l *Lake) archiveFiles(source, runID string, finalize bool) ([]string, error) {
	dir := l.ArchiveDir(source)
	if finalize {
		open, err := filepath.Glob(filepath.Join(dir, runID+"-*.warc.gz.open"))
		if err != nil {
			return nil, err
		}
		for _, o := range open {
			if err := os.Rename(o, strings.TrimSuffix(o, ".open")); err != nil {
				return nil, fmt.Errorf("finalising %s: %w", o, err)
			}
		}
	}
	paths, err := filepath.Glob(filepath.Join(dir, runID+"-*.warc.gz"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	sort.Strings(names)
	return names, nil
}

// pageIndex reads the page index a collect run wrote (pages.json in its partition): its 200 pages,
// only those with an ETag or Last-Modified when forRevalidation.
func (l *Lake) pageIndex(m *Manifest, forRevalidation bool) (map[string]collectors.ArchivedPage, error) {
	b, err := os.ReadFile(filepath.Join(l.RawDir(m.Source, m.RunID), "pages.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the page index of run %s: %w", m.RunID, err)
	}
	var pages []collectors.ArchivedPage
	if err := json.Unmarshal(b, &pages); err != nil {
		return nil, fmt.Errorf("reading the page index of run %s: %w", m.RunID, err)
	}
	index := make(map[string]collectors.ArchivedPage, len(pages))
	for _, p := range pages {
		if p.Status == 200 && (!forRevalidation || p.ETag != "" || p.LastModified != "") {
			index[p.Key()] = p
		}
	}
	return index, nil
}

// fullDue says whether a full refresh is due: the source's last every runs were all incremental
// without one.
func (l *Lake) fullDue(source string, every int) bool {
	if every <= 0 {
		return false
	}
	runs, err := l.Runs()
	if err != nil {
		return false
	}
	n := 0
	for i := len(runs) - 1; i >= 0; i-- {
		m := runs[i]
		if m.Stage != StageCollect || m.Source != source || m.Status != StatusSucceeded {
			continue
		}
		if m.Params["incremental_from"] == "" || m.Params["refresh"] == "full" {
			return n+1 >= every
		}
		n++
	}
	return n+1 >= every
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
	reason := "completed"
	switch {
	case runErr != nil && ctx.Err() != nil:
		reason = "interrupted"
	case runErr != nil:
		reason = "error: " + runErr.Error()
	}
	details, err := json.Marshal(collectDetails{
		FinishReason: reason, BaseURL: baseURL, Stats: stats, Duplicates: dups, Failures: len(failures),
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
	pb, err := json.MarshalIndent(crawl.Pages(), "", " ")
	if err != nil {
		return errors.Join(runErr, err)
	}
	dir := l.rawTempDir(src.Name, m.RunID)
	return errors.Join(runErr,
		WriteFileAtomic(filepath.Join(dir, "failures.json"), fb),
		WriteFileAtomic(filepath.Join(dir, "pages.json"), pb))
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
