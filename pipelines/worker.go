package pipelines

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/frontier"
)

// WorkerOptions configure one worker process of distributed crawls (Lake.Work).
type WorkerOptions struct {
	// ID names the worker in the frontier and in its files; default frontier.NewWorkerID().
	ID string
	// Sources restricts the worker to these sources' queues; empty means every source.
	Sources []string
	// Run restricts the worker to one frontier run, and makes Work return once it is complete
	// (a worker started by a coordinator); empty serves every open run until ctx ends.
	Run string
	// Concurrency is how many hosts the worker crawls at once, each under its own lease
	// (default 4). Within a host, the run's per-host parallelism applies.
	Concurrency int
	// Batch is how many finished requests are committed together, with their files (default 16
	// times the per-host parallelism, between 32 and 256; a batch also goes after 2 s). A lost
	// lease costs at most a batch; larger batches mean fewer, larger files.
	Batch int
	// Poll is how long a worker with nothing to do waits before looking again (default 500ms).
	Poll time.Duration
	// Registry defaults to collectors.Default: the sources the worker can crawl.
	Registry *collectors.Registry
	// Getenv reads site credentials (FHI_<SOURCE>_COOKIE…); default os.Getenv.
	Getenv func(string) string
	// Log, if set, hears what a person running the worker should know: commits refused, batches
	// dropped, errors ridden out, runs skipped. Trace, if set, hears every lease taken too.
	Log   func(format string, args ...any)
	Trace func(format string, args ...any)
}

// WorkerReport counts what a worker committed.
type WorkerReport struct {
	ID      string `json:"id"`
	Leases  int64  `json:"leases"`
	Commits int64  `json:"commits"`
	Done    int64  `json:"done"`    // requests acknowledged
	Records int64  `json:"records"` // records in committed batches
	Fenced  int64  `json:"fenced"`  // batches refused because another worker took the host over
	Dropped int64  `json:"dropped"` // batches dropped for another reason (run closed, lease lost)
}

// maxDeliveries is how often an entry may be handed out before it is committed as a failure
// without being fetched again: a page that crashes (or hangs) every worker that takes it.
const maxDeliveries = 5

// Work runs a worker of the distributed crawls in the frontier f until ctx ends (or, with
// opts.Run, until that run is complete): it takes hosts' leases, fetches their queued requests
// with the crawl engine, writes each batch's records (Parquet), responses (WARC) and failures
// under the run's temporary partition in this lake, syncs them, and commits them with the links
// found. The lake is the coordinator's, shared through a filesystem; a worker takes no lock on
// it and writes only into the runs' temporary partitions and archive files.
func (l *Lake) Work(ctx context.Context, f *frontier.Frontier, opts WorkerOptions) (*WorkerReport, error) {
	if opts.ID == "" {
		opts.ID = frontier.NewWorkerID()
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Poll <= 0 {
		opts.Poll = 500 * time.Millisecond
	}
	if opts.Registry == nil {
		opts.Registry = collectors.Default
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Log == nil {
		opts.Log = func(string, ...any) {}
	}
	if opts.Trace == nil {
		opts.Trace = func(string, ...any) {}
	}
	for _, s := range opts.Sources {
		if _, err := opts.Registry.Lookup(s); err != nil {
			return nil, err
		}
	}
	if opts.Run != "" {
		// A run to serve that is unknown is a mistake (a typo, another frontier prefix), not a
		// job done.
		if _, err := f.Progress(ctx, opts.Run); err != nil {
			return nil, fmt.Errorf("serving frontier run %s: %w", opts.Run, err)
		}
	}
	w, err := f.NewWorker(ctx, opts.ID)
	if err != nil {
		return nil, err
	}
	wk := &worker{lake: l, f: f, w: w, opts: opts, plans: map[string]*workerPlan{}, rep: &WorkerReport{ID: opts.ID}}
	var wg sync.WaitGroup
	for slot := range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk.loop(ctx, slot)
		}()
	}
	wg.Wait()
	errs := []error{wk.closeArchives()}
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errs = append(errs, w.Close(cctx))
	rep := wk.report()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, err)
	}
	return &rep, errors.Join(errs...)
}

type worker struct {
	lake *Lake
	f    *frontier.Frontier
	w    *frontier.Worker
	opts WorkerOptions

	mu       sync.Mutex
	plans    map[string]*workerPlan // by frontier run; nil entry: not ours (logged once)
	archives []*collectors.Archive
	rep      *WorkerReport
	batches  atomic.Int64
}

// workerPlan is a run as this worker crawls it.
type workerPlan struct {
	*crawlPlan
	run     string
	sources []string // the plan's sources this worker crawls
}

func (wk *worker) report() WorkerReport {
	wk.mu.Lock()
	defer wk.mu.Unlock()
	return *wk.rep
}

func (wk *worker) count(f func(*WorkerReport)) {
	wk.mu.Lock()
	defer wk.mu.Unlock()
	f(wk.rep)
}

// loop is one slot: a goroutine holding at most one lease at a time.
func (wk *worker) loop(ctx context.Context, slot int) {
	archives := map[string]*collectors.Archive{} // by run and source
	for ctx.Err() == nil {
		runs, done := wk.runs(ctx)
		if done {
			return
		}
		worked := false
		for _, run := range runs {
			p := wk.plan(ctx, run)
			if p == nil || len(p.sources) == 0 {
				continue
			}
			lease, err := wk.w.Acquire(ctx, run, p.sources...)
			switch {
			case errors.Is(err, frontier.ErrNoWork):
				continue
			case errors.Is(err, frontier.ErrRunClosed):
				wk.forget(run)
				continue
			case err != nil:
				wk.opts.Log("acquiring a host of run %s: %v", run, err) // Redis restarting: try again
				continue
			}
			worked = true
			wk.count(func(r *WorkerReport) { r.Leases++ })
			wk.opts.Trace("slot %d: lease on %s for run %s (token %d)", slot, lease.Host(), run, lease.Token())
			(&leaseWork{wk: wk, p: p, lease: lease, slot: slot, archives: archives}).run(ctx)
			break
		}
		if !worked {
			select {
			case <-ctx.Done():
			case <-time.After(wk.opts.Poll):
			}
		}
	}
}

// runs lists the runs to look for work in; done is true once opts.Run is complete or closed.
func (wk *worker) runs(ctx context.Context) ([]string, bool) {
	if run := wk.opts.Run; run != "" {
		p, err := wk.f.Progress(ctx, run)
		switch {
		case errors.Is(err, frontier.ErrRunClosed):
			return nil, true
		case err != nil:
			return nil, false // Redis unreachable for now
		case p.State != "open" || p.Done():
			return nil, true
		}
		return []string{run}, false
	}
	runs, err := wk.f.OpenRuns(ctx)
	if err != nil {
		return nil, false
	}
	return runs, false
}

// plan reads and checks run's plan once; nil when the run is not this worker's to crawl.
func (wk *worker) plan(ctx context.Context, run string) *workerPlan {
	wk.mu.Lock()
	p, known := wk.plans[run]
	wk.mu.Unlock()
	if known {
		return p
	}
	raw, err := wk.f.Plan(ctx, run)
	if err != nil {
		return nil // unreachable, or closed meanwhile: asked again next time
	}
	var wp *workerPlan
	if raw == nil {
		wk.opts.Log("frontier run %s has no plan (not begun by fhi run or collect): skipped", run)
	} else if cp, err := decodeCrawlPlan(run, raw); err != nil {
		wk.opts.Log("%v: skipped", err)
	} else if err := wk.lake.checkWorkerLake(run, cp); err != nil {
		wk.opts.Log("%v: skipped", err)
	} else {
		wp = &workerPlan{crawlPlan: cp, run: run}
		for name := range cp.Sources {
			if _, err := wk.opts.Registry.Lookup(name); err != nil {
				wk.opts.Log("frontier run %s: %v — this worker leaves its queues to others", run, err)
				continue
			}
			if len(wk.opts.Sources) == 0 || slices.Contains(wk.opts.Sources, name) {
				wp.sources = append(wp.sources, name)
			}
		}
		slices.Sort(wp.sources)
		for _, name := range wp.sources {
			s := cp.Sources[name]
			if err := os.Mkdir(wk.lake.workerDir(name, s.RunID, wk.opts.ID), 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				wk.opts.Log("frontier run %s: %v: skipped", run, err)
				wp = nil
				break
			}
		}
	}
	wk.mu.Lock()
	wk.plans[run] = wp
	wk.mu.Unlock()
	return wp
}

func (wk *worker) forget(run string) {
	wk.mu.Lock()
	defer wk.mu.Unlock()
	if wk.opts.Run == "" {
		wk.plans[run] = nil // closed for good: never looked at again
	}
}

func (wk *worker) archive(archives map[string]*collectors.Archive, p *workerPlan, source string, slot int) (*collectors.Archive, error) {
	key := p.run + " " + source
	if a, ok := archives[key]; ok {
		return a, nil
	}
	// One archive per slot and source: one writer per file, named apart from every other
	// worker's and slot's.
	prefix := fmt.Sprintf("%s-%s-%d", p.Sources[source].RunID, wk.opts.ID, slot)
	a, err := collectors.OpenArchive(wk.lake.ArchiveDir(source), prefix)
	if err != nil {
		return nil, err
	}
	archives[key] = a
	wk.mu.Lock()
	wk.archives = append(wk.archives, a)
	wk.mu.Unlock()
	return a, nil
}

func (wk *worker) closeArchives() error {
	wk.mu.Lock()
	defer wk.mu.Unlock()
	var errs []error
	for _, a := range wk.archives {
		errs = append(errs, a.Close())
	}
	return errors.Join(errs...)
}

// leaseWork is one lease: a stream of one host's requests, fetched a few at a time and committed
// in batches, until the host's queues are empty or the lease is lost.
type leaseWork struct {
	wk       *worker
	p        *workerPlan
	lease    *frontier.Lease
	slot     int
	archives map[string]*collectors.Archive
	crawls   map[string]*sourceCrawl
	prev     map[string]collectors.HostPoliteness // the previous holder's, by source
	ctx      context.Context                      // the crawls': the lease's, ended by Work's too
	stop     context.CancelCauseFunc              // ends ctx
	lapsed   sync.Once                            // logs the first request the gate refused

	mu sync.Mutex
	// lastAnswer is when the host last answered this lease; handed to the next holder.
	lastAnswer time.Time
	// links are the requests the pages fetched since the last commit led to.
	links []frontier.Item
}

// hostState is the politeness a lease leaves to the host's next holder (Batch.HostState).
type hostState struct {
	LastAnswer time.Time                            `json:"last_answer,omitzero"`
	Sources    map[string]collectors.HostPoliteness `json:"sources,omitempty"`
}

// maxBatchAge bounds how long a finished request waits for its commit.
const maxBatchAge = 2 * time.Second

// pending is what finished since the last commit.
type pending struct {
	done  []frontier.Work
	given map[string][]collectors.Failure // entries given up without a fetch, by source
	since time.Time                       // when the oldest finished
}

func (p *pending) add(w frontier.Work) {
	if len(p.done) == 0 {
		p.since = time.Now()
	}
	p.done = append(p.done, w)
}

type fetched struct {
	w  frontier.Work
	ok bool
}

func (lw *leaseWork) run(ctx context.Context) {
	// Fetches stop when the lease is lost or the worker is told to stop, whichever comes first.
	fctx, cancel := context.WithCancelCause(lw.lease.Context())
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	lw.ctx, lw.stop = fctx, cancel
	lw.crawls = map[string]*sourceCrawl{}
	inflight := 0
	results := make(chan fetched)
	var committing chan bool // the outstanding commit's outcome, nil when none is under way
	defer func() {
		for ; inflight > 0; inflight-- {
			<-results // a lost lease's fetches end at once; a failed commit's finish first
		}
		if committing != nil {
			<-committing
		}
		stop()
		cancel(nil)
		for _, c := range lw.crawls {
			c.crawl.Close()
			lw.discard(c)
		}
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = lw.lease.Release(rctx) // unreleased, it lapses; its entries are taken over then
	}()
	var prev hostState
	if raw := lw.lease.HostState(); raw != nil {
		_ = json.Unmarshal(raw, &prev) // a state that does not parse is no state
	}
	lw.prev = prev.Sources
	lw.lastAnswer = prev.LastAnswer
	// As if one process had crawled on: no request sooner than the delay after the last.
	wait := collectors.HandoffWait(collectors.HostPoliteness{LastAnswer: prev.LastAnswer}, lw.p.Crawl, time.Now())
	for _, hp := range prev.Sources {
		wait = max(wait, collectors.HandoffWait(hp, lw.p.Crawl, time.Now()))
	}
	select {
	case <-fctx.Done():
		return
	case <-time.After(wait):
	}

	// Twice the host's parallelism in flight keeps its slots busy while pages are parsed; the
	// transport holds the host to its limit.
	limit := max(2*lw.p.Crawl.Parallelism, 1)
	batch := lw.wk.opts.Batch
	if batch <= 0 {
		batch = min(max(16*lw.p.Crawl.Parallelism, 32), 256)
	}
	var (
		buffer []frontier.Work
		pend   = pending{given: map[string][]collectors.Failure{}}
		dry    bool // the last claim found nothing queued
		ended  bool // the lease is lost or the worker stops: no new fetch
		lost   bool // a commit failed: nothing more is committed under this lease
	)
	tick := time.NewTicker(maxBatchAge / 4)
	defer tick.Stop()
	for {
		for !ended && !dry && inflight < limit {
			if ctx.Err() != nil || !lw.lease.Valid() {
				ended = true
				break
			}
			if len(buffer) == 0 {
				items, err := lw.lease.Claim(ctx, limit)
				if err != nil && len(items) == 0 {
					if !errors.Is(err, frontier.ErrLeaseLost) && !errors.Is(err, frontier.ErrFenced) && !errors.Is(err, frontier.ErrRunClosed) {
						lw.wk.opts.Log("claiming from %s: %v", lw.lease.Host(), err)
					}
					ended = true
					break
				}
				if len(items) == 0 {
					dry = true
					break
				}
				buffer = items
			}
			it := buffer[0]
			buffer = buffer[1:]
			c, err := lw.crawlFor(it.Source)
			if err != nil {
				lw.wk.opts.Log("%s: %v — left for another worker", it.URL, err)
				continue
			}
			c.touched = true
			if it.Deliveries > maxDeliveries {
				pend.given[it.Source] = append(pend.given[it.Source], collectors.Failure{URL: it.URL, Kind: "fetch", Attempts: int(it.Deliveries - 1),
					Error: fmt.Sprintf("given up: handed to workers %d times without a commit (it crashes or hangs whoever fetches it)", it.Deliveries-1)})
				pend.add(it)
				continue
			}
			inflight++
			go func() {
				err := c.crawl.Fetch(collectors.Link{Method: it.Method, URL: it.URL, Body: it.Body, Header: it.Header, Context: it.Context})
				lw.mu.Lock()
				lw.lastAnswer = time.Now()
				lw.mu.Unlock()
				results <- fetched{w: it, ok: err == nil} // not ok: interrupted, left pending
			}()
		}
		// Links are committed as soon as they are found, alone: the next page of a list must not
		// wait for the rest of its batch (a chain of pages would crawl at one page per batch).
		// That is safe before the pages that found them are committed, because the seen set makes
		// adding a link idempotent: a page redone after a lost batch finds its links queued.
		if !lost && !ended && lw.commitLinks(ctx) {
			dry = false
		}
		// Commit a full batch; an old one; or, when nothing is under way, what finished. One
		// commit at a time, while fetching goes on.
		if n := len(pend.done); !lost && committing == nil && n > 0 &&
			(n >= batch || time.Since(pend.since) >= maxBatchAge || inflight == 0) {
			j := lw.cutBatch(&pend)
			committing = make(chan bool, 1)
			go func() { committing <- j.finish(ctx) }()
		}
		if inflight == 0 && committing == nil {
			return // nothing under way, nothing to commit: the host is done for now
		}
		select {
		case r := <-results:
			inflight--
			if r.ok && !lost {
				pend.add(r.w)
			}
		case ok := <-committing:
			committing = nil
			if !ok {
				ended = true // fenced, closed or unknown: the rest of what is under way is not committed
				pend = pending{given: map[string][]collectors.Failure{}}
				lost = true
			} else if !ended {
				dry = false // the commit may have queued this host's next requests
			}
		case <-tick.C:
		}
		if lost && inflight == 0 && committing == nil {
			return
		}
	}
}

// discard deletes what c wrote since the last commit: nothing committed names it, and the
// entries it was for stay pending for the host's next holder.
func (lw *leaseWork) discard(c *sourceCrawl) {
	if _, sink := c.out.detach(0); sink != nil {
		_ = sink.Close()
		for _, p := range sink.Parts() {
			_ = os.Remove(p)
		}
	}
	warcs, _ := c.archive.Cut()
	for _, a := range warcs {
		_ = os.Remove(filepath.Join(c.archive.Dir(), a.Name))
	}
}

// sourceCrawl is a crawl of one source under one lease; its records go to the batch's sink.
type sourceCrawl struct {
	source  collectors.Source
	crawl   *collectors.Crawl
	archive *collectors.Archive
	out     *batchWriter
	stats   collectors.Stats // at the last commit
	touched bool             // fetched from since the last commit
}

// batchWriter sends a crawl's records to the current batch's Parquet sink, made on the first
// record of a batch (a batch without records writes no file).
type batchWriter struct {
	mu   sync.Mutex
	dir  string
	src  collectors.Source
	run  string
	seq  int64
	sink *collectors.ParquetSink
}

// Write holds the lock while it writes: a batch boundary (cut) never closes a sink under a write.
func (b *batchWriter) Write(ctx context.Context, r collectors.Record) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sink == nil {
		b.sink = collectors.NewParquetSink(b.dir, b.src.Name, b.run, b.src.Fields, collectors.SinkOptions{Prefix: fmt.Sprintf("b%06d", b.seq), Scratch: true})
	}
	return b.sink.Write(ctx, r)
}

// detach takes the batch's sink (nil if no record came) for its commit to close; the next
// batch's files are named bNEXT-NNNNN.parquet, unique in the worker's directory (the slots of a
// worker number their batches from one counter). It returns the detached batch's number.
func (b *batchWriter) detach(next int64) (int64, *collectors.ParquetSink) {
	b.mu.Lock()
	defer b.mu.Unlock()
	seq, s := b.seq, b.sink
	b.sink, b.seq = nil, next
	return seq, s
}

func (lw *leaseWork) crawlFor(source string) (*sourceCrawl, error) {
	if c, ok := lw.crawls[source]; ok {
		return c, nil
	}
	ps, ok := lw.p.Sources[source]
	if !ok {
		return nil, fmt.Errorf("source %s is not in the plan of frontier run %s", source, lw.p.run)
	}
	src, err := lw.wk.opts.Registry.Lookup(source)
	if err != nil {
		return nil, err
	}
	archive, err := lw.wk.archive(lw.archives, lw.p, source, lw.slot)
	if err != nil {
		return nil, err
	}
	opts := lw.p.Crawl
	opts.AllowedHosts = append(slices.Clone(opts.AllowedHosts), ps.AllowedHosts...)
	opts.Headers = collectors.HeadersFromEnv(source, lw.wk.opts.Getenv)
	opts.Gate = func(string) error {
		if lw.lease.Valid() {
			return nil
		}
		// Ending the crawls' context first makes the request an interruption, not a failure:
		// it stays pending for the host's next holder.
		err := fmt.Errorf("%w: host %s lapsed before a request went out", frontier.ErrLeaseLost, lw.lease.Host())
		lw.lapsed.Do(func() {
			lw.wk.opts.Log("%v (was this worker frozen?): its requests are left to the host's next holder", err)
		})
		lw.stop(err)
		return err
	}
	out := &batchWriter{dir: lw.wk.lake.workerDir(source, ps.RunID, lw.wk.opts.ID), src: src, run: ps.RunID, seq: lw.wk.batches.Add(1)}
	crawl, err := collectors.NewCrawl(lw.ctx, src, ps.BaseURL, archive, out, opts)
	if err != nil {
		return nil, err
	}
	crawl.Gather(func(l collectors.Link) {
		lw.mu.Lock()
		defer lw.mu.Unlock()
		lw.links = append(lw.links, frontier.Item{Source: source, URL: l.URL, Method: l.Method, Body: l.Body, Header: l.Header, Context: l.Context})
	})
	coll, err := src.New(collectors.Config{BaseURL: ps.BaseURL})
	if err != nil {
		return nil, err
	}
	if _, err := crawl.Start(coll); err != nil { // registers the callbacks; the start requests are queued already
		return nil, err
	}
	if hp, ok := lw.prev[source]; ok {
		crawl.SetPoliteness(lw.lease.Host(), hp)
	}
	c := &sourceCrawl{source: src, crawl: crawl, archive: archive, out: out}
	lw.crawls[source] = c
	return c, nil
}

// batchMeta is a commit's Meta: per source, what its batch did.
type batchMeta struct {
	Sources map[string]*sourceBatch `json:"sources"`
}

type sourceBatch struct {
	Done       int64            `json:"done"`
	Records    int64            `json:"records"`
	Duplicates int64            `json:"duplicates"`
	Failures   int              `json:"failures"`
	Pages      int              `json:"pages"`
	Stats      collectors.Stats `json:"stats"`
}

// commitJob is one batch on its way to a commit: cut from the lease's stream of fetches
// (cutBatch, in the lease's goroutine), then written, synced and committed (finish, in a
// goroutine of its own, while the next requests are fetched).
type commitJob struct {
	lw      *leaseWork
	seq     int64
	done    []frontier.Work
	links   []frontier.Item
	meta    batchMeta
	hs      hostState
	stats   map[string]int64
	sinks   map[string]*collectors.ParquetSink // by source
	warcs   []frontier.File
	paths   []string // every file of the batch, to delete if it is not committed
	sidecar map[string]batchFiles
	failed  bool
}

// cutBatch takes what finished since the last commit, and the files written meanwhile — every
// source's, fetches still under way included: what they wrote so far is whole records and
// exchanges, and belongs to the run once committed.
func (lw *leaseWork) cutBatch(pend *pending) *commitJob {
	wk := lw.wk
	j := &commitJob{lw: lw, meta: batchMeta{Sources: map[string]*sourceBatch{}}, stats: map[string]int64{},
		hs: hostState{Sources: map[string]collectors.HostPoliteness{}}, sidecar: map[string]batchFiles{}, sinks: map[string]*collectors.ParquetSink{}}
	for _, w := range pend.done {
		if j.meta.Sources[w.Source] == nil {
			j.meta.Sources[w.Source] = &sourceBatch{}
		}
		j.meta.Sources[w.Source].Done++
	}
	lw.mu.Lock()
	j.hs.LastAnswer = lw.lastAnswer
	lw.mu.Unlock()
	for name, c := range lw.crawls {
		if !c.touched && j.meta.Sources[name] == nil {
			continue
		}
		c.touched = false
		sb := j.meta.Sources[name]
		if sb == nil {
			sb = &sourceBatch{}
			j.meta.Sources[name] = sb
		}
		seq, sink := c.out.detach(wk.batches.Add(1))
		j.seq = seq
		if sink != nil {
			j.sinks[name] = sink
		}
		warcs, err := c.archive.Cut()
		if err != nil {
			wk.opts.Log("closing the WARC file of batch %d: %v", seq, err)
			j.failed = true
		}
		for _, a := range warcs {
			p := filepath.Join(c.archive.Dir(), a.Name)
			j.paths = append(j.paths, p)
			j.warcs = append(j.warcs, frontier.File{Path: wk.lake.commitPath(p), Bytes: a.Bytes, SHA256: a.SHA256})
		}
		failures, pages := c.crawl.Drain()
		failures = append(failures, pend.given[name]...)
		now := c.crawl.Stats()
		sb.Stats = statsDelta(now, c.stats)
		c.stats = now
		sb.Failures, sb.Pages = len(failures), len(pages)
		if len(failures)+len(pages) > 0 {
			p := filepath.Join(c.out.dir, fmt.Sprintf("b%06d.json", seq))
			j.sidecar[p] = batchFiles{Failures: failures, Pages: pages}
			j.paths = append(j.paths, p)
		}
		lw.mu.Lock()
		j.hs.Sources[name] = c.crawl.Politeness(lw.lease.Host(), lw.lastAnswer)
		lw.mu.Unlock()
		j.stats["requests"] += sb.Stats.Requests
		j.stats["bytes"] += sb.Stats.Bytes
		j.stats["failed"] += int64(len(failures))
		j.stats["pages"] += int64(len(pages))
	}
	j.links = lw.takeLinks()
	j.done = pend.done
	*pend = pending{given: map[string][]collectors.Failure{}}
	return j
}

// finish writes and syncs the batch's files and commits them. It reports whether the lease is
// still worth working under.
func (j *commitJob) finish(ctx context.Context) bool {
	lw, wk := j.lw, j.lw.wk
	files := j.warcs
	for name, sink := range j.sinks {
		err := sink.Close()
		rows, dups := sink.Rows()
		j.meta.Sources[name].Records, j.meta.Sources[name].Duplicates = rows, dups
		j.stats["records"] += rows
		j.paths = append(j.paths, sink.Parts()...)
		if err != nil {
			wk.opts.Log("writing the records of batch %d: %v", j.seq, err)
			j.failed = true
		}
	}
	for p, bf := range j.sidecar {
		b, err := json.Marshal(bf)
		if err == nil {
			err = WriteFileAtomic(p, b)
		}
		if err != nil {
			wk.opts.Log("writing the failures and pages of batch %d: %v", j.seq, err)
			j.failed = true
		}
	}
	for _, p := range j.paths {
		if strings.HasSuffix(p, ".warc.gz") {
			continue // synced and hashed by Cut
		}
		f, err := collectors.HashFile(p)
		if err != nil {
			wk.opts.Log("%v", err)
			j.failed = true
			continue
		}
		files = append(files, frontier.File{Path: wk.lake.commitPath(p), Bytes: f.Bytes, SHA256: f.SHA256})
	}
	if err := syncDirs(j.paths); err != nil {
		wk.opts.Log("%v", err)
		j.failed = true
	}
	drop := func(why string) {
		for _, p := range j.paths {
			_ = os.Remove(p)
		}
		wk.opts.Log("batch %d of %s (%d requests) dropped: %s", j.seq, lw.lease.Host(), len(j.done), why)
	}
	if j.failed {
		drop("its files could not be written")
		wk.count(func(r *WorkerReport) { r.Dropped++ })
		return false
	}
	mb, _ := json.Marshal(j.meta)
	hb, _ := json.Marshal(j.hs)
	// A worker told to stop still commits what it finished.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wk.f.Options().LeaseTTL)
	defer cancel()
	res, err := lw.lease.Commit(cctx, frontier.Batch{Done: j.done, Links: j.links, Files: files, Meta: mb, Stats: j.stats, HostState: hb})
	switch {
	case err == nil:
		wk.count(func(r *WorkerReport) { r.Commits++; r.Done += res.Done; r.Records += j.stats["records"] })
		return true
	case errors.Is(err, frontier.ErrFenced):
		drop(err.Error())
		wk.count(func(r *WorkerReport) { r.Fenced++ })
		return false
	case errors.Is(err, frontier.ErrRunClosed), errors.Is(err, frontier.ErrInvalid):
		drop(err.Error())
		wk.count(func(r *WorkerReport) { r.Dropped++ })
		return false
	default:
		// The outcome is unknown: the commit may be registered, so its files stay; if it is
		// not, the coordinator ignores them and the entries are redone.
		wk.opts.Log("batch %d of %s: commit outcome unknown, files kept: %v", j.seq, lw.lease.Host(), err)
		return false
	}
}

// takeLinks takes the links found so far, without those that fail their check: one bad link must
// not get a whole commit refused (and redone, and refused again).
func (lw *leaseWork) takeLinks() []frontier.Item {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	var links []frontier.Item
	for _, it := range lw.links {
		if err := it.Check(); err != nil {
			lw.wk.opts.Log("link dropped: %v", err)
			continue
		}
		links = append(links, it)
	}
	lw.links = nil
	return links
}

// commitLinks commits the links found since the last commit, alone, and reports whether there
// were any and they went through.
func (lw *leaseWork) commitLinks(ctx context.Context) bool {
	links := lw.takeLinks()
	if len(links) == 0 {
		return false
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lw.wk.f.Options().LeaseTTL)
	defer cancel()
	if _, err := lw.lease.Commit(cctx, frontier.Batch{Links: links}); err != nil {
		// Fenced or closed: the pages that found them are redone by whoever holds the host, or
		// not at all. Otherwise they go with the batch's commit.
		if !errors.Is(err, frontier.ErrFenced) && !errors.Is(err, frontier.ErrRunClosed) {
			lw.mu.Lock()
			lw.links = append(lw.links, links...)
			lw.mu.Unlock()
		}
		return false
	}
	return true
}

// syncDirs fsyncs the directories of paths, so the files' names are as durable as their bytes.
func syncDirs(paths []string) error {
	seen := map[string]bool{}
	for _, p := range paths {
		d := filepath.Dir(p)
		if seen[d] {
			continue
		}
		seen[d] = true
		f, err := os.Open(d)
		if err != nil {
			return fmt.Errorf("syncing %s: %w", d, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("syncing %s: %w", d, err)
		}
	}
	return nil
}

// statsDelta is now − then, counter by counter (status counts that did not change left out).
func statsDelta(now, then collectors.Stats) collectors.Stats {
	d := collectors.Stats{ByStatus: map[string]int64{}}
	addStats(&d, now, 1)
	addStats(&d, then, -1)
	for k, v := range d.ByStatus {
		if v == 0 {
			delete(d.ByStatus, k)
		}
	}
	return d
}

// addStats adds sign × s to into, counter by counter.
func addStats(into *collectors.Stats, s collectors.Stats, sign int64) {
	into.Requests += sign * s.Requests
	into.Retries += sign * s.Retries
	into.Bytes += sign * s.Bytes
	into.Records += sign * s.Records
	into.Replayed += sign * s.Replayed
	into.NotModified += sign * s.NotModified
	into.Carried += sign * s.Carried
	into.Quarantined += sign * s.Quarantined
	into.Failed += sign * s.Failed
	into.Refused += sign * s.Refused
	if into.ByStatus == nil {
		into.ByStatus = map[string]int64{}
	}
	for k, v := range s.ByStatus {
		into.ByStatus[k] += sign * v
	}
}
