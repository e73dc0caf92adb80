package frontier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// payload is commit.lua's argument.
type payload struct {
	Mode     string           `json:"mode"`
	Run      string           `json:"run"`
	Now      int64            `json:"now"`
	CommitID string           `json:"commit_id,omitempty"`
	Worker   string           `json:"worker,omitempty"`
	Host     string           `json:"host,omitempty"`
	Token    string           `json:"token,omitempty"`
	Lease    string           `json:"lease,omitempty"`
	Acks     []ackGroup       `json:"acks"`
	Links    []link           `json:"links"`
	Files    string           `json:"files"`
	Meta     string           `json:"meta"`
	Stats    map[string]int64 `json:"stats"`
	// HostState and its TTL (ms) are kept for the host's next lease holder.
	HostState    string `json:"host_state,omitempty"`
	HostStateTTL int64  `json:"host_state_ttl,omitempty"`
	// Plan is kept in the run's hash when seeding creates it (see Frontier.Begin).
	Plan string `json:"plan,omitempty"`
}

type ackGroup struct {
	Q   int      `json:"q"` // index into KEYS (1-based)
	IDs []string `json:"ids"`
}

type link struct {
	Q    int    `json:"q"`
	Meta string `json:"meta"`
	Key  string `json:"key"`
	Item string `json:"item"`
}

// script builds commit.lua's keys and payload; queue streams are numbered as they are added.
type commitCall struct {
	f    *Frontier
	keys []string
	idx  map[string]int
	p    payload
}

func (f *Frontier) newCommitCall(mode, run, host string) *commitCall {
	fence, lease, state := f.runKey(run), f.runKey(run), f.runKey(run) // unused when seeding
	if host != "" {
		fence, lease, state = f.fenceKey(host), f.leaseKey(host), f.hostStateKey(host)
	}
	return &commitCall{
		f: f,
		keys: []string{f.runsKey(), f.runKey(run), f.queuesKey(run), f.seenKey(run), f.commitsKey(run),
			f.commitIDsKey(run), f.statsKey(run), fence, lease, state},
		idx: map[string]int{},
		p: payload{Mode: mode, Run: run, Now: time.Now().UnixMilli(), Acks: []ackGroup{}, Links: []link{},
			Files: "[]", Meta: "null", Stats: map[string]int64{}},
	}
}

func (c *commitCall) keyIndex(key string) int {
	if i, ok := c.idx[key]; ok {
		return i
	}
	c.keys = append(c.keys, key)
	c.idx[key] = len(c.keys) // Lua's KEYS is 1-based
	return len(c.keys)
}

func (c *commitCall) addLink(run string, it Item) error {
	it, err := it.normalize()
	if err != nil {
		return err
	}
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("encoding item %s: %w", it.URL, err)
	}
	host := it.host()
	c.p.Links = append(c.p.Links, link{
		Q:    c.keyIndex(c.f.queueKey(run, it.Source, host)),
		Meta: queueMeta(it.Source, host),
		Key:  it.Key(),
		Item: string(b),
	})
	return nil
}

func (c *commitCall) run(ctx context.Context) (reply, error) {
	b, err := json.Marshal(c.p)
	if err != nil {
		return nil, fmt.Errorf("encoding commit: %w", err)
	}
	return runScript(ctx, c.f.rdb, commitScript, c.keys, group, string(b))
}

// seedChunk bounds one seeding script: Redis runs nothing else while a script runs.
const seedChunk = 500

// Seed adds items to run's queues, creating the run if needed, and returns how many were new
// (not in the run's seen set). Seeding a sealed or aborted run fails with ErrRunClosed.
func (f *Frontier) Seed(ctx context.Context, run string, items []Item) (int, error) {
	return f.Begin(ctx, run, nil, items)
}

// Begin is Seed that also records the run's plan — what a worker needs to know to crawl it: the
// sources, their sites, the crawl settings, JSON of the caller's making — atomically with the
// first seeds, so a worker that sees the run sees its plan ([Frontier.Plan]). A run's plan is
// set once: seeding it again keeps the first.
func (f *Frontier) Begin(ctx context.Context, run string, plan json.RawMessage, items []Item) (int, error) {
	if err := checkRun(run); err != nil {
		return 0, err
	}
	if len(plan) > 0 && !json.Valid(plan) {
		return 0, fmt.Errorf("%w plan of run %s: not JSON", ErrInvalid, run)
	}
	added := 0
	for start := 0; start == 0 || start < len(items); start += seedChunk {
		c := f.newCommitCall("seed", run, "")
		if start == 0 {
			c.p.Plan = string(plan)
		}
		for _, it := range items[start:min(start+seedChunk, len(items))] {
			if err := c.addLink(run, it); err != nil {
				return added, fmt.Errorf("seeding run %s: %w", run, err)
			}
		}
		r, err := c.run(ctx)
		if err != nil {
			return added, fmt.Errorf("seeding run %s: %w", run, err)
		}
		if r.status() == "closed" {
			return added, closedError(run, r.str(1))
		}
		added += int(r.int(3))
	}
	return added, nil
}

// Progress is a run's state in a few numbers.
type Progress struct {
	State string `json:"state"` // open, sealed or aborted
	// Open counts items queued or pending: the run is complete when it is 0.
	Open   int64 `json:"open"`
	Seeded int64 `json:"seeded"`
	// Lost counts entries deleted from a queue while pending (by hand, never by fhi).
	Lost    int64     `json:"lost"`
	Created time.Time `json:"created"`
}

// Done reports whether every item of the run has been committed.
func (p Progress) Done() bool { return p.State != "" && p.Open == 0 }

// Progress returns the run's counters; ErrRunClosed wraps an unknown run.
func (f *Frontier) Progress(ctx context.Context, run string) (Progress, error) {
	if err := checkRun(run); err != nil {
		return Progress{}, err
	}
	h, err := f.rdb.HGetAll(ctx, f.runKey(run)).Result()
	if err != nil {
		return Progress{}, fmt.Errorf("reading run %s: %w", run, err)
	}
	if len(h) == 0 {
		return Progress{}, closedError(run, "unknown")
	}
	p := Progress{State: h["state"]}
	p.Open, _ = strconv.ParseInt(h["open"], 10, 64)
	p.Seeded, _ = strconv.ParseInt(h["seeded"], 10, 64)
	p.Lost, _ = strconv.ParseInt(h["lost"], 10, 64)
	if c, err := strconv.ParseInt(h["created"], 10, 64); err == nil {
		p.Created = time.UnixMilli(c)
	}
	return p, nil
}

// Plan returns the plan the run was begun with, nil if none; ErrRunClosed wraps an unknown run.
func (f *Frontier) Plan(ctx context.Context, run string) (json.RawMessage, error) {
	if err := checkRun(run); err != nil {
		return nil, err
	}
	v, err := f.rdb.HMGet(ctx, f.runKey(run), "state", "plan").Result()
	if err != nil {
		return nil, fmt.Errorf("reading the plan of run %s: %w", run, err)
	}
	if v[0] == nil {
		return nil, closedError(run, "unknown")
	}
	if s, ok := v[1].(string); ok && s != "" {
		return json.RawMessage(s), nil
	}
	return nil, nil
}

// OpenRuns lists the runs that are open — seeded, not sealed or aborted — oldest first: what a
// long-running worker looks for work in.
func (f *Frontier) OpenRuns(ctx context.Context) ([]string, error) {
	runs, err := f.rdb.SMembers(ctx, f.runsKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	cmds := make([]*redis.SliceCmd, len(runs))
	if _, err := f.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, r := range runs {
			cmds[i] = p.HMGet(ctx, f.runKey(r), "state", "created")
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	type open struct {
		run     string
		created int64
	}
	var out []open
	for i, c := range cmds {
		v := c.Val()
		if len(v) == 2 && v[0] == "open" {
			created, _ := strconv.ParseInt(fmt.Sprint(v[1]), 10, 64)
			out = append(out, open{runs[i], created})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].created < out[j].created || out[i].created == out[j].created && out[i].run < out[j].run
	})
	names := make([]string, len(out))
	for i, o := range out {
		names[i] = o.run
	}
	return names, nil
}

// Wait polls until the run is complete (nothing queued, nothing pending), the run is closed, or
// ctx is done. A Redis that is briefly unreachable (restarting) is waited for.
func (f *Frontier) Wait(ctx context.Context, run string, poll time.Duration) error {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		p, err := f.Progress(ctx, run)
		switch {
		case err == nil && p.State != "open":
			return closedError(run, p.State)
		case err == nil && p.Done():
			return nil
		case errors.Is(err, ErrRunClosed) || errors.Is(err, ErrInvalid):
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// File is one file a batch wrote under the run's temporary partition, durable (closed and
// synced) before the commit names it.
type File struct {
	// Path names the file for the coordinator, slash-separated; fhi's workers give it relative
	// to the lake root that they and the coordinator share.
	Path string `json:"path"`
	// Bytes is the file's durable length: a WARC file appended to across batches is named by
	// each batch with the length it had then; bytes past the last committed length are not
	// part of the run.
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
}

// Commit is a batch registered by a worker whose lease was current.
type Commit struct {
	ID     string          `json:"id"` // worker-chosen: host/token/sequence
	Seq    string          `json:"seq"`
	Time   time.Time       `json:"time"`
	Worker string          `json:"worker"`
	Host   string          `json:"host"`
	Token  int64           `json:"token"`
	Done   int64           `json:"done"`
	Added  int64           `json:"added"`
	Files  []File          `json:"files"`
	Meta   json.RawMessage `json:"meta,omitempty"`
}

// Commits lists the run's registered commits in commit order. Only these batches' files belong
// to the run: a fenced-off or killed worker's files were never registered.
func (f *Frontier) Commits(ctx context.Context, run string) ([]Commit, error) {
	return f.CommitsAfter(ctx, run, "")
}

// CommitsAfter lists the run's registered commits that came after the commit whose Seq is after
// ("" for all): a coordinator follows a run's progress with it.
func (f *Frontier) CommitsAfter(ctx context.Context, run, after string) ([]Commit, error) {
	if err := checkRun(run); err != nil {
		return nil, err
	}
	var out []Commit
	start := "-"
	if after != "" {
		start = "(" + after
	}
	for {
		msgs, err := f.rdb.XRangeN(ctx, f.commitsKey(run), start, "+", 1000).Result()
		if err != nil {
			return nil, fmt.Errorf("reading the commits of run %s: %w", run, err)
		}
		for _, m := range msgs {
			c, err := decodeCommit(m)
			if err != nil {
				return nil, fmt.Errorf("reading the commits of run %s: %w", run, err)
			}
			out = append(out, c)
		}
		if len(msgs) < 1000 {
			return out, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

func decodeCommit(m redis.XMessage) (Commit, error) {
	s := func(k string) string { v, _ := m.Values[k].(string); return v }
	n := func(k string) int64 { v, _ := strconv.ParseInt(s(k), 10, 64); return v }
	c := Commit{ID: s("commit"), Seq: m.ID, Worker: s("worker"), Host: s("host"), Token: n("token"), Done: n("acked"), Added: n("added")}
	if ts, _, ok := strings.Cut(m.ID, "-"); ok {
		if t, err := strconv.ParseInt(ts, 10, 64); err == nil {
			c.Time = time.UnixMilli(t).UTC()
		}
	}
	if err := json.Unmarshal([]byte(s("files")), &c.Files); err != nil {
		return c, fmt.Errorf("commit %s: files: %w", c.ID, err)
	}
	if meta := s("meta"); meta != "" && meta != "null" {
		c.Meta = json.RawMessage(meta)
	}
	return c, nil
}

// Seal closes a complete run to further commits and returns its registered commits: what the
// coordinator merges into the partition. Sealing again returns the same commits (a coordinator
// that crashed before renaming the partition starts over). A run with work left fails with
// ErrNotDone.
func (f *Frontier) Seal(ctx context.Context, run string) ([]Commit, error) {
	if err := checkRun(run); err != nil {
		return nil, err
	}
	retain := ms(f.opts.Retain)
	if retain < 0 {
		retain = 0
	}
	r, err := runScript(ctx, f.rdb, sealScript,
		[]string{f.runKey(run), f.queuesKey(run), f.seenKey(run), f.commitsKey(run), f.commitIDsKey(run), f.statsKey(run)},
		retain, time.Now().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("sealing run %s: %w", run, err)
	}
	switch r.status() {
	case "closed":
		return nil, closedError(run, r.str(1))
	case "busy":
		return nil, fmt.Errorf("sealing run %s: %w: %s items queued or pending", run, ErrNotDone, r.str(1))
	}
	return f.Commits(ctx, run)
}

// tombstone is how long an aborted run's hash stays, so late workers learn why they stop.
const tombstone = 24 * time.Hour

// Abort gives the run up: its queues, seen set and commits are deleted, leases held for it are
// released, and workers' next claims and commits fail with ErrRunClosed. A sealed run cannot be
// aborted.
func (f *Frontier) Abort(ctx context.Context, run string) error {
	if err := checkRun(run); err != nil {
		return err
	}
	meta, err := f.rdb.HVals(ctx, f.queuesKey(run)).Result()
	if err != nil {
		return fmt.Errorf("aborting run %s: %w", run, err)
	}
	keys := []string{f.runKey(run), f.queuesKey(run), f.seenKey(run), f.commitsKey(run), f.commitIDsKey(run), f.statsKey(run)}
	hosts := map[string]bool{}
	for _, m := range meta {
		if _, h := parseQueueMeta(m); !hosts[h] {
			hosts[h] = true
			keys = append(keys, f.leaseKey(h))
		}
	}
	r, err := runScript(ctx, f.rdb, abortScript, keys, run, ms(tombstone), time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("aborting run %s: %w", run, err)
	}
	if r.status() == "closed" {
		return closedError(run, r.str(1))
	}
	return nil
}
