package frontier

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors a caller branches on.
var (
	// ErrFenced rejects a claim or commit made under a lease that was taken over: the
	// worker's outputs for its uncommitted work must be abandoned (they are never sealed).
	ErrFenced = errors.New("frontier: lease fenced off by a newer holder")
	// ErrLeaseLost is returned by a claim once the lease could not be renewed in time: the
	// worker must stop fetching from the host. A commit is still tried (the fence decides).
	ErrLeaseLost = errors.New("frontier: lease lost")
	// ErrNoWork means no host of the run has work whose lease is free now.
	ErrNoWork = errors.New("frontier: no work available")
	// ErrRunClosed means the run is sealed, aborted or unknown.
	ErrRunClosed = errors.New("frontier: run is not open")
	// ErrNotDone refuses to seal a run that still has queued or pending work.
	ErrNotDone = errors.New("frontier: run has unfinished work")
	// ErrInvalid marks a bad name, URL or item; the message names it.
	ErrInvalid = errors.New("frontier: invalid")
)

// Environment variables holding the Redis credentials when the URL carries none.
const (
	EnvUsername = "FHI_FRONTIER_USERNAME"
	EnvPassword = "FHI_FRONTIER_PASSWORD"
)

// quietLogger drops go-redis's own log lines (a failed dial, a reconnect): every failure comes
// back to the caller as an error, which names the server with its password redacted, and a
// command's output must not be interleaved with a library's.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quietLogger{}) }

// group is the one consumer group of every queue stream; consumers are workers.
const group = "fhi"

// Options tune a frontier. The zero value is usable: Open fills in the defaults.
type Options struct {
	// Prefix namespaces every key (default "fhi:frontier"), so one Redis can serve several
	// deployments.
	Prefix string
	// LeaseTTL is how long a host's lease lasts without renewal (default 30s). A worker renews
	// at a third of it; a dead worker's host is taken over once it lapses.
	LeaseTTL time.Duration
	// ClaimIdle is how long an entry must sit unacknowledged with another consumer before a lease
	// holder's periodic sweep takes it over with XAUTOCLAIM (default 2×LeaseTTL). Entries of a
	// lapsed lease are taken over at once when the host's lease is next granted: the lapse is
	// their idle time. The sweep only catches what a Redis that lost writes left behind.
	ClaimIdle time.Duration
	// Retain is how long a sealed run's keys stay for status and audit (default 7 days; 0 keeps
	// the default, a negative value keeps them until aborted).
	Retain time.Duration
	// Getenv reads the credentials' environment variables (default os.Getenv).
	Getenv func(string) string
}

func (o *Options) fill() {
	if o.Prefix == "" {
		o.Prefix = "fhi:frontier"
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 30 * time.Second
	}
	if o.ClaimIdle <= 0 {
		o.ClaimIdle = 2 * o.LeaseTTL
	}
	if o.Retain == 0 {
		o.Retain = 7 * 24 * time.Hour
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
}

// Frontier is a connection to the shared state of distributed crawls. It is safe for
// concurrent use.
type Frontier struct {
	rdb  *redis.Client
	addr string // redacted URL, for messages
	opts Options
}

// Open connects to the Redis at rawURL (redis://[user[:password]@]host[:port][/db],
// rediss:// for TLS, or unix:///path). Credentials missing from the URL are read from
// $FHI_FRONTIER_USERNAME and $FHI_FRONTIER_PASSWORD. No error or String output ever shows the
// password.
func Open(ctx context.Context, rawURL string, opts Options) (*Frontier, error) {
	opts.fill()
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the whole URL, password included.
		return nil, fmt.Errorf("%w Redis URL: not a URL (expected redis://host:port/db)", ErrInvalid)
	}
	addr := u.Redacted()
	ro, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w Redis URL %s: %v", ErrInvalid, addr, err)
	}
	if ro.Password == "" {
		ro.Password = opts.Getenv(EnvPassword)
		if ro.Username == "" {
			ro.Username = opts.Getenv(EnvUsername)
		}
	}
	// Scripts are not idempotent, so the client must never resend one on its own after a
	// network error; Lease.Commit resends under the same commit id, which is.
	ro.MaxRetries = -1
	ro.ClientName = "fhi-frontier"
	f := &Frontier{rdb: redis.NewClient(ro), addr: addr, opts: opts}
	if err := f.checkServer(ctx); err != nil {
		f.rdb.Close()
		return nil, err
	}
	return f, nil
}

// checkServer pings the server and requires Redis ≥ 6.2 (XAUTOCLAIM) that never evicts keys.
func (f *Frontier) checkServer(ctx context.Context) error {
	info, err := f.rdb.Info(ctx, "server").Result()
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", f.addr, err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:")
		if !ok {
			continue
		}
		parts := strings.SplitN(v, ".", 3)
		major, _ := strconv.Atoi(parts[0])
		minor := 0
		if len(parts) > 1 {
			minor, _ = strconv.Atoi(parts[1])
		}
		if major < 6 || (major == 6 && minor < 2) {
			return fmt.Errorf("connecting to %s: Redis %s is too old; the frontier needs 6.2 or later (XAUTOCLAIM)", f.addr, v)
		}
		break
	}
	// An evicting Redis would silently drop queue entries or seen URLs under memory pressure.
	// Managed servers may hide CONFIG; then the operator's word is taken.
	if cfg, err := f.rdb.ConfigGet(ctx, "maxmemory-policy").Result(); err == nil {
		if p, ok := cfg["maxmemory-policy"]; ok && p != "noeviction" {
			return fmt.Errorf("connecting to %s: maxmemory-policy is %s; the frontier needs noeviction, or an evicted key loses crawl state (CONFIG SET maxmemory-policy noeviction)", f.addr, p)
		}
	}
	return nil
}

// Close closes the connection pool.
func (f *Frontier) Close() error { return f.rdb.Close() }

// String names the server with its password redacted.
func (f *Frontier) String() string { return "frontier " + f.addr + " (keys " + f.opts.Prefix + ":*)" }

// Addr is the server's URL with its password redacted: for messages and manifests.
func (f *Frontier) Addr() string { return f.addr }

// Options returns the options in force, defaults filled in.
func (f *Frontier) Options() Options { return f.opts }

// Names: run ids, sources and worker ids become parts of keys and lease values, which are
// space-separated, so they are kept to a safe alphabet.
var (
	runName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._=-]{0,127}$`)
	sourceName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	workerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$`)
)

func checkRun(run string) error {
	if !runName.MatchString(run) {
		return fmt.Errorf("%w run id %q: want letters, digits and ._=- (at most 128)", ErrInvalid, run)
	}
	return nil
}

// Keys. Each is built here and nowhere else; doc.go lists them.
func (f *Frontier) runsKey() string             { return f.opts.Prefix + ":runs" }
func (f *Frontier) workersKey() string          { return f.opts.Prefix + ":workers" }
func (f *Frontier) workerKey(id string) string  { return f.opts.Prefix + ":worker:" + id }
func (f *Frontier) runKey(run string) string    { return f.opts.Prefix + ":run:" + run }
func (f *Frontier) queuesKey(run string) string { return f.runKey(run) + ":queues" }
func (f *Frontier) seenKey(run string) string   { return f.runKey(run) + ":seen" }
func (f *Frontier) commitsKey(run string) string {
	return f.runKey(run) + ":commits"
}
func (f *Frontier) commitIDsKey(run string) string { return f.runKey(run) + ":commit-ids" }
func (f *Frontier) statsKey(run string) string     { return f.runKey(run) + ":stats" }
func (f *Frontier) queueKey(run, source, host string) string {
	return f.runKey(run) + ":q:" + source + ":" + host
}
func (f *Frontier) leaseKey(host string) string { return f.opts.Prefix + ":host:" + host + ":lease" }
func (f *Frontier) fenceKey(host string) string { return f.opts.Prefix + ":host:" + host + ":fence" }
func (f *Frontier) hostStateKey(host string) string {
	return f.opts.Prefix + ":host:" + host + ":state"
}

// queueMeta is a queue's entry in the run's queues hash: "source host".
func queueMeta(source, host string) string { return source + " " + host }

func parseQueueMeta(v string) (source, host string) {
	source, host, _ = strings.Cut(v, " ")
	return source, host
}

// Scripts.
var (
	//go:embed lua/commit.lua
	commitSrc string
	//go:embed lua/claim.lua
	claimSrc string
	//go:embed lua/acquire.lua
	acquireSrc string
	//go:embed lua/renew.lua
	renewSrc string
	//go:embed lua/release.lua
	releaseSrc string
	//go:embed lua/seal.lua
	sealSrc string
	//go:embed lua/abort.lua
	abortSrc string

	commitScript  = redis.NewScript(commitSrc)
	claimScript   = redis.NewScript(claimSrc)
	acquireScript = redis.NewScript(acquireSrc)
	renewScript   = redis.NewScript(renewSrc)
	releaseScript = redis.NewScript(releaseSrc)
	sealScript    = redis.NewScript(sealSrc)
	abortScript   = redis.NewScript(abortSrc)
)

// reply is a script's answer: a status word, then values.
type reply []any

func runScript(ctx context.Context, rdb *redis.Client, s *redis.Script, keys []string, args ...any) (reply, error) {
	v, err := s.Run(ctx, rdb, keys, args...).Result()
	if err != nil {
		return nil, err
	}
	r, ok := v.([]any)
	if !ok || len(r) == 0 {
		return nil, fmt.Errorf("unexpected script reply %v", v)
	}
	return r, nil
}

func (r reply) status() string { s, _ := r[0].(string); return s }

func (r reply) str(i int) string {
	if i >= len(r) {
		return ""
	}
	switch v := r[i].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

func (r reply) int(i int) int64 {
	if i >= len(r) {
		return 0
	}
	switch v := r[i].(type) {
	case int64:
		return v
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

func closedError(run, state string) error {
	return fmt.Errorf("%w: run %s is %s", ErrRunClosed, run, state)
}

func ms(d time.Duration) int64 { return d.Milliseconds() }
