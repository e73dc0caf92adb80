package frontier

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Status is what `fhi frontier status` shows: live workers and every run the frontier keeps.
type Status struct {
	Workers []WorkerStatus `json:"workers"`
	Runs    []RunStatus    `json:"runs"`
}

// WorkerStatus is one worker's heartbeat.
type WorkerStatus struct {
	ID      string    `json:"id"`
	Machine string    `json:"machine"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	Seen    time.Time `json:"seen"`
}

// RunStatus is one run's queues, leases and per-worker counters.
type RunStatus struct {
	Run string `json:"run"`
	Progress
	Queued  int64          `json:"queued"`  // waiting for a worker
	Pending int64          `json:"pending"` // claimed, not yet committed
	Seen    int64          `json:"seen"`    // distinct requests ever queued
	Commits int64          `json:"commits"`
	Queues  []QueueStatus  `json:"queues"`
	Leases  []LeaseStatus  `json:"leases"`
	Workers []WorkerCounts `json:"workers"`
}

// QueueStatus is one (source, host) queue.
type QueueStatus struct {
	Source  string `json:"source"`
	Host    string `json:"host"`
	Queued  int64  `json:"queued"`
	Pending int64  `json:"pending"`
}

// LeaseStatus is a held host lease.
type LeaseStatus struct {
	Host   string        `json:"host"`
	Worker string        `json:"worker"`
	Run    string        `json:"run"`
	Token  int64         `json:"token"`
	TTL    time.Duration `json:"ttl_ns"`
}

// WorkerCounts are a worker's counters in one run: commits, done, added and the batches' stats.
type WorkerCounts struct {
	Worker string           `json:"worker"`
	Counts map[string]int64 `json:"counts"`
}

// Status reports every live worker and every run the frontier keeps.
func (f *Frontier) Status(ctx context.Context) (Status, error) {
	var st Status
	now := time.Now()
	ids, err := f.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: f.workersKey(), ByScore: true,
		Start: strconv.FormatInt(now.Add(-3*f.opts.LeaseTTL).UnixMilli(), 10), Stop: "+inf"}).Result()
	if err != nil {
		return st, fmt.Errorf("reading workers: %w", err)
	}
	for _, id := range ids {
		h, err := f.rdb.HGetAll(ctx, f.workerKey(id)).Result()
		if err != nil {
			return st, fmt.Errorf("reading worker %s: %w", id, err)
		}
		if len(h) == 0 {
			continue
		}
		ws := WorkerStatus{ID: id, Machine: h["machine"]}
		ws.PID, _ = strconv.Atoi(h["pid"])
		ws.Started, ws.Seen = msTime(h["started"]), msTime(h["seen"])
		st.Workers = append(st.Workers, ws)
	}
	runs, err := f.rdb.SMembers(ctx, f.runsKey()).Result()
	if err != nil {
		return st, fmt.Errorf("reading runs: %w", err)
	}
	sort.Strings(runs)
	for _, run := range runs {
		rs, err := f.RunStatus(ctx, run)
		if errors.Is(err, ErrRunClosed) {
			f.rdb.SRem(ctx, f.runsKey(), run) // its keys expired: forget it
			continue
		}
		if err != nil {
			return st, err
		}
		st.Runs = append(st.Runs, rs)
	}
	return st, nil
}

// RunStatus reports one run.
func (f *Frontier) RunStatus(ctx context.Context, run string) (RunStatus, error) {
	p, err := f.Progress(ctx, run)
	if err != nil {
		return RunStatus{}, err
	}
	rs := RunStatus{Run: run, Progress: p}
	meta, err := f.rdb.HGetAll(ctx, f.queuesKey(run)).Result()
	if err != nil {
		return rs, fmt.Errorf("reading the queues of run %s: %w", run, err)
	}
	type qcmds struct {
		q       QueueStatus
		len     *redis.IntCmd
		pending *redis.XPendingCmd
	}
	var qs []*qcmds
	hosts := map[string]*redis.StringCmd{}
	var seen, commits *redis.IntCmd
	var stats *redis.MapStringStringCmd
	_, err = f.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
		for key, m := range meta {
			src, host := parseQueueMeta(m)
			qs = append(qs, &qcmds{q: QueueStatus{Source: src, Host: host}, len: pl.XLen(ctx, key), pending: pl.XPending(ctx, key, group)})
			if hosts[host] == nil {
				hosts[host] = pl.Get(ctx, f.leaseKey(host))
			}
		}
		seen = pl.SCard(ctx, f.seenKey(run))
		commits = pl.XLen(ctx, f.commitsKey(run))
		stats = pl.HGetAll(ctx, f.statsKey(run))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return rs, fmt.Errorf("reading run %s: %w", run, err)
	}
	for _, c := range qs {
		if pe, err := c.pending.Result(); err == nil {
			c.q.Pending = pe.Count
		}
		c.q.Queued = c.len.Val() - c.q.Pending // acknowledged entries are deleted
		rs.Queued += c.q.Queued
		rs.Pending += c.q.Pending
		rs.Queues = append(rs.Queues, c.q)
	}
	sort.Slice(rs.Queues, func(i, j int) bool {
		a, b := rs.Queues[i], rs.Queues[j]
		return a.Source < b.Source || a.Source == b.Source && a.Host < b.Host
	})
	for host, cmd := range hosts {
		v, err := cmd.Result()
		if err != nil {
			continue
		}
		ls := LeaseStatus{Host: host}
		parts := strings.Fields(v)
		if len(parts) == 3 {
			ls.Worker, ls.Run = parts[0], parts[1]
			ls.Token, _ = strconv.ParseInt(parts[2], 10, 64)
		}
		if ttl, err := f.rdb.PTTL(ctx, f.leaseKey(host)).Result(); err == nil {
			ls.TTL = ttl
		}
		rs.Leases = append(rs.Leases, ls)
	}
	sort.Slice(rs.Leases, func(i, j int) bool { return rs.Leases[i].Host < rs.Leases[j].Host })
	rs.Seen, rs.Commits = seen.Val(), commits.Val()
	byWorker := map[string]map[string]int64{}
	for k, v := range stats.Val() {
		w, name, ok := strings.Cut(k, " ")
		if !ok {
			continue
		}
		if byWorker[w] == nil {
			byWorker[w] = map[string]int64{}
		}
		byWorker[w][name], _ = strconv.ParseInt(v, 10, 64)
	}
	for w, c := range byWorker {
		rs.Workers = append(rs.Workers, WorkerCounts{Worker: w, Counts: c})
	}
	sort.Slice(rs.Workers, func(i, j int) bool { return rs.Workers[i].Worker < rs.Workers[j].Worker })
	return rs, nil
}

func msTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}
