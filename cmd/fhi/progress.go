package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// crawlProgress shows what a crawl is doing. On a terminal: one line per active source (requests,
// records, rate, elapsed and, when a previous run of the source says how many requests to expect,
// an estimate of the time left), drawn by mpb. Elsewhere (a log file, a scheduler): structured
// slog lines every ten seconds and at each source's end, for log collectors.
type crawlProgress struct {
	expected map[string]int64 // source → requests its last good run made

	// terminal
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[string]*sourceBar

	// log lines
	log  *slog.Logger
	last map[string]time.Time
}

type sourceBar struct {
	bar   *mpb.Bar
	start time.Time
	stats collectors.Stats
}

// newCrawlProgress draws progress on w; expected gives, per source, the requests to expect.
func newCrawlProgress(ctx context.Context, w io.Writer, expected map[string]int64) *crawlProgress {
	cp := &crawlProgress{expected: expected, bars: map[string]*sourceBar{}, last: map[string]time.Time{}}
	if isTerminal(w) {
		cp.p = mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(30), mpb.WithRefreshRate(200*time.Millisecond))
	} else {
		cp.log = slog.New(slog.NewTextHandler(w, nil))
	}
	return cp
}

// update is the pipelines.CollectOptions.Progress callback; it is safe for concurrent sources.
func (cp *crawlProgress) update(source string, s collectors.Stats, done bool) {
	if cp.log != nil {
		cp.mu.Lock()
		due := done || time.Since(cp.last[source]) >= 10*time.Second
		if due {
			cp.last[source] = time.Now()
		}
		cp.mu.Unlock()
		if !due {
			return
		}
		msg := "crawling"
		if done {
			msg = "crawled"
		}
		cp.log.Info(msg, "source", source, "requests", s.Requests, "records", s.Records, "retries", s.Retries,
			"failed", s.Failed, "quarantined", s.Quarantined, "replayed", s.Replayed, "not_modified", s.NotModified, "bytes", s.Bytes)
		return
	}
	cp.mu.Lock()
	sb := cp.bars[source]
	if sb == nil {
		sb = &sourceBar{start: time.Now()}
		sb.bar = cp.newBar(source, sb)
		cp.bars[source] = sb
	}
	sb.stats = s
	cp.mu.Unlock()
	total := cp.expected[source]
	cur := s.Requests + s.Replayed
	if cur >= total {
		total = cur + 1 // more than last time: the estimate runs out, the bar keeps moving
	}
	sb.bar.SetTotal(total, false)
	sb.bar.SetCurrent(cur)
	if done {
		sb.bar.SetTotal(cur, true)
	}
}

func (cp *crawlProgress) newBar(source string, sb *sourceBar) *mpb.Bar {
	info := decor.Any(func(decor.Statistics) string {
		cp.mu.Lock()
		s, start := sb.stats, sb.start
		cp.mu.Unlock()
		el := time.Since(start)
		rate := float64(s.Requests+s.Replayed) / max(el.Seconds(), 0.001)
		line := fmt.Sprintf("%6d req %7d rec %6.1f/s %6s", s.Requests+s.Replayed, s.Records, rate, el.Round(time.Second))
		if exp := cp.expected[source]; exp > 0 && rate > 0 && s.Requests+s.Replayed < exp {
			left := time.Duration(float64(exp-s.Requests-s.Replayed) / rate * float64(time.Second))
			line += fmt.Sprintf("  ~%s left", left.Round(time.Second))
		}
		if s.Failed+s.Quarantined > 0 {
			line += fmt.Sprintf("  %d failed %d quarantined", s.Failed, s.Quarantined)
		}
		return line
	})
	return cp.p.New(0, mpb.BarStyle().Lbound("[").Rbound("]"),
		mpb.PrependDecorators(decor.Name(source, decor.WCSyncWidthR)),
		mpb.AppendDecorators(info))
}

// finish completes the display: bars of sources that did not end (an interrupted run) are aborted
// in place, and the terminal is left where the next output can follow.
func (cp *crawlProgress) finish() {
	if cp.p == nil {
		return
	}
	cp.mu.Lock()
	for _, sb := range cp.bars {
		if !sb.bar.Completed() {
			sb.bar.Abort(false)
		}
	}
	cp.mu.Unlock()
	cp.p.Wait()
}

// expectedRequests reads, for each source, how many requests its last good collect run made: the
// progress display's estimate of what is left.
func expectedRequests(lake *pipelines.Lake) map[string]int64 {
	out := map[string]int64{}
	runs, err := lake.Runs()
	if err != nil {
		return out
	}
	for _, m := range runs {
		if m.Stage != pipelines.StageCollect || m.Status != pipelines.StatusSucceeded || len(m.Details) == 0 {
			continue
		}
		var d struct {
			Stats collectors.Stats `json:"crawl_stats"`
		}
		if json.Unmarshal(m.Details, &d) == nil {
			out[m.Source] = d.Stats.Requests + d.Stats.Replayed
		}
	}
	return out
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
