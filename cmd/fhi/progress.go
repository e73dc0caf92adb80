package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// crawlProgress shows what a crawl (and the transform after it) is doing. On a terminal: one line per active source (requests,
// records, rate, elapsed and, when the source's previous good run says how many requests to
// expect, an estimate of the time left), drawn by mpb. Elsewhere (a log file, a scheduler):
// structured slog lines every ten seconds and at each source's end, for log collectors.
type crawlProgress struct {
	// terminal
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[string]*sourceBar
	// the transform's steps, once it starts
	stepBar  *mpb.Bar
	stepName string
	stepAt   time.Time

	// log lines
	log  *slog.Logger
	last map[string]time.Time
}

type sourceBar struct {
	bar *mpb.Bar
	p   pipelines.SourceProgress
}

// newCrawlProgress draws progress on w.
func newCrawlProgress(ctx context.Context, w io.Writer) *crawlProgress {
	cp := &crawlProgress{bars: map[string]*sourceBar{}, last: map[string]time.Time{}}
	if isTerminal(w) {
		cp.p = mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(30), mpb.WithRefreshRate(200*time.Millisecond))
	} else {
		cp.log = slog.New(slog.NewTextHandler(w, nil))
	}
	return cp
}

// update is the pipelines.CollectOptions.Progress callback; it is safe for concurrent sources.
func (cp *crawlProgress) update(p pipelines.SourceProgress) {
	s := p.Stats
	if cp.log != nil {
		cp.mu.Lock()
		due := p.Done || time.Since(cp.last[p.Source]) >= 10*time.Second
		if due {
			cp.last[p.Source] = time.Now()
		}
		cp.mu.Unlock()
		if !due {
			return
		}
		msg := "crawling"
		if p.Done {
			msg = "crawled"
		}
		cp.log.Info(msg, "source", p.Source, "requests", s.Requests, "records", s.Records, "retries", s.Retries,
			"failed", s.Failed, "quarantined", s.Quarantined, "replayed", s.Replayed, "not_modified", s.NotModified, "bytes", s.Bytes)
		return
	}
	cp.mu.Lock()
	sb := cp.bars[p.Source]
	if sb == nil {
		sb = &sourceBar{}
		sb.bar = cp.newBar(p.Source, sb)
		cp.bars[p.Source] = sb
	}
	sb.p = p
	cp.mu.Unlock()
	cur := s.Requests + s.Replayed
	total := p.ExpectedRequests
	if cur >= total {
		total = cur + 1 // more than last time: the estimate runs out, the bar keeps moving
	}
	sb.bar.SetTotal(total, false)
	sb.bar.SetCurrent(cur)
	if p.Done {
		sb.bar.SetTotal(cur, true)
	}
}

func (cp *crawlProgress) newBar(source string, sb *sourceBar) *mpb.Bar {
	info := decor.Any(func(decor.Statistics) string {
		cp.mu.Lock()
		p := sb.p
		cp.mu.Unlock()
		s := p.Stats
		done := s.Requests + s.Replayed
		rate := float64(done) / max(p.Elapsed.Seconds(), 0.001)
		line := fmt.Sprintf("%6d req %7d rec %6.1f/s %6s", done, s.Records, rate, p.Elapsed.Round(time.Second))
		if exp := p.ExpectedRequests; exp > 0 && rate > 0 && done < exp && !p.Done {
			left := time.Duration(float64(exp-done) / rate * float64(time.Second))
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

// step is the pipelines.TransformOptions.Step callback: the transform's SQL step i of n, starting.
func (cp *crawlProgress) step(i, n int, name string) {
	if cp.log != nil {
		if i <= n {
			cp.log.Info("transform step", "step", name, "i", i, "of", n)
		}
		return
	}
	cp.mu.Lock()
	if cp.stepBar == nil {
		cp.stepAt = time.Now()
		cp.stepBar = cp.p.New(int64(n), mpb.BarStyle().Lbound("[").Rbound("]"),
			mpb.PrependDecorators(decor.Name("transform", decor.WCSyncWidthR)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				cp.mu.Lock()
				defer cp.mu.Unlock()
				return fmt.Sprintf("%s  %s", cp.stepName, time.Since(cp.stepAt).Round(time.Second))
			})))
	}
	bar := cp.stepBar
	if i <= n {
		cp.stepName = fmt.Sprintf("step %d/%d %s", i, n, name)
	} else {
		cp.stepName = "done"
	}
	cp.mu.Unlock()
	bar.SetCurrent(int64(i - 1))
	if i > n {
		bar.SetTotal(int64(n), true)
	}
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
	if cp.stepBar != nil && !cp.stepBar.Completed() {
		cp.stepBar.Abort(false)
	}
	cp.mu.Unlock()
	cp.p.Wait()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
