package frontier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// NewWorkerID returns an id unique to this process: machine, pid and a random suffix, so a
// restarted worker never inherits the pending entries of its previous life by name.
func NewWorkerID() string {
	host, err := os.Hostname()
	if err != nil || !workerName.MatchString(host) {
		host = "worker"
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Worker is one crawling process's membership of the frontier: its consumer name in every queue
// and its heartbeat in status. A worker holds leases on hosts, one per goroutine that crawls.
type Worker struct {
	f       *Frontier
	id      string
	started time.Time
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// NewWorker registers a worker called id (see NewWorkerID) and starts its heartbeat.
func (f *Frontier) NewWorker(ctx context.Context, id string) (*Worker, error) {
	if !workerName.MatchString(id) {
		return nil, fmt.Errorf("%w worker id %q: want letters, digits and ._@-", ErrInvalid, id)
	}
	w := &Worker{f: f, id: id, started: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	if err := w.beat(ctx); err != nil {
		return nil, fmt.Errorf("registering worker %s: %w", id, err)
	}
	go w.heartbeat()
	return w, nil
}

// ID is the worker's consumer name.
func (w *Worker) ID() string { return w.id }

func (w *Worker) beat(ctx context.Context) error {
	now := time.Now()
	machine, _ := os.Hostname()
	key := w.f.workerKey(w.id)
	_, err := w.f.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "machine", machine, "pid", os.Getpid(), "started", w.started.UnixMilli(), "seen", now.UnixMilli())
		p.PExpire(ctx, key, 3*w.f.opts.LeaseTTL)
		p.ZAdd(ctx, w.f.workersKey(), redis.Z{Score: float64(now.UnixMilli()), Member: w.id})
		// Workers silent for a day are forgotten.
		p.ZRemRangeByScore(ctx, w.f.workersKey(), "-inf", strconv.FormatInt(now.Add(-24*time.Hour).UnixMilli(), 10))
		return nil
	})
	return err
}

func (w *Worker) heartbeat() {
	defer close(w.done)
	t := time.NewTicker(w.f.opts.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), w.f.opts.LeaseTTL/3)
			_ = w.beat(ctx) // a missed beat only dims the worker in status
			cancel()
		}
	}
}

// Close stops the heartbeat and removes the worker from status. Leases are released by their
// holders; any still held lapse on their own.
func (w *Worker) Close(ctx context.Context) error {
	w.once.Do(func() { close(w.stop) })
	<-w.done
	_, err := w.f.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, w.f.workerKey(w.id))
		p.ZRem(ctx, w.f.workersKey(), w.id)
		return nil
	})
	return err
}

type queueRef struct {
	key, source string
}

// hostQueues groups the run's queues by host, keeping only the given sources (all if none).
func (f *Frontier) hostQueues(ctx context.Context, run string, sources []string) (map[string][]queueRef, error) {
	h, err := f.rdb.HGetAll(ctx, f.queuesKey(run)).Result()
	if err != nil {
		return nil, err
	}
	out := map[string][]queueRef{}
	for key, meta := range h {
		src, host := parseQueueMeta(meta)
		if len(sources) > 0 && !slices.Contains(sources, src) {
			continue
		}
		out[host] = append(out[host], queueRef{key: key, source: src})
	}
	for _, qs := range out {
		slices.SortFunc(qs, func(a, b queueRef) int { return compareStrings(a.key, b.key) })
	}
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Acquire takes the lease of a host of run that has unfinished work (queued, or pending with a
// worker whose lease lapsed) and that no one holds, restricted to sources if any are given.
// It fails with ErrNoWork when there is none now, and ErrRunClosed when the run is not open.
func (w *Worker) Acquire(ctx context.Context, run string, sources ...string) (*Lease, error) {
	if err := checkRun(run); err != nil {
		return nil, err
	}
	byHost, err := w.f.hostQueues(ctx, run, sources)
	if err != nil {
		return nil, fmt.Errorf("acquiring a host of run %s: %w", run, err)
	}
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	// Workers start on different hosts instead of racing for the same one.
	mrand.Shuffle(len(hosts), func(i, j int) { hosts[i], hosts[j] = hosts[j], hosts[i] })
	lens := map[string]*redis.IntCmd{}
	if _, err := w.f.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, qs := range byHost {
			for _, q := range qs {
				lens[q.key] = p.XLen(ctx, q.key)
			}
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("acquiring a host of run %s: %w", run, err)
	}
	for _, host := range hosts {
		var open int64
		for _, q := range byHost[host] {
			open += lens[q.key].Val()
		}
		if open == 0 {
			continue
		}
		l, err := w.acquireHost(ctx, run, host, sources)
		if errors.Is(err, errHeld) {
			continue
		}
		return l, err
	}
	if p, err := w.f.Progress(ctx, run); err == nil && p.State != "open" {
		return nil, closedError(run, p.State)
	} else if err != nil {
		return nil, err
	}
	return nil, ErrNoWork
}

var errHeld = errors.New("frontier: lease held")

func (w *Worker) acquireHost(ctx context.Context, run, host string, sources []string) (*Lease, error) {
	ttl := w.f.opts.LeaseTTL
	sent := time.Now()
	r, err := runScript(ctx, w.f.rdb, acquireScript,
		[]string{w.f.runKey(run), w.f.leaseKey(host), w.f.fenceKey(host), w.f.hostStateKey(host)}, w.id, run, ms(ttl))
	if err != nil {
		return nil, fmt.Errorf("acquiring host %s for run %s: %w", host, run, err)
	}
	switch r.status() {
	case "closed":
		return nil, closedError(run, r.str(1))
	case "held":
		return nil, errHeld
	}
	token, _ := strconv.ParseInt(r.str(1), 10, 64)
	lctx, cancel := context.WithCancelCause(context.Background())
	l := &Lease{
		w: w, run: run, host: host, token: token, value: r.str(2), sources: sources, state: []byte(r.str(3)),
		ctx: lctx, cancel: cancel, validUntil: sent.Add(ttl * 9 / 10),
		cursors: map[string]string{}, pass: 0, inflight: map[string]bool{},
		stopRenew: make(chan struct{}), renewDone: make(chan struct{}),
	}
	go l.renew()
	return l, nil
}

// Lease is a worker's exclusive right to fetch from one host for one run, with the fencing
// token that makes its claims and commits valid. One goroutine uses a lease; it renews itself.
type Lease struct {
	w       *Worker
	run     string
	host    string
	token   int64
	value   string
	sources []string
	state   []byte
	ctx     context.Context
	cancel  context.CancelCauseFunc

	mu         sync.Mutex
	validUntil time.Time
	cursors    map[string]string // XAUTOCLAIM cursor per queue; "" when the pass is done there
	pass       int64             // min idle (ms) of the XAUTOCLAIM pass under way; -1: none
	lastSweep  time.Time
	inflight   map[string]bool // claimed, not yet committed
	seq        int
	claims     int

	stopRenew chan struct{}
	renewDone chan struct{}
	stopOnce  sync.Once
}

// Host is the leased host[:port]; Run its run; Token its fencing token.
func (l *Lease) Host() string { return l.host }
func (l *Lease) Run() string  { return l.run }
func (l *Lease) Token() int64 { return l.token }

// HostState is the politeness state the host's previous holder left with its last commit
// (Batch.HostState), nil if none: the new holder starts from the previous one's last request
// time, throttle delay and Retry-After instead of from scratch.
func (l *Lease) HostState() json.RawMessage {
	if len(l.state) == 0 {
		return nil
	}
	return json.RawMessage(l.state)
}

// Context is done once the lease is lost or released: every fetch under the lease should use
// it, so a worker that lost its host stops talking to it at once.
func (l *Lease) Context() context.Context { return l.ctx }

// Valid reports whether the lease is still held as far as this process can tell.
func (l *Lease) Valid() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ctx.Err() == nil && time.Now().Before(l.validUntil)
}

// renew extends the lease every third of its TTL. The lease counts as held until 90% of the
// TTL after the last renewal was sent (Redis started its clock later than that), so this
// process gives the host up before Redis can grant it to anyone else.
func (l *Lease) renew() {
	defer close(l.renewDone)
	ttl := l.w.f.opts.LeaseTTL
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	expire := time.NewTimer(ttl * 9 / 10)
	defer expire.Stop()
	for {
		select {
		case <-l.stopRenew:
			return
		case <-expire.C:
			l.cancel(fmt.Errorf("%w: host %s not renewed within %s", ErrLeaseLost, l.host, ttl*9/10))
			return
		case <-t.C:
			sent := time.Now()
			ctx, cancel := context.WithTimeout(l.ctx, ttl/3)
			ok, err := renewScript.Run(ctx, l.w.f.rdb, []string{l.w.f.leaseKey(l.host)}, l.value, ms(ttl)).Int()
			cancel()
			if err != nil {
				continue // unreachable Redis: try again until the lease's time runs out
			}
			if ok == 0 {
				l.cancel(fmt.Errorf("%w: host %s was taken over", ErrLeaseLost, l.host))
				return
			}
			l.mu.Lock()
			l.validUntil = sent.Add(ttl * 9 / 10)
			l.mu.Unlock()
			expire.Reset(time.Until(l.validUntil))
		}
	}
}

// stopRenewal ends the renewal loop without releasing: Release, and tests that play a worker
// frozen past its lease.
func (l *Lease) stopRenewal() {
	l.stopOnce.Do(func() { close(l.stopRenew) })
	<-l.renewDone
}

// Release gives the host up. Entries claimed and not committed stay pending; whoever takes the
// host next takes them over.
func (l *Lease) Release(ctx context.Context) error {
	l.stopRenewal()
	l.cancel(fmt.Errorf("%w: released", ErrLeaseLost))
	if err := releaseScript.Run(ctx, l.w.f.rdb, []string{l.w.f.leaseKey(l.host)}, l.value).Err(); err != nil {
		return fmt.Errorf("releasing host %s: %w", l.host, err)
	}
	return nil
}

// Claim returns up to n items to fetch from the leased host: first everything left pending by
// earlier holders (taken over with XAUTOCLAIM), then new entries (XREADGROUP). It returns no
// items, and no error, when the host has nothing queued now (items this lease has in flight are
// never handed out twice). It fails with ErrLeaseLost once the
// lease is gone, ErrFenced if another worker holds the host, ErrRunClosed if the run is closed.
func (l *Lease) Claim(ctx context.Context, n int) ([]Work, error) {
	if n <= 0 {
		return nil, nil
	}
	if !l.Valid() {
		return nil, l.lostError()
	}
	f := l.w.f
	byHost, err := f.hostQueues(ctx, l.run, l.sources)
	if err != nil {
		return nil, fmt.Errorf("claiming from %s: %w", l.host, err)
	}
	queues := byHost[l.host]
	if len(queues) == 0 {
		return nil, nil
	}

	l.mu.Lock()
	// Each claim starts with the next queue: with fewer entries asked than the host has queues,
	// every queue gets its turn.
	l.claims++
	rot := l.claims % len(queues)
	queues = slices.Concat(queues[rot:], queues[:rot]) // a copy: byHost is shared
	// The pass at the grant (min idle 0) takes over everything earlier holders left pending;
	// later sweeps take entries idle for ClaimIdle with anyone.
	if l.pass < 0 && time.Since(l.lastSweep) >= f.opts.ClaimIdle {
		l.pass, l.cursors = ms(f.opts.ClaimIdle), map[string]string{}
	}
	minIdle := l.pass
	keys := []string{f.runKey(l.run), f.fenceKey(l.host), f.leaseKey(l.host)}
	args := []any{group, l.w.id, strconv.FormatInt(l.token, 10), l.value, n, minIdle, 1}
	for _, q := range queues {
		keys = append(keys, q.key)
		c, ok := l.cursors[q.key]
		if !ok {
			c = "0-0"
		}
		args = append(args, c)
	}
	l.mu.Unlock()

	r, err := runScript(ctx, f.rdb, claimScript, keys, args...)
	if err != nil {
		return nil, fmt.Errorf("claiming from %s: %w", l.host, err)
	}
	switch r.status() {
	case "closed":
		return nil, closedError(l.run, r.str(1))
	case "fenced":
		l.cancel(fmt.Errorf("%w: host %s is held by %q", ErrFenced, l.host, r.str(1)))
		return nil, fmt.Errorf("claiming from %s: %w", l.host, ErrFenced)
	}
	flat, _ := r[1].([]any)
	cursors, _ := r[2].([]any)

	l.mu.Lock()
	defer l.mu.Unlock()
	done := true
	for i, c := range cursors {
		s, _ := c.(string)
		l.cursors[queues[i].key] = s
		if s != "" {
			done = false
		}
	}
	if l.pass >= 0 && done {
		l.pass, l.lastSweep = -1, time.Now()
	}
	var out []Work
	var bad []error
	for i := 0; i+3 < len(flat); i += 4 {
		qi, _ := flat[i].(int64)
		id, _ := flat[i+1].(string)
		raw, _ := flat[i+2].(string)
		deliveries, _ := flat[i+3].(int64)
		q := queues[qi-1]
		w := Work{ID: id, Deliveries: deliveries, queue: q.key}
		if l.inflight[w.ref()] {
			continue // a sweep re-claimed an entry this lease is still working on
		}
		it, err := decodeItem(raw)
		if err != nil {
			// Only a hand-edited stream holds such an entry; it stays pending and in status.
			bad = append(bad, fmt.Errorf("%w queue entry %s %s: %v", ErrInvalid, q.key, id, err))
			continue
		}
		w.Item = it
		l.inflight[w.ref()] = true
		out = append(out, w)
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("claiming from %s: %w", l.host, errors.Join(bad...))
	}
	return out, nil
}

func (l *Lease) lostError() error {
	if cause := context.Cause(l.ctx); cause != nil {
		return cause
	}
	return fmt.Errorf("%w: host %s not renewed in time", ErrLeaseLost, l.host)
}

// Batch is what a worker commits once the results of some claimed items are durable: their
// records written to a closed and synced Parquet part, their responses to the WARC file, the
// links they yielded.
type Batch struct {
	// Done are claimed items whose outcome is durable: fetched and parsed, or failed for good
	// (the failure itself being part of Meta). They are acknowledged.
	Done []Work
	// Links are the requests the pages yielded; those the run has not seen are queued.
	Links []Item
	// Files are the files the batch wrote, durable.
	Files []File
	// Meta is kept with the commit for the coordinator (failures, page index), JSON.
	Meta json.RawMessage
	// Stats are added to the worker's counters for the run (requests, bytes, records...).
	Stats map[string]int64
	// HostState, JSON, is handed to the host's next lease holder (Lease.HostState): the engine's
	// per-host politeness (last request time, current delay, Retry-After) survives a handoff.
	HostState json.RawMessage
}

// CommitResult tells what a commit did.
type CommitResult struct {
	ID    string // the commit's id
	Done  int64  // entries acknowledged
	Added int64  // links new to the run, queued
}

// Commit registers the batch atomically — one script checks the lease's fencing token, queues the
// new links through the seen set, acknowledges Done and records Files — or rejects it whole
// with ErrFenced (a newer holder took the host: abandon the batch's outputs, stop) or
// ErrRunClosed. A commit whose reply is lost to a network error is resent under the same id
// and reports the first outcome, so a batch is never registered twice. Any other error leaves
// the outcome unknown (Redis unreachable for a whole lease TTL): keep the batch's files — they
// may be registered — and let the lease go; unregistered ones are ignored at sealing.
func (l *Lease) Commit(ctx context.Context, b Batch) (CommitResult, error) {
	f := l.w.f
	l.mu.Lock()
	l.seq++
	id := l.host + "/" + strconv.FormatInt(l.token, 10) + "/" + strconv.Itoa(l.seq)
	l.mu.Unlock()

	c := f.newCommitCall("commit", l.run, l.host)
	c.p.CommitID, c.p.Worker, c.p.Host = id, l.w.id, l.host
	c.p.Token, c.p.Lease = strconv.FormatInt(l.token, 10), l.value
	acks := map[int]int{} // KEYS index → index in c.p.Acks
	seen := map[string]bool{}
	for _, w := range b.Done {
		if w.queue == "" || w.host() != l.host {
			return CommitResult{}, fmt.Errorf("%w commit: item %s was not claimed under the lease of %s", ErrInvalid, w.URL, l.host)
		}
		if seen[w.ref()] {
			continue
		}
		seen[w.ref()] = true
		qi := c.keyIndex(w.queue)
		gi, ok := acks[qi]
		if !ok {
			c.p.Acks = append(c.p.Acks, ackGroup{Q: qi, IDs: []string{}})
			gi = len(c.p.Acks) - 1
			acks[qi] = gi
		}
		c.p.Acks[gi].IDs = append(c.p.Acks[gi].IDs, w.ID)
	}
	for _, it := range b.Links {
		if err := c.addLink(l.run, it); err != nil {
			return CommitResult{}, fmt.Errorf("committing to %s: %w", l.host, err)
		}
	}
	files := b.Files
	if files == nil {
		files = []File{}
	}
	fb, err := json.Marshal(files)
	if err != nil {
		return CommitResult{}, fmt.Errorf("encoding commit files: %w", err)
	}
	c.p.Files = string(fb)
	if len(b.Meta) > 0 {
		if !json.Valid(b.Meta) {
			return CommitResult{}, fmt.Errorf("%w commit meta: not JSON", ErrInvalid)
		}
		c.p.Meta = string(b.Meta)
	}
	if len(b.HostState) > 0 {
		if !json.Valid(b.HostState) {
			return CommitResult{}, fmt.Errorf("%w commit host state: not JSON", ErrInvalid)
		}
		c.p.HostState, c.p.HostStateTTL = string(b.HostState), ms(hostStateTTL)
	}
	for k, v := range b.Stats {
		if !sourceName.MatchString(k) {
			return CommitResult{}, fmt.Errorf("%w commit stat %q: want a lower-case name", ErrInvalid, k)
		}
		c.p.Stats[k] = v
	}

	r, err := l.commitRetrying(ctx, c)
	if err != nil {
		return CommitResult{}, fmt.Errorf("committing to %s: %w", l.host, err)
	}
	switch r.status() {
	case "dup":
		// The first attempt went through; its counts are in the commit log.
	case "closed":
		return CommitResult{}, closedError(l.run, r.str(1))
	case "fenced":
		l.cancel(fmt.Errorf("%w: host %s is held by %q", ErrFenced, l.host, r.str(1)))
		return CommitResult{}, fmt.Errorf("committing to %s: %w (now %q)", l.host, ErrFenced, r.str(1))
	case "unowned":
		l.cancel(fmt.Errorf("%w: entry %s was taken over", ErrFenced, r.str(1)))
		return CommitResult{}, fmt.Errorf("committing to %s: %w: entry %s is no longer this worker's", l.host, ErrFenced, r.str(1))
	}
	l.mu.Lock()
	for ref := range seen {
		delete(l.inflight, ref)
	}
	l.mu.Unlock()
	return CommitResult{ID: id, Done: r.int(2), Added: r.int(3)}, nil
}

// hostStateTTL bounds how long a host's politeness state outlives its last commit: older, it
// says nothing about the site now.
const hostStateTTL = 7 * 24 * time.Hour

// commitRetrying resends a commit whose outcome is unknown (the connection broke) until Redis
// answers, ctx ends, or a lease TTL has passed.
func (l *Lease) commitRetrying(ctx context.Context, c *commitCall) (reply, error) {
	deadline := time.Now().Add(l.w.f.opts.LeaseTTL)
	wait := 50 * time.Millisecond
	for {
		r, err := c.run(ctx)
		if err == nil {
			return r, nil
		}
		var rerr redis.Error
		if errors.As(err, &rerr) && !isLoading(rerr) || ctx.Err() != nil || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// isLoading is the answer of a Redis still reading its AOF after a restart: worth waiting for.
func isLoading(err redis.Error) bool {
	return len(err.Error()) >= 7 && err.Error()[:7] == "LOADING"
}
