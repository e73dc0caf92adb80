package frontier

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/google/go-cmp/cmp"
)

// The test binary doubles as a worker process: TestMain runs workerProcess when this variable
// names the worker.
const workerEnv = "FHI_FRONTIER_TEST_WORKER"

func TestMain(m *testing.M) {
	if id := os.Getenv(workerEnv); id != "" {
		os.Exit(workerProcess(id))
	}
	os.Exit(m.Run())
}

// processSite is the site the worker processes crawl: two hosts, so that one of three workers
// is idle and takes over a host whose holder was stopped or killed.
var processSite = crawlSite{hosts: []string{"a.test", "b.test"}, max: 800}

// workerProcess crawls processSite until the run is complete, the way `fhi worker` will: claim,
// fetch while the lease is valid, commit what was fetched — the fence decides whether it counts.
func workerProcess(id string) int {
	ctx := context.Background()
	ttl, _ := time.ParseDuration(os.Getenv("FHI_FRONTIER_TEST_TTL"))
	f, err := Open(ctx, os.Getenv("FHI_FRONTIER_TEST_URL"), Options{Prefix: "t", LeaseTTL: ttl})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	w, err := f.NewWorker(ctx, id)
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	for {
		l, err := w.Acquire(ctx, "r")
		switch {
		case errors.Is(err, ErrNoWork):
			if p, err := f.Progress(ctx, "r"); err == nil && p.Done() {
				return 0
			}
			time.Sleep(10 * time.Millisecond)
			continue
		case err != nil:
			fmt.Fprintln(os.Stderr, "acquire:", err)
			return 1
		}
		fmt.Printf("lease %s %d\n", l.Host(), l.Token())
		for {
			items, err := l.Claim(ctx, 5)
			if err != nil || len(items) == 0 {
				break
			}
			var b Batch
			var m batchMeta
			for _, it := range items {
				if !l.Valid() {
					break // stop fetching at once; commit what is done
				}
				time.Sleep(3 * time.Millisecond) // the fetch
				b.Done = append(b.Done, it)
				m.Pages = append(m.Pages, it.URL)
				b.Links = append(b.Links, processSite.links(it.Item)...)
			}
			b.Meta = mustJSON(m)
			if _, err := l.Commit(ctx, b); err != nil {
				fmt.Printf("commit refused: %v\n", err)
				break
			}
		}
		_ = l.Release(ctx)
	}
}

type workerProc struct {
	id    string
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	exit  chan error
}

func (p *workerProc) output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Three worker processes crawl one run; one is SIGSTOPped past its lease and resumed (its late
// commit is fenced off), another is SIGKILLed mid-batch; the run still commits every page once.
func TestWorkerProcessesStoppedAndKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("runs worker processes for several seconds; skipped with -short")
	}
	srv := frontiertest.Start(t, frontiertest.Options{})
	const ttl = 500 * time.Millisecond
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: ttl})
	ctx := t.Context()
	if _, err := f.Seed(ctx, "r", processSite.seeds()); err != nil {
		t.Fatal(err)
	}
	procs := map[string]*workerProc{}
	for i := range 3 {
		id := fmt.Sprintf("p%d", i)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), workerEnv+"="+id, "FHI_FRONTIER_TEST_URL="+srv.URL(), "FHI_FRONTIER_TEST_TTL="+ttl.String())
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &workerProc{id: id, cmd: cmd, exit: make(chan error, 1)}
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				p.mu.Lock()
				p.lines = append(p.lines, sc.Text())
				p.mu.Unlock()
			}
			p.exit <- cmd.Wait()
		}()
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		procs[id] = p
	}

	// holder waits until host has a holder that has committed, and returns it.
	holder := func(host string, not string) *workerProc {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			st, err := f.RunStatus(ctx, "r")
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range st.Leases {
				if l.Host == host && l.Run == "r" && l.Worker != not && st.Commits > 5 {
					return procs[l.Worker]
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no worker took %s", host)
		return nil
	}

	stopped := holder("a.test", "")
	stopped.cmd.Process.Signal(syscall.SIGSTOP)
	took := holder("a.test", stopped.id) // an idle worker takes the host once the lease lapses
	time.Sleep(ttl)                      // let the new holder work a little
	stopped.cmd.Process.Signal(syscall.SIGCONT)

	killed := holder("b.test", "")
	killed.cmd.Process.Signal(syscall.SIGKILL)
	<-killed.exit

	for id, p := range procs {
		if p == killed {
			continue
		}
		select {
		case err := <-p.exit:
			if err != nil {
				t.Errorf("worker %s: %v", id, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("worker %s still running after a minute", id)
		}
	}

	commits, err := f.Seal(ctx, "r")
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if diff := cmp.Diff(processSite.pages(), committedPages(t, commits)); diff != "" {
		t.Errorf("committed pages (-want +got):\n%s", diff)
	}
	refused := false
	for _, line := range stopped.output() {
		if strings.HasPrefix(line, "commit refused:") && strings.Contains(line, ErrFenced.Error()) {
			refused = true
		}
	}
	if !refused {
		t.Errorf("the stopped worker %s never had a commit fenced off; its output: %q", stopped.id, stopped.output())
	}
	t.Logf("stopped %s (a.test taken over by %s), killed %s; %d commits", stopped.id, took.id, killed.id, len(commits))
}
