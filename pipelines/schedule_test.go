package pipelines

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestScheduleRunsOnTimeAndSurvivesFailures(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var ticks []Tick
	err := Schedule(ctx, "@every 1s", func(ctx context.Context, n int) error {
		if n == 1 {
			return errors.New("the site was down")
		}
		return nil
	}, func(tk Tick) {
		ticks = append(ticks, tk)
		if tk.N == 2 {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ticks) != 2 || ticks[0].Err == nil || ticks[1].Err != nil {
		t.Fatalf("got ticks %+v, want a failed run followed by a successful one", ticks)
	}
	if gap := ticks[1].Started.Sub(ticks[0].Started); gap < 900*time.Millisecond {
		t.Errorf("runs %s apart, want about a second", gap)
	}
	if !ticks[1].Next.After(ticks[1].Started) {
		t.Errorf("next run %s is not after the last", ticks[1].Next)
	}
}

func TestScheduleRejectsBadSpec(t *testing.T) {
	if err := Schedule(t.Context(), "every night", func(context.Context, int) error { return nil }, nil); err == nil {
		t.Error("a bad cron spec was accepted")
	}
}
