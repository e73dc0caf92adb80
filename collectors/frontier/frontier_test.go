package frontier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/google/go-cmp/cmp"
)

func openFrontier(t testing.TB, srv *frontiertest.Server, opts Options) *Frontier {
	t.Helper()
	f, err := Open(context.Background(), srv.URL(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func newWorker(t testing.TB, f *Frontier, id string) *Worker {
	t.Helper()
	w, err := f.NewWorker(context.Background(), id)
	if err != nil {
		t.Fatalf("NewWorker(%s): %v", id, err)
	}
	t.Cleanup(func() { w.Close(context.Background()) })
	return w
}

func TestSeedIsExactAndDeduplicates(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t"})
	ctx := t.Context()
	get := func(u string) Item { return Item{Source: "p2p", URL: u} }
	tests := []struct {
		name  string
		items []Item
		added int
	}{
		{"new pages", []Item{get("http://a.test/list?page=1"), get("http://a.test/list?page=2")}, 2},
		{"same URL again", []Item{get("http://a.test/list?page=1")}, 0},
		{"same URL twice in one call", []Item{get("http://a.test/x"), get("http://a.test/x")}, 1},
		{"fragment, host case and default port do not make a new URL", []Item{get("HTTP://A.test:80/x#top")}, 0},
		{"query order does", []Item{get("http://a.test/list?b=1&a=2"), get("http://a.test/list?a=2&b=1")}, 2},
		{"another method is another request", []Item{{Source: "p2p", URL: "http://a.test/x", Method: "post"}}, 1},
		{"a POST body is part of the identity", []Item{
			{Source: "p2p", URL: "http://a.test/x", Method: "POST", Body: []byte("page=2")},
			{Source: "p2p", URL: "http://a.test/x", Method: "POST", Body: []byte("page=2")},
			{Source: "p2p", URL: "http://a.test/x", Method: "POST", Body: []byte("page=3")}}, 2},
		{"another source keeps its own seen set", []Item{{Source: "jobs", URL: "http://a.test/x"}}, 1},
		{"URLs that differ by one character stay apart (no Bloom filter)", func() []Item {
			var its []Item
			for i := range 2000 {
				its = append(its, get(fmt.Sprintf("http://b.test/company/%d", i)))
			}
			return its
		}(), 2000},
	}
	want := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Seed(ctx, "run1", tt.items)
			if err != nil {
				t.Fatalf("Seed: %v", err)
			}
			if got != tt.added {
				t.Errorf("added %d, want %d", got, tt.added)
			}
		})
		want += tt.added
	}
	st, err := f.RunStatus(ctx, "run1")
	if err != nil {
		t.Fatal(err)
	}
	if st.Seen != int64(want) || st.Open != int64(want) || st.Queued != int64(want) || st.Seeded != int64(want) {
		t.Errorf("status seen=%d open=%d queued=%d seeded=%d, want all %d", st.Seen, st.Open, st.Queued, st.Seeded, want)
	}
	hosts := map[string]bool{}
	for _, q := range st.Queues {
		hosts[q.Source+" "+q.Host] = true
	}
	if diff := cmp.Diff(map[string]bool{"p2p a.test": true, "p2p b.test": true, "jobs a.test": true}, hosts); diff != "" {
		t.Errorf("queues (-want +got):\n%s", diff)
	}
}

func TestSeedRejectsBadItems(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t"})
	tests := []struct {
		name string
		run  string
		item Item
		want string
	}{
		{"relative URL", "r", Item{Source: "p2p", URL: "/list"}, "absolute http(s) URL"},
		{"ftp", "r", Item{Source: "p2p", URL: "ftp://a.test/x"}, "absolute http(s) URL"},
		{"user info", "r", Item{Source: "p2p", URL: "http://u:secret@a.test/x"}, "without user info"},
		{"source name", "r", Item{Source: "P2P Loans", URL: "http://a.test/x"}, "not a source name"},
		{"credentials in a header", "r", Item{Source: "p2p", URL: "http://a.test/x", Header: map[string][]string{"Cookie": {"sid=1"}}}, "header Cookie carries credentials"},
		{"run id with a space", "run 1", Item{Source: "p2p", URL: "http://a.test/x"}, "run id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.Seed(t.Context(), tt.run, []Item{tt.item})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Seed: got %v, want ErrInvalid mentioning %q", err, tt.want)
			}
			if strings.Contains(fmt.Sprint(err), "secret") {
				t.Errorf("error shows the URL's password: %v", err)
			}
		})
	}
}

func TestClaimCommitAck(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: 5 * time.Second})
	ctx := t.Context()
	if _, err := f.Seed(ctx, "r", []Item{
		{Source: "p2p", URL: "http://a.test/1"}, {Source: "p2p", URL: "http://a.test/2"}, {Source: "p2p", URL: "http://a.test/3"},
	}); err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, f, "w1")
	l, err := w.Acquire(ctx, "r")
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	if l.Host() != "a.test" || l.Token() != 1 {
		t.Errorf("lease host %s token %d, want a.test 1", l.Host(), l.Token())
	}
	if _, err := newWorker(t, f, "w2").Acquire(ctx, "r"); !errors.Is(err, ErrNoWork) {
		t.Errorf("second worker's Acquire while the host is leased: got %v, want ErrNoWork", err)
	}
	got, err := l.Claim(ctx, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("Claim: %d items, %v; want 3", len(got), err)
	}
	if again, err := l.Claim(ctx, 10); err != nil || len(again) != 0 {
		t.Fatalf("second Claim: %d items, %v; want none (all three are in flight)", len(again), err)
	}
	res, err := l.Commit(ctx, Batch{
		Done:  got[:2],
		Links: []Item{{Source: "p2p", URL: "http://a.test/3"}, {Source: "p2p", URL: "http://a.test/4", Parent: got[0].URL, Depth: 1}},
		Files: []File{{Path: "part-w1-0001.parquet", Bytes: 1234}, {Path: "w1.warc.gz", Bytes: 9000}},
		Meta:  json.RawMessage(`{"records":7}`),
		Stats: map[string]int64{"records": 7, "requests": 2},
	})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if res.Done != 2 || res.Added != 1 {
		t.Errorf("commit acknowledged %d and added %d, want 2 and 1 (a.test/3 was seen)", res.Done, res.Added)
	}
	if p, _ := f.Progress(ctx, "r"); p.Open != 2 || p.Done() {
		t.Errorf("open = %d (done %v), want 2: a.test/3 pending, a.test/4 queued", p.Open, p.Done())
	}
	if _, err := f.Seal(ctx, "r"); !errors.Is(err, ErrNotDone) {
		t.Errorf("Seal with work left: got %v, want ErrNotDone", err)
	}
	next, err := l.Claim(ctx, 10)
	if err != nil || len(next) != 1 || next[0].URL != "http://a.test/4" || next[0].Parent != "http://a.test/1" || next[0].Depth != 1 {
		t.Fatalf("Claim after commit: %+v, %v; want a.test/4 with its parent", next, err)
	}
	if _, err := l.Commit(ctx, Batch{Done: append(next, got[2]), Files: []File{{Path: "part-w1-0002.parquet", Bytes: 99}}}); err != nil {
		t.Fatalf("second Commit: %v", err)
	}
	if p, _ := f.Progress(ctx, "r"); !p.Done() {
		t.Errorf("progress %+v, want done", p)
	}
	st, err := f.RunStatus(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if st.Queued != 0 || st.Pending != 0 || st.Commits != 2 || len(st.Leases) != 1 || st.Leases[0].Worker != "w1" {
		t.Errorf("status %+v, want nothing queued or pending, 2 commits, w1 leasing", st)
	}
	if diff := cmp.Diff([]WorkerCounts{{Worker: "w1", Counts: map[string]int64{"commits": 2, "done": 4, "added": 1, "records": 7, "requests": 2}}}, st.Workers); diff != "" {
		t.Errorf("worker counters (-want +got):\n%s", diff)
	}
	commits, err := f.Seal(ctx, "r")
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	var files []string
	for _, c := range commits {
		for _, fl := range c.Files {
			files = append(files, fl.Path)
		}
	}
	if diff := cmp.Diff([]string{"part-w1-0001.parquet", "w1.warc.gz", "part-w1-0002.parquet"}, files); diff != "" {
		t.Errorf("sealed files (-want +got):\n%s", diff)
	}
	if string(commits[0].Meta) != `{"records":7}` || commits[0].Worker != "w1" || commits[0].Token != 1 {
		t.Errorf("first commit %+v, want w1's with its meta", commits[0])
	}
	if again, err := f.Seal(ctx, "r"); err != nil || len(again) != 2 {
		t.Errorf("sealing again: %d commits, %v; want the same 2", len(again), err)
	}
	if _, err := l.Commit(ctx, Batch{Files: []File{{Path: "late.parquet"}}}); !errors.Is(err, ErrRunClosed) {
		t.Errorf("commit after seal: got %v, want ErrRunClosed", err)
	}
	if _, err := f.Seed(ctx, "r", []Item{{Source: "p2p", URL: "http://a.test/9"}}); !errors.Is(err, ErrRunClosed) {
		t.Errorf("seeding a sealed run: got %v, want ErrRunClosed", err)
	}
}

func TestCommitRejectsItemsOfAnotherLease(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t"})
	ctx := t.Context()
	if _, err := f.Seed(ctx, "r", []Item{{Source: "p2p", URL: "http://a.test/1"}}); err != nil {
		t.Fatal(err)
	}
	l, err := newWorker(t, f, "w1").Acquire(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	forged := Work{Item: Item{Source: "p2p", URL: "http://a.test/1"}, ID: "0-1"}
	if _, err := l.Commit(ctx, Batch{Done: []Work{forged}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("committing an unclaimed item: got %v, want ErrInvalid", err)
	}
	got, _ := l.Claim(ctx, 1)
	forged.queue = got[0].queue
	if _, err := l.Commit(ctx, Batch{Done: []Work{forged}}); !errors.Is(err, ErrFenced) {
		t.Errorf("committing an id nobody claimed: got %v, want ErrFenced (not this worker's)", err)
	}
}

func TestAbort(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t"})
	ctx := t.Context()
	if _, err := f.Seed(ctx, "r", []Item{{Source: "p2p", URL: "http://a.test/1"}, {Source: "p2p", URL: "http://b.test/1"}}); err != nil {
		t.Fatal(err)
	}
	l, err := newWorker(t, f, "w1").Acquire(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	work, _ := l.Claim(ctx, 1)
	if err := f.Abort(ctx, "r"); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if _, err := l.Commit(ctx, Batch{Done: work}); !errors.Is(err, ErrRunClosed) {
		t.Errorf("commit after abort: got %v, want ErrRunClosed", err)
	}
	if _, err := newWorker(t, f, "w2").Acquire(ctx, "r"); !errors.Is(err, ErrRunClosed) {
		t.Errorf("acquire after abort: got %v, want ErrRunClosed", err)
	}
	if n, _ := f.rdb.Exists(ctx, f.leaseKey(l.Host()), f.seenKey("r"), f.queuesKey("r")).Result(); n != 0 {
		t.Errorf("%d of the run's lease, seen set and queues remain after abort, want 0", n)
	}
	if p, err := f.Progress(ctx, "r"); err != nil || p.State != "aborted" {
		t.Errorf("progress after abort: %+v, %v; want the aborted tombstone", p, err)
	}
	if _, err := f.Seal(ctx, "r"); !errors.Is(err, ErrRunClosed) {
		t.Errorf("sealing an aborted run: got %v, want ErrRunClosed", err)
	}
}

func TestCredentialsNeverShown(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{Password: "s3cret-pw"})
	ctx := t.Context()
	addr := srv.Addr()

	f, err := Open(ctx, srv.URL(), Options{})
	if err != nil {
		t.Fatalf("Open with the password in the URL: %v", err)
	}
	if s := f.String(); strings.Contains(s, "s3cret-pw") || !strings.Contains(s, addr) {
		t.Errorf("String() = %q, want the address without the password", s)
	}
	f.Close()

	env := map[string]string{EnvPassword: "s3cret-pw"}
	f, err = Open(ctx, "redis://"+addr+"/0", Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatalf("Open with the password from $%s: %v", EnvPassword, err)
	}
	f.Close()

	for _, u := range []string{"redis://:wrong-s3cret@" + addr + "/0", "redis://:s3cret-pw@" + addr + "/x", "redis://:s3cret-pw@[::1/0", "redis://:s3cret-pw@" + addr + "/0?dial_timeout=zz"} {
		_, err := Open(ctx, u, Options{})
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", u)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open's error shows the password: %v", err)
		}
	}
}

// crawlSite is a small site graph per host: page n links to 2n+1 and 2n+2 below max, and back
// to its parent (a duplicate). A correct crawl of it commits every page exactly once.
type crawlSite struct {
	hosts []string
	max   int
}

func (s crawlSite) seeds() []Item {
	var its []Item
	for _, h := range s.hosts {
		its = append(its, Item{Source: "src", URL: "http://" + h + "/p/0"})
	}
	return its
}

func (s crawlSite) links(it Item) []Item {
	var n int
	fmt.Sscanf(it.URL[strings.LastIndex(it.URL, "/")+1:], "%d", &n)
	host := it.host()
	var out []Item
	for _, c := range []int{2*n + 1, 2*n + 2, (n - 1) / 2} {
		if c < s.max {
			out = append(out, Item{Source: "src", URL: fmt.Sprintf("http://%s/p/%d", host, c), Parent: it.URL, Depth: it.Depth + 1})
		}
	}
	return out
}

func (s crawlSite) pages() []string {
	var out []string
	for _, h := range s.hosts {
		for n := range s.max {
			out = append(out, fmt.Sprintf("http://%s/p/%d", h, n))
		}
	}
	sort.Strings(out)
	return out
}

// batchMeta is what the test workers keep with a commit: the pages the batch "recorded".
type batchMeta struct {
	Pages []string `json:"pages"`
}

// committedPages reads the sealed commits' pages, sorted, duplicates kept.
func committedPages(t *testing.T, commits []Commit) []string {
	t.Helper()
	var out []string
	for _, c := range commits {
		var m batchMeta
		if err := json.Unmarshal(c.Meta, &m); err != nil {
			t.Fatalf("commit %s meta: %v", c.ID, err)
		}
		out = append(out, m.Pages...)
	}
	sort.Strings(out)
	return out
}

// crawlOpts shape the test workers.
type crawlOpts struct {
	workers, batch int
	// releaseEvery makes a worker give its host up after so many commits, so leases change
	// hands often.
	releaseEvery int
	// fetch sees every item before it is committed, with the worker and the lease's token.
	fetch func(worker string, token int64, it Work)
	// transient: errors other than a lost lease or a closed run (Redis restarting) are retried.
	transient bool
}

// work runs one lease: claim, "fetch", commit, until the host has nothing left, the lease is
// lost, or releaseEvery commits were made.
func work(ctx context.Context, l *Lease, wid string, site crawlSite, o crawlOpts) error {
	for commits := 0; ; commits++ {
		if o.releaseEvery > 0 && commits == o.releaseEvery {
			return l.Release(ctx)
		}
		items, err := l.Claim(ctx, o.batch)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return l.Release(ctx)
		}
		var b Batch
		var m batchMeta
		for _, it := range items {
			if !l.Valid() {
				return ErrLeaseLost
			}
			if o.fetch != nil {
				o.fetch(wid, l.Token(), it)
			}
			m.Pages = append(m.Pages, it.URL)
			b.Links = append(b.Links, site.links(it.Item)...)
		}
		b.Done, b.Meta = items, mustJSON(m)
		if _, err := l.Commit(ctx, b); err != nil {
			return err
		}
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// crawl runs workers until the run is complete, each goroutine taking host after host.
func crawl(t *testing.T, f *Frontier, run string, site crawlSite, o crawlOpts) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, o.workers)
	for i := range o.workers {
		w := newWorker(t, f, fmt.Sprintf("w%d", i))
		wg.Go(func() {
			for ctx.Err() == nil {
				l, err := w.Acquire(ctx, run)
				if err == nil {
					err = work(ctx, l, w.ID(), site, o)
					if err != nil {
						_ = l.Release(ctx)
					}
					if errors.Is(err, ErrLeaseLost) || errors.Is(err, ErrFenced) {
						err = nil
					}
				}
				switch {
				case errors.Is(err, ErrNoWork):
					if p, perr := f.Progress(ctx, run); perr == nil && p.Done() {
						return
					}
					time.Sleep(5 * time.Millisecond)
				case err != nil && o.transient && !errors.Is(err, ErrRunClosed) && !errors.Is(err, ErrInvalid):
					time.Sleep(20 * time.Millisecond)
				case err != nil:
					if ctx.Err() == nil {
						errs <- fmt.Errorf("%s: %w", w.ID(), err)
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("crawl did not finish: %v", ctx.Err())
	}
}

func TestCrawlCompletesExactlyOnce(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: 3 * time.Second})
	site := crawlSite{hosts: []string{"a.test", "b.test", "c.test:8080"}, max: 200}
	if _, err := f.Seed(t.Context(), "r", site.seeds()); err != nil {
		t.Fatal(err)
	}
	crawl(t, f, "r", site, crawlOpts{workers: 4, batch: 7})
	commits, err := f.Seal(t.Context(), "r")
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if diff := cmp.Diff(site.pages(), committedPages(t, commits)); diff != "" {
		t.Errorf("committed pages (-want +got):\n%s", diff)
	}
}

func TestOpenRefusesAnEvictingRedis(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{})
	if err := f.rdb.ConfigSet(t.Context(), "maxmemory-policy", "allkeys-lru").Err(); err != nil {
		t.Fatal(err)
	}
	_, err := Open(t.Context(), srv.URL(), Options{})
	if err == nil || !strings.Contains(err.Error(), "noeviction") {
		t.Errorf("Open on an allkeys-lru Redis: got %v, want an error asking for noeviction", err)
	}
}

func TestStatusListsWorkersLeasesAndRuns(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t"})
	ctx := t.Context()
	for _, run := range []string{"r1", "r2"} {
		if _, err := f.Seed(ctx, run, []Item{{Source: "p2p", URL: "http://a.test/1"}, {Source: "jobs", URL: "http://b.test/1"}}); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorker(t, f, "w1")
	newWorker(t, f, "w2")
	l, err := w.Acquire(ctx, "r1", "jobs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Claim(ctx, 1); err != nil {
		t.Fatal(err)
	}
	st, err := f.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var workers, runs []string
	for _, ws := range st.Workers {
		workers = append(workers, ws.ID)
		if ws.PID == 0 || ws.Seen.IsZero() {
			t.Errorf("worker %+v lacks its pid or heartbeat", ws)
		}
	}
	for _, rs := range st.Runs {
		runs = append(runs, rs.Run)
	}
	sort.Strings(workers)
	if diff := cmp.Diff([]string{"w1", "w2"}, workers); diff != "" {
		t.Errorf("workers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"r1", "r2"}, runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	r1 := st.Runs[0]
	want := []QueueStatus{{Source: "jobs", Host: "b.test", Pending: 1}, {Source: "p2p", Host: "a.test", Queued: 1}}
	if diff := cmp.Diff(want, r1.Queues); diff != "" {
		t.Errorf("r1 queues (-want +got):\n%s", diff)
	}
	if len(r1.Leases) != 1 || r1.Leases[0].Host != "b.test" || r1.Leases[0].Worker != "w1" || r1.Leases[0].TTL <= 0 {
		t.Errorf("r1 leases %+v, want w1 on b.test with time left", r1.Leases)
	}
	if r1.Queued != 1 || r1.Pending != 1 || r1.Open != 2 || r1.Seen != 2 {
		t.Errorf("r1 queued=%d pending=%d open=%d seen=%d, want 1 1 2 2", r1.Queued, r1.Pending, r1.Open, r1.Seen)
	}
	if err := f.Abort(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.RunStatus(ctx, "r2"); rs.State != "aborted" {
		t.Errorf("r2 state %q after abort, want aborted", rs.State)
	}
	if rs, _ := f.RunStatus(ctx, "r1"); len(rs.Leases) != 1 {
		t.Errorf("aborting r2 touched r1's lease: %+v", rs.Leases)
	}
}
