package frontier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/google/go-cmp/cmp"
)

// acquireSoon retries until w gets a lease (the previous holder's must lapse first).
func acquireSoon(t *testing.T, w *Worker, run string, within time.Duration) *Lease {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		l, err := w.Acquire(t.Context(), run)
		if err == nil {
			return l
		}
		if !errors.Is(err, ErrNoWork) || time.Now().After(deadline) {
			t.Fatalf("%s: Acquire: %v", w.ID(), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func urls(ws []Work) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.URL)
	}
	sort.Strings(out)
	return out
}

func seedPages(t *testing.T, f *Frontier, run string, n int) []string {
	t.Helper()
	var its []Item
	var want []string
	for i := range n {
		u := fmt.Sprintf("http://a.test/p/%02d", i)
		its = append(its, Item{Source: "src", URL: u})
		want = append(want, u)
	}
	if _, err := f.Seed(t.Context(), run, its); err != nil {
		t.Fatal(err)
	}
	return want
}

// A worker that dies mid-batch (SIGKILL: no release, no renewal) leaves its claimed entries
// pending; the next holder of the host takes them over with XAUTOCLAIM and nothing is lost.
func TestDeadWorkersEntriesAreTakenOver(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	const ttl = 400 * time.Millisecond
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: ttl})
	ctx := t.Context()
	want := seedPages(t, f, "r", 10)

	a := acquireSoon(t, newWorker(t, f, "a"), "r", time.Second)
	claimed, err := a.Claim(ctx, 6)
	if err != nil || len(claimed) != 6 {
		t.Fatalf("a claims: %d, %v", len(claimed), err)
	}
	if _, err := a.Commit(ctx, Batch{Done: claimed[:2], Meta: mustJSON(batchMeta{Pages: urls(claimed[:2])}),
		HostState: json.RawMessage(`{"delay_ms":1500}`)}); err != nil {
		t.Fatal(err)
	}
	a.stopRenewal() // a dies holding four entries

	b := newWorker(t, f, "b")
	if _, err := b.Acquire(ctx, "r"); !errors.Is(err, ErrNoWork) {
		t.Fatalf("b's Acquire while a's lease runs: got %v, want ErrNoWork", err)
	}
	start := time.Now()
	lb := acquireSoon(t, b, "r", 5*ttl)
	if waited := time.Since(start); waited < ttl/2 {
		t.Errorf("b got the host after %s, before a's lease (%s) could lapse", waited, ttl)
	}
	if got := string(lb.HostState()); got != `{"delay_ms":1500}` {
		t.Errorf("b's host state %q, want the one a committed", got)
	}
	if lb.Token() <= a.Token() {
		t.Errorf("b's token %d not above a's %d", lb.Token(), a.Token())
	}
	first, err := lb.Claim(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(urls(claimed[2:]), urls(first)); diff != "" {
		t.Errorf("b's first claim is not a's unfinished entries (-want +got):\n%s", diff)
	}
	for _, w := range first {
		if w.Deliveries != 2 {
			t.Errorf("%s delivered %d times, want 2 (a, then b)", w.URL, w.Deliveries)
		}
	}
	rest, err := lb.Claim(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	all := append(first, rest...)
	if _, err := lb.Commit(ctx, Batch{Done: all, Meta: mustJSON(batchMeta{Pages: urls(all)})}); err != nil {
		t.Fatalf("b commits: %v", err)
	}
	commits, err := f.Seal(ctx, "r")
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if diff := cmp.Diff(want, committedPages(t, commits)); diff != "" {
		t.Errorf("committed pages (-want +got):\n%s", diff)
	}
}

// A worker frozen past its lease (a GC pause, SIGSTOP, a VM migration) wakes up believing it
// still holds the host. Its claims and its late commit are refused by the fence, and what it had
// claimed is redone by the worker that took over; its files are never sealed.
func TestPausedWorkerIsFencedOff(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	const ttl = 400 * time.Millisecond
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: ttl})
	ctx := t.Context()
	want := seedPages(t, f, "r", 8)

	a := acquireSoon(t, newWorker(t, f, "a"), "r", time.Second)
	held, err := a.Claim(ctx, 5)
	if err != nil || len(held) != 5 {
		t.Fatalf("a claims: %d, %v", len(held), err)
	}
	a.stopRenewal() // frozen: no renewals from here on

	lb := acquireSoon(t, newWorker(t, f, "b"), "r", 5*ttl)
	for {
		got, err := lb.Claim(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		if _, err := lb.Commit(ctx, Batch{Done: got, Files: []File{{Path: "b.parquet", Bytes: 1}}, Meta: mustJSON(batchMeta{Pages: urls(got)})}); err != nil {
			t.Fatalf("b commits: %v", err)
		}
	}

	if err := lb.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// a resumes before its own renewal loop could tell it the lease is gone. Nobody holds the
	// host now: only the fencing token tells a's lease from a current one.
	a.mu.Lock()
	a.validUntil = time.Now().Add(time.Hour)
	a.mu.Unlock()
	if _, err := a.Claim(ctx, 5); !errors.Is(err, ErrFenced) {
		t.Errorf("a's claim after the takeover: got %v, want ErrFenced", err)
	}
	// A batch of links and files alone acknowledges nothing b now owns: only the fence stops it.
	_, err = a.Commit(ctx, Batch{Links: []Item{{Source: "src", URL: "http://a.test/from-a"}}, Files: []File{{Path: "a-links.parquet", Bytes: 1}}})
	if !errors.Is(err, ErrFenced) {
		t.Errorf("a's late commit of links and files: got %v, want ErrFenced", err)
	}
	_, err = a.Commit(ctx, Batch{Done: held, Files: []File{{Path: "a-late.parquet", Bytes: 1}}, Meta: mustJSON(batchMeta{Pages: urls(held)})})
	if !errors.Is(err, ErrFenced) {
		t.Errorf("a's late commit: got %v, want ErrFenced", err)
	}
	if a.Context().Err() == nil {
		t.Error("a's lease context still live after it was fenced off")
	}
	commits, err := f.Seal(ctx, "r")
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if diff := cmp.Diff(want, committedPages(t, commits)); diff != "" {
		t.Errorf("committed pages (-want +got):\n%s", diff)
	}
	for _, c := range commits {
		if c.Worker != "b" || c.Files[0].Path != "b.parquet" {
			t.Errorf("sealed commit %s by %s with %v, want only b's", c.ID, c.Worker, c.Files)
		}
	}
}

// A lease that lapsed while nobody else took the host is still good for a commit: no newer
// token exists, so nobody else can have done the work.
func TestLapsedLeaseNobodyTookStillCommits(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	const ttl = 300 * time.Millisecond
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: ttl})
	ctx := t.Context()
	seedPages(t, f, "r", 3)
	a := acquireSoon(t, newWorker(t, f, "a"), "r", time.Second)
	held, err := a.Claim(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	a.stopRenewal()
	time.Sleep(2 * ttl)
	if _, err := a.Claim(ctx, 1); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("claim on a lapsed lease: got %v, want ErrLeaseLost (fetching must stop)", err)
	}
	if _, err := a.Commit(ctx, Batch{Done: held}); err != nil {
		t.Errorf("commit on a lapsed lease nobody took: %v", err)
	}
	if p, _ := f.Progress(ctx, "r"); !p.Done() {
		t.Errorf("progress %+v, want done", p)
	}
}

// redis-server killed with SIGKILL mid-crawl and restarted from its append-only file: every
// commit acknowledged before the crash is still there, and the crawl completes exactly once.
func TestRedisRestartFromAOF(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts redis-server; skipped with -short")
	}
	srv := frontiertest.Start(t, frontiertest.Options{AOF: true})
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: time.Second})
	site := crawlSite{hosts: []string{"a.test", "b.test", "c.test"}, max: 300}
	if _, err := f.Seed(t.Context(), "r", site.seeds()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	fetched := 0
	o := crawlOpts{workers: 3, batch: 5, transient: true, fetch: func(string, int64, Work) {
		time.Sleep(time.Millisecond)
		mu.Lock()
		fetched++
		mu.Unlock()
	}}
	done := make(chan struct{})
	go func() { defer close(done); crawl(t, f, "r", site, o) }()

	for {
		mu.Lock()
		n := fetched
		mu.Unlock()
		if n >= 150 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	before, err := f.Commits(t.Context(), "r")
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	time.Sleep(1500 * time.Millisecond) // longer than a lease: every lease lapses
	srv.Restart()
	<-done

	commits, err := f.Seal(t.Context(), "r")
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	ids := map[string]bool{}
	for _, c := range commits {
		ids[c.ID] = true
	}
	for _, c := range before {
		if !ids[c.ID] {
			t.Errorf("commit %s, acknowledged before the crash, is gone after the restart", c.ID)
		}
	}
	if len(before) == 0 || len(commits) <= len(before) {
		t.Errorf("%d commits before the crash, %d in all: want some on each side", len(before), len(commits))
	}
	if diff := cmp.Diff(site.pages(), committedPages(t, commits)); diff != "" {
		t.Errorf("committed pages (-want +got):\n%s", diff)
	}
}

// Many workers, few hosts, leases changing hands after every few batches: no two workers ever
// fetch from one host at the same time, and each host's fetches carry ever-larger tokens.
func TestHostLeaseHeldByOneWorkerAtATime(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: 2 * time.Second})
	site := crawlSite{hosts: []string{"a.test", "b.test", "c.test"}, max: 200}
	if testing.Short() {
		site.max = 60
	}
	if _, err := f.Seed(t.Context(), "r", site.seeds()); err != nil {
		t.Fatal(err)
	}
	type state struct {
		busy   string // worker fetching now
		token  int64  // the newest token seen fetching
		tokens map[int64]bool
	}
	var mu sync.Mutex
	hosts := map[string]*state{}
	var overlaps, stale []string
	fetch := func(worker string, token int64, it Work) {
		h := it.host()
		mu.Lock()
		s := hosts[h]
		if s == nil {
			s = &state{tokens: map[int64]bool{}}
			hosts[h] = s
		}
		if s.busy != "" {
			overlaps = append(overlaps, fmt.Sprintf("%s fetched %s while %s was fetching from it", worker, h, s.busy))
		}
		if token < s.token {
			stale = append(stale, fmt.Sprintf("%s fetched %s with token %d after token %d", worker, h, token, s.token))
		}
		s.busy, s.token, s.tokens[token] = worker, token, true
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		s.busy = ""
		mu.Unlock()
	}
	crawl(t, f, "r", site, crawlOpts{workers: 16, batch: 4, releaseEvery: 3, fetch: fetch})
	for _, o := range append(overlaps, stale...) {
		t.Error(o)
	}
	for h, s := range hosts {
		if len(s.tokens) < 5 {
			t.Errorf("host %s changed hands %d times; the test wants many handoffs", h, len(s.tokens))
		}
	}
	commits, err := f.Seal(t.Context(), "r")
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if diff := cmp.Diff(site.pages(), committedPages(t, commits)); diff != "" {
		t.Errorf("committed pages (-want +got):\n%s", diff)
	}
	workers := map[string]bool{}
	for _, c := range commits {
		workers[c.Worker] = true
	}
	if len(workers) < 3 {
		t.Errorf("only %d workers committed; want the work spread", len(workers))
	}
}

// A commit whose reply is lost is resent under the same id and reports the first outcome.
func TestCommitIsIdempotent(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t"})
	ctx := context.Background()
	seedPages(t, f, "r", 2)
	l := acquireSoon(t, newWorker(t, f, "a"), "r", time.Second)
	got, _ := l.Claim(ctx, 2)
	c := f.newCommitCall("commit", "r", l.Host())
	c.p.CommitID, c.p.Worker, c.p.Host, c.p.Token, c.p.Lease = "a.test/1/1", "a", "a.test", "1", l.value
	c.p.Acks = []ackGroup{{Q: c.keyIndex(got[0].queue), IDs: []string{got[0].ID, got[1].ID}}}
	for i := range 2 {
		r, err := c.run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"ok", "dup"}[i]; r.status() != want {
			t.Errorf("attempt %d: %v, want %s", i+1, r, want)
		}
	}
	if n, _ := f.rdb.XLen(ctx, f.commitsKey("r")).Result(); n != 1 {
		t.Errorf("%d commits registered, want 1", n)
	}
}
