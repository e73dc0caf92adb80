package pipelines

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier"
	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// The test binary doubles as a worker process of a distributed crawl: TestMain runs
// workerProcess when this variable names the worker.
const workerProcessEnv = "FHI_PIPELINES_TEST_WORKER"

func TestMain(m *testing.M) {
	if id := os.Getenv(workerProcessEnv); id != "" {
		os.Exit(workerProcess(id))
	}
	os.Exit(m.Run())
}

// workerProcess is `fhi worker --run RUN` as a test process: it crawls the run from the lake
// and frontier its environment names, printing what it does, until the run is complete.
func workerProcess(id string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ttl, _ := time.ParseDuration(os.Getenv("FHI_TEST_LEASE_TTL"))
	f, err := frontier.Open(ctx, os.Getenv("FHI_TEST_FRONTIER"), frontier.Options{Prefix: "t", LeaseTTL: ttl})
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	defer f.Close()
	lake, err := OpenLakeReadOnly(os.Getenv("FHI_TEST_LAKE"))
	if err != nil {
		fmt.Println("lake:", err)
		return 1
	}
	var mu sync.Mutex
	slots, err := strconv.Atoi(os.Getenv("FHI_TEST_SLOTS"))
	if err != nil {
		slots = 2
	}
	rep, err := lake.Work(ctx, f, WorkerOptions{ID: id, Run: os.Getenv("FHI_TEST_RUN"), Concurrency: slots, Poll: 20 * time.Millisecond, Trace: func(string, ...any) {},
		Log: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Printf(format+"\n", args...)
		}})
	if err != nil {
		fmt.Println("work:", err)
		return 1
	}
	b, _ := json.Marshal(rep)
	fmt.Printf("report %s\n", b)
	return 0
}

type testWorker struct {
	id    string
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	exit  chan error
}

func (p *testWorker) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

func startTestWorker(t testing.TB, id, lake, frontierURL, run string, ttl time.Duration, env ...string) *testWorker {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(append(os.Environ(), workerProcessEnv+"="+id, "FHI_TEST_LAKE="+lake, "FHI_TEST_FRONTIER="+frontierURL,
		"FHI_TEST_RUN="+run, "FHI_TEST_LEASE_TTL="+ttl.String()), env...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &testWorker{id: id, cmd: cmd, exit: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
		p.exit <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return p
}

// Three worker processes crawl the sample web through a real redis-server and publish exactly the
// records of a single-process crawl, with no duplicate, however they fail: one worker SIGKILLed
// mid-crawl; one SIGSTOPped past its lease and resumed (its late commits fenced off); the
// redis-server killed and restarted from its append-only file. No host ever answers more
// requests at once than the per-host limit, whichever worker sends them.
func TestDistributedWorkerProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the sample web five times with worker processes; skipped with -short")
	}
	redis := frontiertest.Start(t, frontiertest.Options{AOF: true})
	// Every answer takes a few milliseconds, as a distant site's would: crawls last long enough
	// to be interrupted, and requests overlap.
	opts, web := sampleWebOptions(t, 0.02, sampleweb.Faults{Latency: 3 * time.Millisecond})
	opts.Crawl.Parallelism = 2
	single := openTestLake(t)
	counter := web.CountInFlight()
	sres, err := single.Collect(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := partitionRecords(t, single, sres.Runs)
	checkInFlight(t, "single process", counter, opts.Crawl.Parallelism)
	const ttl = time.Second

	type state struct {
		f       *frontier.Frontier
		run     string
		workers map[string]*testWorker
		redis   *frontiertest.Server
	}
	// holder waits until the run has commits and someone other than not holds a lease; it
	// returns the lease.
	holder := func(t *testing.T, s *state, not string) frontier.LeaseStatus {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if st, err := s.f.RunStatus(t.Context(), s.run); err == nil && st.Commits >= 10 {
				for _, l := range st.Leases {
					if l.Run == s.run && l.Worker != not && s.workers[l.Worker] != nil {
						return l
					}
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("no worker holds a lease of the run after 30 s")
		return frontier.LeaseStatus{}
	}
	scenarios := []struct {
		name  string
		fault func(t *testing.T, s *state)
	}{
		{"no fault", nil},
		{"a worker killed", func(t *testing.T, s *state) {
			l := holder(t, s, "")
			w := s.workers[l.Worker]
			_ = w.cmd.Process.Signal(syscall.SIGKILL)
			<-w.exit
			delete(s.workers, w.id)
			t.Logf("killed %s holding %s", w.id, l.Host)
		}},
		{"a worker stopped past its lease", func(t *testing.T, s *state) {
			// Stopped mid-batch, a worker resumes to find its host taken over: its commit is
			// refused. A worker stopped between batches has nothing to commit, so up to six tries.
			for try := range 6 {
				l := holder(t, s, "")
				w := s.workers[l.Worker]
				_ = w.cmd.Process.Signal(syscall.SIGSTOP)
				deadline := time.Now().Add(10 * ttl)
				for time.Now().Before(deadline) {
					st, err := s.f.RunStatus(t.Context(), s.run)
					if err == nil && !holds(st, l.Host, w.id) && (st.Commits > 0 && hasOther(st, l.Host, w.id) || st.Done()) {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(ttl / 2) // the new holder works on
				_ = w.cmd.Process.Signal(syscall.SIGCONT)
				time.Sleep(ttl / 2)
				if strings.Contains(w.output(), frontier.ErrFenced.Error()) {
					t.Logf("stopped %s holding %s (try %d): its late commit was fenced off", w.id, l.Host, try+1)
					return
				}
				// Resumed with nothing finished to commit, it must not send what it had queued.
				if strings.Contains(w.output(), "lapsed before a request went out") {
					t.Logf("stopped %s holding %s (try %d): resumed, it sent nothing more to the host", w.id, l.Host, try+1)
					return
				}
				if p, err := s.f.Progress(t.Context(), s.run); err == nil && p.Done() {
					break
				}
			}
			t.Error("no stopped worker had a late commit fenced off or a queued request refused")
		}},
		{"redis-server restarted from its AOF", func(t *testing.T, s *state) {
			holder(t, s, "")
			s.redis.Kill()
			time.Sleep(300 * time.Millisecond)
			s.redis.Restart()
			t.Log("redis-server killed and restarted")
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			lake := openTestLake(t)
			f, err := frontier.Open(t.Context(), redis.URL(), frontier.Options{Prefix: "t", LeaseTTL: ttl})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			s := &state{f: f, workers: map[string]*testWorker{}, redis: redis}
			all := map[string]*testWorker{}
			begun := make(chan struct{})
			dopts := opts
			dopts.Distributed = &DistributedOptions{Frontier: f, Poll: 50 * time.Millisecond, Begun: func(run string) {
				s.run = run
				for i := range 3 {
					id := fmt.Sprintf("p%d", i)
					s.workers[id] = startTestWorker(t, id, lake.Root, redis.URL(), run, ttl)
					all[id] = s.workers[id]
				}
				close(begun)
			}}
			counter := web.CountInFlight()
			done := make(chan error, 1)
			var dres *CollectResult
			go func() {
				var err error
				dres, err = lake.Collect(t.Context(), dopts)
				done <- err
			}()
			<-begun
			if sc.fault != nil {
				sc.fault(t, s)
			}
			if err := <-done; err != nil {
				for id, w := range all {
					t.Logf("worker %s:\n%s", id, w.output())
				}
				t.Fatal(err)
			}
			for id, w := range s.workers {
				select {
				case err := <-w.exit:
					if err != nil {
						t.Errorf("worker %s: %v\n%s", id, err, w.output())
					}
				case <-time.After(30 * time.Second):
					t.Errorf("worker %s still running 30 s after the run was sealed", id)
				}
			}
			got := partitionRecords(t, lake, dres.Runs)
			recordsEqual(t, want, got)
			checkInFlight(t, sc.name, counter, opts.Crawl.Parallelism)
			t.Logf("%d records of %d sources; %d requests to the sample web", totalRecords(got), len(got), counter.Requests())
		})
	}
}

func holds(st frontier.RunStatus, host, worker string) bool {
	for _, l := range st.Leases {
		if l.Host == host && l.Worker == worker {
			return true
		}
	}
	return false
}

func hasOther(st frontier.RunStatus, host, worker string) bool {
	for _, l := range st.Leases {
		if l.Host == host && l.Worker != worker {
			return true
		}
	}
	return false
}

// checkInFlight fails t if a host answered more requests at once than limit, and checks the
// counter saw requests overlap at all (else the check proves nothing).
func checkInFlight(t *testing.T, what string, c *sampleweb.InFlight, limit int) {
	t.Helper()
	most := 0
	for host, n := range c.Max() {
		if n > limit {
			t.Errorf("%s: host %s answered %d requests at once; the per-host limit is %d", what, host, n, limit)
		}
		most = max(most, n)
	}
	if most < limit {
		t.Errorf("%s: no host ever had %d requests in flight (at most %d): the crawl never used its parallelism", what, limit, most)
	}
}
