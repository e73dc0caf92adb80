package pipelines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// ErrNoRecords is the health gate's verdict on a source that yielded nothing.
var ErrNoRecords = errors.New("pipelines: source yielded no records")

// CollectOptions configure a collect stage.
type CollectOptions struct {
	// Sources to collect; empty means every registered source that has a base URL (with Resume:
	// every source that has an unfinished run).
	Sources []string
	// BaseURLs maps source name to the site it crawls.
	BaseURLs map[string]string
	// AllowedHosts maps a source name to the other hosts its site spans (a list on one host,
	// detail pages on another), beyond those its spec allows.
	AllowedHosts map[string][]string
	Crawl        collectors.Options
	// Registry defaults to collectors.Default.
	Registry *collectors.Registry
	// Progress, if set, is called about once a second while a source is crawled, and once at its
	// end (Done). Sources on different hosts crawl at the same time, so calls come from several
	// goroutines at once.
	Progress func(SourceProgress)
	// ProgressEvery is how often a running collect run's manifest records its progress, for
	// Lake.Status in other processes; default 2 s.
	ProgressEvery time.Duration

	// Resume finishes each source's latest unfinished run: pages its archive already holds are
	// replayed, the rest fetched, and the records rebuilt — the same set an uninterrupted run gives.
	// A source whose latest run finished is left alone (CollectResult.NothingToResume).
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
	// AllowDrop lets a run publish fewer than half of the previous run's records or pages.
	AllowDrop bool
	// Simulated says the sites are fhi's sample web (the CLI sets it when it started one); the
	// manifest records it, and every score and publication built on the run carries it.
	Simulated bool
	// Distributed, if set, spreads the crawl over the workers of a shared frontier
	// (distributed.go) instead of crawling in this process.
	Distributed *DistributedOptions
}

// CollectResult is what a collect stage did.
type CollectResult struct {
	// Runs are the collect runs made or finished, by source name.
	Runs []*Manifest
	// NothingToResume lists the sources a Resume found no unfinished run of.
	NothingToResume []string
	// Losses are what succeeded runs set aside: URLs that failed for good, quarantined pages.
	Losses []Loss
}

// collectJob is one source to collect: a new run, or the unfinished run to finish.
type collectJob struct {
	src     collectors.Source
	baseURL string
	resume  *Manifest
}

// hostKey groups sources that share a site: scheme://host:port of their base URL. Politeness
// (parallelism, delay, robots.txt) holds per host, so one host's sources crawl one after another.
func hostKey(job collectJob, offline bool) string {
	if offline {
		return "offline:" + job.src.Name // reads the archive only: no host to spare
	}
	u, err := url.Parse(job.baseURL)
	if err != nil || u.Host == "" {
		return job.baseURL
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// maxHostsAtOnce bounds how many hosts are crawled at the same time.
const maxHostsAtOnce = 8

// Collect runs one collect run per source and returns their manifests and the failures of any that
// failed. Sources on different hosts crawl in parallel; sources on one host one after another, in
// name order. One broken source does not stop the others; an interruption stops every one.
func (l *Lake) Collect(ctx context.Context, opts CollectOptions) (*CollectResult, error) {
	if err := l.writable(); err != nil {
		return nil, err
	}
	jobs, skipped, err := l.collectJobs(opts)
	if err != nil {
		return nil, err
	}
	res := &CollectResult{NothingToResume: skipped}
	res.Runs, err = l.runCollectJobs(ctx, jobs, opts, nil)
	res.Losses = collectLosses(res.Runs)
	return res, err
}

// collectJobs resolves what Collect was asked into jobs, checking every name before anything is
// crawled: a typo should cost nothing.
func (l *Lake) collectJobs(opts CollectOptions) ([]collectJob, []string, error) {
	reg := opts.Registry
	if reg == nil {
		reg = collectors.Default
	}
	for _, n := range opts.Sources {
		if err := collectors.ValidSourceName(n); err != nil {
			return nil, nil, err
		}
	}
	if opts.FromArchive != "" {
		// A re-parse is of one run, hence one source, and contacts no site.
		old, err := l.Run(opts.FromArchive)
		if err != nil {
			return nil, nil, fmt.Errorf("--from-archive: %w", err)
		}
		if old.Stage != StageCollect || old.Params["import"] != "" {
			return nil, nil, fmt.Errorf("--from-archive: run %s is not a crawl (a collect run): `fhi runs --stage collect` lists them", old.RunID)
		}
		if len(opts.Sources) > 1 || len(opts.Sources) == 1 && opts.Sources[0] != old.Source {
			return nil, nil, fmt.Errorf("--from-archive: run %s is a run of %s, not of %s", old.RunID, old.Source, strings.Join(opts.Sources, ", "))
		}
		src, err := reg.Lookup(old.Source)
		if err != nil {
			return nil, nil, err
		}
		return []collectJob{{src: src, baseURL: old.Params["base_url"]}}, nil, nil
	}
	names := opts.Sources
	if opts.Resume {
		var err error
		if names, err = l.resumeCandidates(names); err != nil {
			return nil, nil, err
		}
	} else if len(names) == 0 {
		for _, s := range reg.Sources() {
			if opts.BaseURLs[s.Name] != "" {
				names = append(names, s.Name)
			}
		}
		if len(names) == 0 {
			return nil, nil, errors.New("no source has a base URL configured: give one with --site source=URL or in the config's sites")
		}
	}
	var jobs []collectJob
	var nothing []string
	for _, n := range names {
		s, err := reg.Lookup(n)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: `fhi sources` lists them", err)
		}
		job := collectJob{src: s, baseURL: opts.BaseURLs[n]}
		if opts.Resume {
			if job.resume, err = l.resumableRun(n); err != nil {
				return nil, nil, err
			}
			if job.resume == nil {
				nothing = append(nothing, n)
				continue
			}
			if job.baseURL == "" {
				job.baseURL = job.resume.Params["base_url"]
			}
		}
		if job.baseURL == "" && (job.resume == nil || job.resume.Params["from_archive"] == "") {
			return nil, nil, fmt.Errorf("source %s has no base URL configured: give one with --site %s=URL", n, n)
		}
		jobs = append(jobs, job)
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].src.Name < jobs[j].src.Name })
	return jobs, nothing, nil
}

// resumeCandidates is names, or when empty every source with a collect run that did not succeed.
func (l *Lake) resumeCandidates(names []string) ([]string, error) {
	if len(names) > 0 {
		return names, nil
	}
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, m := range runs {
		if m.Stage == StageCollect && m.Status != StatusSucceeded && m.Params["import"] == "" && !seen[m.Source] {
			seen[m.Source] = true
			names = append(names, m.Source)
		}
	}
	sort.Strings(names)
	return names, nil
}

// sourceHook hears about a source's collect run starting (m running) and ending.
type sourceHook func(source string, m *Manifest, err error)

// runCollectJobs runs the jobs grouped by host and returns their manifests by source name.
func (l *Lake) runCollectJobs(ctx context.Context, jobs []collectJob, opts CollectOptions, hook sourceHook) ([]*Manifest, error) {
	if opts.Distributed != nil {
		return l.collectDistributed(ctx, jobs, opts, hook)
	}
	groups := map[string][]collectJob{}
	var keys []string
	for _, j := range jobs {
		k := hostKey(j, opts.FromArchive != "" || (j.resume != nil && j.resume.Params["from_archive"] != ""))
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], j)
	}
	sort.Strings(keys)
	var (
		mu   sync.Mutex
		out  []*Manifest
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, maxHostsAtOnce)
	)
	for _, k := range keys {
		wg.Add(1)
		go func(group []collectJob) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, job := range group {
				if ctx.Err() != nil {
					return // an interruption stops every host; unstarted sources stay unstarted
				}
				m, err := l.collectSource(ctx, job, opts, hook)
				mu.Lock()
				if m != nil {
					out = append(out, m)
				}
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}(groups[k])
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	if ctx.Err() != nil && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%w before every source was collected: --resume finishes the run", context.Cause(ctx)))
	}
	return out, errors.Join(errs...)
}

// collectDetails is the collect-specific part of a manifest.
type collectDetails struct {
	// FinishReason is why the crawl stopped: completed, interrupted, or the error.
	FinishReason string            `json:"finish_reason"`
	BaseURL      string            `json:"base_url"`
	Stats        collectors.Stats  `json:"crawl_stats"`
	Pages        int               `json:"pages"` // URLs answered: the page index's length
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

func decodeCollectDetails(m *Manifest) (collectDetails, error) {
	var d collectDetails
	err := json.Unmarshal(m.Details, &d)
	return d, err
}

// collectSource makes (or, for job.resume, finishes) one collect run.
func (l *Lake) collectSource(ctx context.Context, job collectJob, opts CollectOptions, hook sourceHook) (m *Manifest, err error) {
	src, baseURL := job.src, job.baseURL
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
	fromArchive := opts.FromArchive
	switch {
	case job.resume != nil:
		m = job.resume
		if fromArchive = m.Params["from_archive"]; fromArchive != "" {
			// An interrupted re-parse is finished by re-parsing: its pages are all in the old archive.
			if crawlOpts.Replay, err = l.replayIndex(fromArchive, src.Name); err != nil {
				return nil, err
			}
			crawlOpts.Offline = true
			baseURL = m.Params["base_url"]
			break
		}
		files, err := l.archiveFiles(src.Name, m.RunID, true)
		if err != nil {
			return nil, err
		}
		if crawlOpts.Replay, err = collectors.IndexArchive(l.ArchiveDir(src.Name), files); err != nil {
			return nil, err
		}
		existingFiles = len(files)
		if from := m.Params["incremental_from"]; from != "" {
			if base, err := l.successfulRun(from, StageCollect); err == nil {
				crawlOpts.Revalidate, _ = l.pageIndex(base, true)
			}
		}
		if m.Params == nil {
			m.Params = map[string]string{}
		}
		m.Params["resumed"] = fmt.Sprintf("%d pages replayed from the first attempt", len(crawlOpts.Replay))
		m.Params["base_url"] = baseURL
	case fromArchive != "":
		if crawlOpts.Replay, err = l.replayIndex(fromArchive, src.Name); err != nil {
			return nil, err
		}
		crawlOpts.Offline = true
		if m, err = l.beginRun(StageCollect, src.Name, []string{fromArchive}); err != nil {
			return nil, err
		}
		m.Params = map[string]string{"base_url": baseURL, "from_archive": fromArchive}
		if old, err := l.Run(fromArchive); err == nil && old.Params[ParamSimulated] == "true" {
			m.Params[ParamSimulated] = "true"
		}
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
	if crawlOpts.Offline {
		// Pages come from disk: politeness is for sites, and a re-parse should go at disk speed.
		crawlOpts.Delay, crawlOpts.RandomDelay, crawlOpts.AutoThrottle = 0, 0, false
		crawlOpts.Parallelism = max(crawlOpts.Parallelism, runtime.GOMAXPROCS(0))
	}
	if job.resume != nil {
		// The run is this process's now.
		m.Status, m.PID, m.Error, m.FinishedAt, m.Outputs = StatusRunning, os.Getpid(), "", nil, []FileRef{}
		if err := l.writeManifest(m); err != nil {
			return nil, err
		}
	}
	if hook != nil {
		hook(src.Name, m, nil)
	}
	tmp := l.rawTempDir(src.Name, m.RunID)
	defer func() {
		interrupted := ctx.Err() != nil
		if err != nil {
			if !interrupted {
				l.keepRejected(m, tmp) // a refused run's failures and pages stay for fhi quality
			}
			os.RemoveAll(tmp) // nothing of a failed run may look like a partition
		}
		if ferr := l.finishRun(m, err, interrupted); ferr != nil && err == nil {
			err = ferr
		}
		if hook != nil {
			hook(src.Name, m, err)
		}
	}()
	// A resumed run rebuilds its records from scratch; a partition it renamed into place just before
	// a kill (its manifest still unfinished) is rebuilt too.
	for _, d := range []string{tmp, l.RawDir(src.Name, m.RunID), l.rejectedDir(src.Name, m.RunID)} {
		if err := os.RemoveAll(d); err != nil {
			return m, err
		}
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
	pages, crawlErr := l.crawl(ctx, src, baseURL, archive, sink, opts, m, prev)
	if err := errors.Join(crawlErr, sink.Close(), archive.Close()); err != nil {
		return m, fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	rows, _ := sink.Rows()
	m.Rows = rows
	if err := healthGate(src.Name, baseURL, rows, pages, prev, l.pageCount(prev), opts.AllowDrop); err != nil {
		return m, err
	}
	final := l.RawDir(src.Name, m.RunID)
	if err := os.Rename(tmp, final); err != nil {
		return m, fmt.Errorf("publishing partition %s: %w", final, err)
	}
	return m, l.recordOutputs(m, final, src.Name)
}

// replayIndex is the page index a re-parse of run replays: the run's pages.json, which names every
// page it used (including those an incremental run revalidated from older archives); a run
// without one (failed, interrupted) is indexed from its own WARC files.
func (l *Lake) replayIndex(runID, source string) (map[string]collectors.ArchivedPage, error) {
	old, err := l.Run(runID)
	if err != nil {
		return nil, fmt.Errorf("--from-archive: %w", err)
	}
	if old.Stage != StageCollect || old.Source != source {
		return nil, fmt.Errorf("--from-archive: run %s is not a collect run of %s", old.RunID, source)
	}
	index, err := l.pageIndex(old, false)
	if err == nil {
		return index, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	files, err := l.archiveFiles(source, old.RunID, false)
	if err != nil {
		return nil, err
	}
	return collectors.IndexArchive(l.ArchiveDir(source), files)
}

// keepRejected moves the failures.json and pages.json of a run that publishes no partition to
// raw/<source>/rejected-run=<id>/ and lists them in its manifest: they say why it yielded what it
// did, and which pages to probe.
func (l *Lake) keepRejected(m *Manifest, tmp string) {
	dir := l.rejectedDir(m.Source, m.RunID)
	for _, name := range []string{"failures.json", "pages.json"} {
		if _, err := os.Stat(filepath.Join(tmp, name)); err != nil {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return
		}
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(dir, name)); err != nil {
			continue
		}
		if ref, err := l.fileRef(filepath.Join(dir, name)); err == nil {
			m.Outputs = append(m.Outputs, ref)
		}
	}
}

// ErrHealthGate is the verdict on a source that yielded far fewer records than its last good run.
var ErrHealthGate = errors.New("pipelines: source health gate")

// healthGate fails a run that yielded nothing, or less than half of the previous good run's
// records or pages: usually a changed layout, and publishing it would silently shrink the index.
// The previous run stays the current data.
func healthGate(source, baseURL string, rows int64, pages int, prev *Manifest, prevPages int, allowDrop bool) error {
	if rows == 0 {
		return fmt.Errorf("collecting %s from %s: %w — suspect a changed site layout or a wrong base URL (see `fhi probe`; `fhi quality` lists the run's failures)", source, baseURL, ErrNoRecords)
	}
	if prev == nil || allowDrop {
		return nil
	}
	if rows*2 < prev.Rows {
		return fmt.Errorf("collecting %s: %w: %d records, less than half of the %d of run %s — suspect a changed site layout (see `fhi probe` and `fhi quality`; --allow-drop accepts the drop)",
			source, ErrHealthGate, rows, prev.Rows, prev.RunID)
	}
	if pages*2 < prevPages {
		return fmt.Errorf("collecting %s: %w: %d pages, less than half of the %d of run %s — suspect lost links or a changed site layout (see `fhi probe` and `fhi quality`; --allow-drop accepts the drop)",
			source, ErrHealthGate, pages, prevPages, prev.RunID)
	}
	return nil
}

// pageCount is how many pages a collect run answered (0 for none or unknown).
func (l *Lake) pageCount(m *Manifest) int {
	if m == nil {
		return 0
	}
	if d, err := decodeCollectDetails(m); err == nil && d.Pages > 0 {
		return d.Pages
	}
	if m.Params["import"] != "" {
		return 0
	}
	index, err := l.pageIndex(m, false)
	if err != nil {
		return 0
	}
	return len(index)
}

// resumableRun returns the newest collect run of source that did not finish (interrupted,
// abandoned by a killed process, or failed) and was not followed by a successful one; nil when
// the latest run finished. A re-parse (--from-archive) that failed is not resumed: re-running it
// fails the same way.
func (l *Lake) resumableRun(source string) (*Manifest, error) {
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	for i := len(runs) - 1; i >= 0; i-- {
		m := runs[i]
		if m.Stage != StageCollect || m.Source != source || m.Params["import"] != "" || m.PrunedAt != nil {
			continue
		}
		if m.Params["from_archive"] != "" && m.Status == StatusFailed {
			continue
		}
		switch m.Status {
		case StatusSucceeded:
			return nil, nil
		case StatusRunning:
			return nil, fmt.Errorf("collect run %s of %s is still running (pid %d): wait for it, or stop it and resume", m.RunID, source, m.PID)
		}
		return m, nil
	}
	return nil, nil
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

// pageIndex reads the page index a collect run wrote (pages.json in its partition): its 200 pages
// and, for a replay, its redirects (a moved page's old URL answers 301 from the archive as it did
// from the site, and the crawl follows it there); only pages with an ETag or Last-Modified when
// forRevalidation. Every entry must name a WARC file
// of the source's archive directory: the index is read from disk and could have been edited.
func (l *Lake) pageIndex(m *Manifest, forRevalidation bool) (map[string]collectors.ArchivedPage, error) {
	path := filepath.Join(l.RawDir(m.Source, m.RunID), "pages.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the page index of run %s: %w", m.RunID, err)
	}
	var pages []collectors.ArchivedPage
	if err := json.Unmarshal(b, &pages); err != nil {
		return nil, fmt.Errorf("reading the page index %s: %w", l.Rel(path), err)
	}
	index := make(map[string]collectors.ArchivedPage, len(pages))
	for _, p := range pages {
		if p.File == "" || p.File != filepath.Base(p.File) || strings.HasPrefix(p.File, ".") || !strings.HasSuffix(p.File, ".warc.gz") {
			return nil, fmt.Errorf("reading the page index %s: page %s names %q, not a WARC file of the source's archive", l.Rel(path), p.URL, p.File)
		}
		redirect := p.Status >= 300 && p.Status < 400 && p.Status != http.StatusNotModified
		if p.Status == http.StatusOK && (!forRevalidation || p.ETag != "" || p.LastModified != "") || redirect && !forRevalidation {
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

// crawl runs the source's collector, fills the manifest's details and writes the failures file
// and the page index. It returns the number of pages answered.
func (l *Lake) crawl(ctx context.Context, src collectors.Source, baseURL string, archive *collectors.Archive, sink *collectors.ParquetSink, opts CollectOptions, m, prev *Manifest) (int, error) {
	coll, err := src.New(collectors.Config{BaseURL: baseURL})
	if err != nil {
		return 0, err
	}
	crawl, err := collectors.NewCrawl(ctx, src, baseURL, archive, sink, opts.Crawl)
	if err != nil {
		return 0, err
	}
	expect := Progress{}
	if prev != nil {
		expect.ExpectedRecords = prev.Rows
		if d, err := decodeCollectDetails(prev); err == nil {
			expect.ExpectedRequests = d.Stats.Requests
		}
	}
	progress := func(done bool) SourceProgress {
		now := time.Now().UTC()
		return SourceProgress{Source: src.Name, RunID: m.RunID, State: StatusRunning, Stats: crawl.Stats(), StartedAt: m.StartedAt,
			Elapsed: now.Sub(m.StartedAt), ExpectedRequests: expect.ExpectedRequests, ExpectedRecords: expect.ExpectedRecords, UpdatedAt: now, Done: done}
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = 2 * time.Second
	}
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		t := time.NewTicker(min(time.Second, every))
		defer t.Stop()
		lastSaved := time.Now()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p := progress(false)
				if opts.Progress != nil {
					opts.Progress(p)
				}
				if time.Since(lastSaved) >= every {
					lastSaved = time.Now()
					m.Progress = &Progress{UpdatedAt: p.UpdatedAt, Stats: p.Stats, ExpectedRequests: p.ExpectedRequests, ExpectedRecords: p.ExpectedRecords}
					_ = l.writeManifest(m) // progress is a courtesy to readers; the crawl goes on without it
				}
			}
		}
	}()
	runErr := crawl.Run(coll)
	close(stop)
	<-ticked
	if err := crawl.DamagedArchive(); err != nil && runErr == nil && opts.Crawl.Offline {
		// A re-parse that could not read every page it was to replay would publish a shrunken run.
		runErr = err
	}
	stats := crawl.Stats()
	if opts.Progress != nil {
		p := progress(true)
		p.State = StatusSucceeded
		if runErr != nil {
			p.State = StatusFailed
			if ctx.Err() != nil {
				p.State = StatusInterrupted
			}
		}
		opts.Progress(p)
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
	pages := crawl.Pages()
	details, err := json.Marshal(collectDetails{
		FinishReason: reason, BaseURL: baseURL, Stats: stats, Pages: len(pages), Duplicates: dups, Failures: len(failures),
		Options: collectDetailOpts{
			Parallelism: opts.Crawl.Parallelism, Delay: opts.Crawl.Delay.String(),
			MaxAttempts: opts.Crawl.Retry.MaxAttempts, IgnoreRobots: opts.Crawl.IgnoreRobots, UserAgent: opts.Crawl.UserAgent,
		},
	})
	if err != nil {
		return len(pages), errors.Join(runErr, err)
	}
	m.Details = details
	if failures == nil {
		failures = []collectors.Failure{}
	}
	fb, err := json.MarshalIndent(failures, "", "  ")
	if err != nil {
		return len(pages), errors.Join(runErr, err)
	}
	pb, err := json.MarshalIndent(pages, "", " ")
	if err != nil {
		return len(pages), errors.Join(runErr, err)
	}
	dir := l.rawTempDir(src.Name, m.RunID)
	return len(pages), errors.Join(runErr,
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
