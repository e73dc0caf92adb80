package pipelines

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/frontier"
)

// DistributedOptions spread a collect over the worker processes of a shared frontier
// (CollectOptions.Distributed): this process seeds one frontier run with every source's start
// requests, waits while workers (Lake.Work, `fhi worker`) crawl it, then seals it and builds each
// source's partition from the registered commits alone.
type DistributedOptions struct {
	Frontier *frontier.Frontier
	// Run names the frontier run; default a new id (crawl-<time>-<hex>).
	Run string
	// Poll is how often the run's progress is read (default 1s).
	Poll time.Duration
	// Begun, if set, is called once the run is seeded: the CLI starts its local workers then.
	Begun func(run string)
}

// ErrDistributedUnsupported refuses what a distributed collect cannot do yet.
var ErrDistributedUnsupported = errors.New("pipelines: not supported by a distributed collect")

// distJob is one source of a distributed collect.
type distJob struct {
	collectJob
	m, prev *Manifest
	done    bool // finished (failed before the crawl, or sealed)
	// progress, summed from the commits seen so far
	stats   collectors.Stats
	workers map[string]*WorkerShare
}

// WorkerShare is one worker's part of a source's distributed collect, from its registered
// commits: what the run manifest's details list per worker.
type WorkerShare struct {
	Worker   string `json:"worker"`
	Commits  int64  `json:"commits"`
	Done     int64  `json:"done"` // requests acknowledged
	Records  int64  `json:"records"`
	Requests int64  `json:"requests"`
	Bytes    int64  `json:"bytes"`
}

// distributedDetails is a distributed collect run's manifest details: the usual ones, and the
// frontier's.
type distributedDetails struct {
	collectDetails
	Frontier frontierDetails `json:"frontier"`
}

type frontierDetails struct {
	Run     string        `json:"run"`
	Server  string        `json:"server"` // password redacted
	Commits int           `json:"commits"`
	Workers []WorkerShare `json:"workers"`
}

// collectDistributed runs jobs as one frontier run; see DistributedOptions.
func (l *Lake) collectDistributed(ctx context.Context, jobs []collectJob, opts CollectOptions, hook sourceHook) ([]*Manifest, error) {
	d := opts.Distributed
	switch {
	case d.Frontier == nil:
		return nil, errors.New("distributed collect: no frontier")
	case opts.Resume:
		return nil, fmt.Errorf("resuming: %w yet — run it again (finished sources keep their runs)", ErrDistributedUnsupported)
	case opts.FromArchive != "":
		return nil, fmt.Errorf("re-parsing an archive: %w (it fetches nothing: run it without --frontier)", ErrDistributedUnsupported)
	case opts.Incremental:
		return nil, fmt.Errorf("incremental crawling: %w yet (its revisit schedule lives in one process)", ErrDistributedUnsupported)
	}
	for _, j := range jobs {
		if j.resume != nil {
			return nil, fmt.Errorf("resuming collect run %s: %w yet", j.resume.RunID, ErrDistributedUnsupported)
		}
	}
	f := d.Frontier
	run := d.Run
	if run == "" {
		run = newRunID("crawl", time.Now())
	}
	poll := d.Poll
	if poll <= 0 {
		poll = time.Second
	}
	plan := crawlPlan{Version: crawlPlanVersion, Lake: l.Root, Sources: map[string]plannedCrawl{}, Crawl: portableCrawlOptions(opts.Crawl)}
	var (
		djs   []*distJob
		seeds []frontier.Item
		errs  []error
		out   []*Manifest
	)
	finish := func(dj *distJob, err error) {
		dj.done = true
		interrupted := ctx.Err() != nil
		tmp := l.rawTempDir(dj.src.Name, dj.m.RunID)
		if err != nil {
			if !interrupted {
				l.keepRejected(dj.m, tmp)
			}
			os.RemoveAll(tmp)
		}
		if ferr := l.finishRun(dj.m, err, interrupted); ferr != nil && err == nil {
			err = ferr
		}
		if hook != nil {
			hook(dj.src.Name, dj.m, err)
		}
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, dj.m)
	}
	for _, j := range jobs {
		dj := &distJob{collectJob: j, workers: map[string]*WorkerShare{}}
		var err error
		if dj.prev, err = l.LatestRun(StageCollect, j.src.Name); err != nil {
			return out, err
		}
		if dj.m, err = l.beginRun(StageCollect, j.src.Name, nil); err != nil {
			return out, err
		}
		dj.m.Params = map[string]string{"base_url": j.baseURL, "frontier_run": run, "frontier": f.Addr()}
		if opts.Simulated {
			dj.m.Params[ParamSimulated] = "true"
		}
		if hook != nil {
			hook(j.src.Name, dj.m, nil)
		}
		djs = append(djs, dj)
		items, err := l.prepareDistributed(ctx, dj, opts)
		if err != nil {
			finish(dj, fmt.Errorf("collecting %s: %w", j.src.Name, err))
			continue
		}
		seeds = append(seeds, items...)
		plan.Sources[j.src.Name] = plannedCrawl{RunID: dj.m.RunID, BaseURL: j.baseURL, AllowedHosts: opts.AllowedHosts[j.src.Name]}
	}
	open := func() []*distJob {
		var o []*distJob
		for _, dj := range djs {
			if !dj.done {
				o = append(o, dj)
			}
		}
		return o
	}
	if len(open()) == 0 {
		return sortManifests(out), errors.Join(errs...)
	}
	pb, err := json.Marshal(plan)
	if err == nil {
		_, err = f.Begin(ctx, run, pb, seeds)
	}
	if err != nil {
		for _, dj := range open() {
			finish(dj, fmt.Errorf("collecting %s: seeding frontier run %s: %w", dj.src.Name, run, err))
		}
		return sortManifests(out), errors.Join(errs...)
	}
	if d.Begun != nil {
		d.Begun(run)
	}

	waitErr := l.waitDistributed(ctx, f, run, open(), opts, poll)
	var commits []frontier.Commit
	if waitErr == nil {
		commits, waitErr = f.Seal(ctx, run)
	}
	if waitErr != nil {
		if ctx.Err() != nil {
			// Nobody will seal the run: workers stop, and its queues go.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			_ = f.Abort(actx, run)
			cancel()
			waitErr = fmt.Errorf("%w: frontier run %s aborted", context.Cause(ctx), run)
		}
		for _, dj := range open() {
			finish(dj, fmt.Errorf("collecting %s: %w", dj.src.Name, waitErr))
		}
		return sortManifests(out), errors.Join(errs...)
	}
	for _, dj := range open() {
		finish(dj, l.sealSource(ctx, dj, run, f.Addr(), commits, opts))
	}
	return sortManifests(out), errors.Join(errs...)
}

func sortManifests(ms []*Manifest) []*Manifest {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Source < ms[j].Source })
	return ms
}

// prepareDistributed makes the source's temporary partition with its workers' directory, and
// returns its start requests as frontier items.
func (l *Lake) prepareDistributed(ctx context.Context, dj *distJob, opts CollectOptions) ([]frontier.Item, error) {
	tmp := l.rawTempDir(dj.src.Name, dj.m.RunID)
	for _, d := range []string{tmp, l.RawDir(dj.src.Name, dj.m.RunID), l.rejectedDir(dj.src.Name, dj.m.RunID)} {
		if err := os.RemoveAll(d); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(l.workersDir(dj.src.Name, dj.m.RunID), 0o755); err != nil {
		return nil, err
	}
	crawlOpts := opts.Crawl
	crawlOpts.AllowedHosts = append(append([]string(nil), crawlOpts.AllowedHosts...), opts.AllowedHosts[dj.src.Name]...)
	coll, err := dj.src.New(collectors.Config{BaseURL: dj.baseURL})
	if err != nil {
		return nil, err
	}
	crawl, err := collectors.NewCrawl(ctx, dj.src, dj.baseURL, nil, discardRecords{}, crawlOpts)
	if err != nil {
		return nil, err
	}
	defer crawl.Close()
	crawl.Gather(func(collectors.Link) {})
	links, err := crawl.Start(coll)
	if err != nil {
		return nil, err
	}
	items := make([]frontier.Item, len(links))
	for i, lk := range links {
		items[i] = frontier.Item{Source: dj.src.Name, URL: lk.URL, Method: lk.Method, Body: lk.Body, Header: lk.Header, Context: lk.Context}
	}
	return items, nil
}

type discardRecords struct{}

func (discardRecords) Write(context.Context, collectors.Record) error { return nil }

// waitDistributed waits for the run to complete, following its commits for progress. A Redis that
// is briefly unreachable (restarting) is waited for.
func (l *Lake) waitDistributed(ctx context.Context, f *frontier.Frontier, run string, djs []*distJob, opts CollectOptions, poll time.Duration) error {
	bySource := map[string]*distJob{}
	for _, dj := range djs {
		bySource[dj.src.Name] = dj
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = 2 * time.Second
	}
	last := ""
	lastSaved := time.Now()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if cs, err := f.CommitsAfter(ctx, run, last); err == nil {
			for _, c := range cs {
				last = c.Seq
				var meta batchMeta
				if json.Unmarshal(c.Meta, &meta) != nil {
					continue
				}
				for name, sb := range meta.Sources {
					if dj := bySource[name]; dj != nil && sb != nil {
						addStats(&dj.stats, sb.Stats, 1)
					}
				}
			}
		}
		now := time.Now().UTC()
		save := time.Since(lastSaved) >= every
		for _, dj := range djs {
			p := SourceProgress{Source: dj.src.Name, RunID: dj.m.RunID, State: StatusRunning, Stats: dj.stats, StartedAt: dj.m.StartedAt,
				Elapsed: now.Sub(dj.m.StartedAt), UpdatedAt: now}
			if dj.prev != nil {
				p.ExpectedRecords = dj.prev.Rows
				if d, err := decodeCollectDetails(dj.prev); err == nil {
					p.ExpectedRequests = d.Stats.Requests
				}
			}
			if opts.Progress != nil {
				opts.Progress(p)
			}
			if save {
				dj.m.Progress = &Progress{UpdatedAt: now, Stats: p.Stats, ExpectedRequests: p.ExpectedRequests, ExpectedRecords: p.ExpectedRecords}
				_ = l.writeManifest(dj.m) // a courtesy to readers
			}
		}
		if save {
			lastSaved = time.Now()
		}
		p, err := f.Progress(ctx, run)
		switch {
		case err == nil && p.State != "open":
			return fmt.Errorf("frontier run %s was %s before it completed", run, p.State)
		case err == nil && p.Done():
			return nil
		case errors.Is(err, frontier.ErrRunClosed):
			return fmt.Errorf("frontier run %s is gone from %s before it completed", run, f.Addr())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// sealSource builds the source's partition from the sealed run's registered commits: their
// files checked against the size and hash each commit recorded, records merged without duplicate
// record ids, failures and page indexes merged; files no commit registered (a fenced or killed
// worker's) are deleted. Then the usual health gate and rename.
func (l *Lake) sealSource(ctx context.Context, dj *distJob, run, server string, commits []frontier.Commit, opts CollectOptions) error {
	src, m := dj.src, dj.m
	tmp := l.rawTempDir(src.Name, m.RunID)
	sink := collectors.NewParquetSink(tmp, src.Name, m.RunID, src.Fields, collectors.SinkOptions{})
	var (
		stats      collectors.Stats
		batchDups  int64
		failures   []collectors.Failure
		seenFail   = map[string]bool{}
		pages      = map[string]collectors.ArchivedPage{}
		registered = map[string]bool{}
		workers    = map[string]*WorkerShare{}
		nCommits   int
	)
	mergeErr := func() error {
		for _, c := range commits {
			var meta batchMeta
			if len(c.Meta) > 0 {
				if err := json.Unmarshal(c.Meta, &meta); err != nil {
					return fmt.Errorf("commit %s of worker %s: meta: %w", c.ID, c.Worker, err)
				}
			}
			sb := meta.Sources[src.Name]
			if sb == nil {
				continue
			}
			nCommits++
			addStats(&stats, sb.Stats, 1)
			batchDups += sb.Duplicates
			ws := workers[c.Worker]
			if ws == nil {
				ws = &WorkerShare{Worker: c.Worker}
				workers[c.Worker] = ws
			}
			ws.Commits++
			ws.Done += sb.Done
			ws.Records += sb.Records
			ws.Requests += sb.Stats.Requests
			ws.Bytes += sb.Stats.Bytes
			for _, file := range c.Files {
				if fileSource(file.Path) != src.Name {
					continue
				}
				abs, kind, err := l.committedFile(src.Name, m.RunID, file.Path)
				if err != nil {
					return fmt.Errorf("commit %s of worker %s: %w", c.ID, c.Worker, err)
				}
				if err := checkFile(abs, file); err != nil {
					return fmt.Errorf("commit %s of worker %s: %w — was the lake's filesystem shared and synced?", c.ID, c.Worker, err)
				}
				switch kind {
				case "parquet":
					if err := collectors.ReadParquet(ctx, abs, src.Fields, func(r collectors.Record) error { return sink.Write(ctx, r) }); err != nil {
						return err
					}
				case "meta":
					b, err := os.ReadFile(abs)
					if err != nil {
						return err
					}
					var bf batchFiles
					if err := json.Unmarshal(b, &bf); err != nil {
						return fmt.Errorf("reading %s: %w", l.Rel(abs), err)
					}
					for _, fl := range bf.Failures {
						// An entry redone after a lost lease may have failed in both batches.
						if k := fl.Kind + " " + fl.URL; !seenFail[k] {
							seenFail[k] = true
							failures = append(failures, fl)
						}
					}
					for _, p := range bf.Pages {
						if _, dup := pages[p.Key()]; !dup {
							pages[p.Key()] = p
						}
					}
				case "warc":
					registered[filepath.Base(abs)] = true
				}
			}
		}
		return nil
	}()
	if err := errors.Join(mergeErr, sink.Close()); err != nil {
		return fmt.Errorf("collecting %s: sealing frontier run %s: %w", src.Name, run, err)
	}
	rows, sinkDups := sink.Rows()
	m.Rows = rows
	sort.Slice(failures, func(i, j int) bool {
		if failures[i].URL != failures[j].URL {
			return failures[i].URL < failures[j].URL
		}
		return failures[i].Kind < failures[j].Kind
	})
	if failures == nil {
		failures = []collectors.Failure{}
	}
	index := make([]collectors.ArchivedPage, 0, len(pages))
	for _, p := range pages {
		index = append(index, p)
	}
	sort.Slice(index, func(i, j int) bool {
		if index[i].URL != index[j].URL {
			return index[i].URL < index[j].URL
		}
		return index[i].Key() < index[j].Key()
	})
	stats.Records = rows
	shares := make([]WorkerShare, 0, len(workers))
	for _, w := range workers {
		shares = append(shares, *w)
	}
	sort.Slice(shares, func(i, j int) bool { return shares[i].Worker < shares[j].Worker })
	details, err := json.Marshal(distributedDetails{
		collectDetails: collectDetails{
			FinishReason: "completed", BaseURL: dj.baseURL, Stats: stats, Pages: len(index), Duplicates: batchDups + sinkDups, Failures: len(failures),
			Options: collectDetailOpts{Parallelism: opts.Crawl.Parallelism, Delay: opts.Crawl.Delay.String(),
				MaxAttempts: opts.Crawl.Retry.MaxAttempts, IgnoreRobots: opts.Crawl.IgnoreRobots, UserAgent: opts.Crawl.UserAgent},
		},
		Frontier: frontierDetails{Run: run, Server: server, Commits: nCommits, Workers: shares},
	})
	if err != nil {
		return err
	}
	m.Details = details
	m.Progress = nil
	fb, err := json.MarshalIndent(failures, "", "  ")
	if err != nil {
		return err
	}
	pb, err := json.MarshalIndent(index, "", " ")
	if err != nil {
		return err
	}
	if err := errors.Join(WriteFileAtomic(filepath.Join(tmp, "failures.json"), fb), WriteFileAtomic(filepath.Join(tmp, "pages.json"), pb)); err != nil {
		return err
	}
	if err := os.RemoveAll(l.workersDir(src.Name, m.RunID)); err != nil {
		return fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	if err := l.dropUnregistered(src.Name, m.RunID, registered); err != nil {
		return fmt.Errorf("collecting %s: %w", src.Name, err)
	}
	if err := healthGate(src.Name, dj.baseURL, rows, len(index), dj.prev, l.pageCount(dj.prev), opts.AllowDrop); err != nil {
		return err
	}
	final := l.RawDir(src.Name, m.RunID)
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("publishing partition %s: %w", final, err)
	}
	return l.recordOutputs(m, final, src.Name)
}

// fileSource is the source directory a commit's file is in: raw/SRC/… or archive/SRC/….
func fileSource(p string) string {
	parts := strings.SplitN(p, "/", 3)
	if len(parts) < 3 || (parts[0] != "raw" && parts[0] != "archive") {
		return ""
	}
	return parts[1]
}

// checkFile compares a file with what its commit recorded.
func checkFile(path string, want frontier.File) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("file %s: %w", want.Path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("file %s: %w", want.Path, err)
	}
	if n != want.Bytes {
		return fmt.Errorf("file %s has %d bytes, its commit recorded %d", want.Path, n, want.Bytes)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); want.SHA256 != "" && sum != want.SHA256 {
		return fmt.Errorf("file %s has SHA-256 %s, its commit recorded %s", want.Path, sum, want.SHA256)
	}
	return nil
}

// dropUnregistered deletes the run's WARC files that no registered commit names: a fenced-off,
// killed or interrupted worker's batches, which are not part of the run.
func (l *Lake) dropUnregistered(source, runID string, registered map[string]bool) error {
	for _, pattern := range []string{runID + "-*.warc.gz", runID + "-*.warc.gz.open"} {
		paths, err := filepath.Glob(filepath.Join(l.ArchiveDir(source), pattern))
		if err != nil {
			return err
		}
		for _, p := range paths {
			if !registered[filepath.Base(p)] && l.inside(p) {
				if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
			}
		}
	}
	return nil
}
