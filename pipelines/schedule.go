package pipelines

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// Tick is one scheduled execution's outcome, for logging.
type Tick struct {
	N        int
	Started  time.Time
	Duration time.Duration
	Err      error
	Next     time.Time
}

// Schedule runs job at the times the cron spec names ("0 2 * * *", "@daily", "@every 6h") until
// ctx is done. A failed run is reported and the schedule goes on: one bad night must not stop the
// next. Runs never overlap; a run that overruns its slot skips the slots it missed. report, if set,
// is called after every run.
func Schedule(ctx context.Context, spec string, job func(ctx context.Context, n int) error, report func(Tick)) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("schedule %q: %w", spec, err)
	}
	for n := 1; ; n++ {
		next := sched.Next(time.Now())
		timer := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
		start := time.Now()
		err := job(ctx, n)
		if report != nil {
			report(Tick{N: n, Started: start, Duration: time.Since(start), Err: err, Next: sched.Next(time.Now())})
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}
