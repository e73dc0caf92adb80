package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/pflag"
)

// Flags of distributed crawling, typed once.
const (
	flagFrontier  = "frontier"
	flagWorkers   = "workers"
	envFrontier   = "FHI_FRONTIER"
	usageFrontier = "Redis `URL` of the shared frontier (redis://[user:password@]host:6379/0, rediss:// for TLS; env FHI_FRONTIER): " +
		"spread the crawl over fhi worker processes; credentials may also come from FHI_FRONTIER_USERNAME/FHI_FRONTIER_PASSWORD"
)

// distFlags are the flags of a crawling command that spread it over workers.
type distFlags struct {
	frontier string
	workers  int
}

func addDistributedFlags(fs *pflag.FlagSet) *distFlags {
	d := &distFlags{}
	// Not the environment's value as the default: --help would show its password.
	fs.StringVar(&d.frontier, flagFrontier, "", usageFrontier)
	fs.IntVar(&d.workers, flagWorkers, 0, "with --frontier: also start this many fhi worker processes on this machine for the run")
	return d
}

// open connects to the frontier when --frontier is given and returns the collect's distributed
// options (nil for a crawl in this process) and a function that waits for the local workers and
// closes the connection.
func (d *distFlags) open(ctx context.Context, lakeRoot string, stderr io.Writer) (*pipelines.DistributedOptions, func(), error) {
	if d.frontier == "" {
		d.frontier = os.Getenv(envFrontier)
	}
	if d.frontier == "" {
		if d.workers > 0 {
			return nil, func() {}, usagef("--workers needs --frontier: the workers share the crawl through it")
		}
		return nil, func() {}, nil
	}
	if d.workers < 0 {
		return nil, func() {}, usagef("--workers: want a number ≥ 0, got %d", d.workers)
	}
	f, err := frontier.Open(ctx, d.frontier, frontier.Options{})
	if err != nil {
		return nil, func() {}, err
	}
	fmt.Fprintf(stderr, "crawling through the %s\n", f)
	local := &localWorkers{stderr: stderr}
	opts := &pipelines.DistributedOptions{Frontier: f, Begun: func(run string) {
		fmt.Fprintf(stderr, "frontier run %s seeded: workers may start (fhi worker --frontier %s --lake %s)\n", run, f.Addr(), lakeRoot)
		for i := range d.workers {
			if err := local.start(ctx, i, d.frontier, lakeRoot, run); err != nil {
				fmt.Fprintf(stderr, "starting worker %d: %v\n", i, err)
			}
		}
	}}
	return opts, func() { local.wait(); f.Close() }, nil
}

// localWorkerEnv is added to the environment of the workers a coordinator starts (tests make
// the test binary act as fhi with it).
var localWorkerEnv []string

// localWorkers are `fhi worker` processes this coordinator started for its run.
type localWorkers struct {
	stderr io.Writer
	mu     sync.Mutex
	procs  []*exec.Cmd
	wg     sync.WaitGroup
}

func (lw *localWorkers) start(ctx context.Context, i int, frontierURL, lakeRoot, run string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// The URL (with its password, maybe) goes through the environment, not the command line
	// that ps shows.
	cmd := exec.Command(exe, "worker", "--lake", lakeRoot, "--run", run)
	cmd.Env = append(append(os.Environ(), envFrontier+"="+frontierURL), localWorkerEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // no worker outlives its coordinator
	out, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	lw.mu.Lock()
	lw.procs = append(lw.procs, cmd)
	lw.mu.Unlock()
	lw.wg.Add(1)
	go func() {
		defer lw.wg.Done()
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lw.mu.Lock()
			fmt.Fprintf(lw.stderr, "worker %d: %s\n", i, sc.Text())
			lw.mu.Unlock()
		}
		_ = cmd.Wait()
	}()
	return nil
}

// wait gives the workers a moment to see the run sealed and exit, then stops them.
func (lw *localWorkers) wait() {
	done := make(chan struct{})
	go func() { lw.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(10 * time.Second):
	}
	lw.mu.Lock()
	for _, c := range lw.procs {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	lw.mu.Unlock()
	<-done
}

// openFrontier connects a command that needs the frontier (worker, frontier status|abort).
func openFrontier(ctx context.Context, rawURL string, opts frontier.Options) (*frontier.Frontier, error) {
	if rawURL == "" {
		rawURL = os.Getenv(envFrontier)
	}
	if rawURL == "" {
		return nil, usagef("--%s URL is required (or $%s)", flagFrontier, envFrontier)
	}
	f, err := frontier.Open(ctx, rawURL, opts)
	if errors.Is(err, frontier.ErrInvalid) {
		return nil, usageError{err}
	}
	return f, err
}
