package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to read while another goroutine writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSchedule runs two scheduled nights against the sample web: the second is incremental and
// sees the world a day later; a bad spec is a usage error.
func TestSchedule(t *testing.T) {
	lake := filepath.Join(t.TempDir(), "lake")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"schedule", "--cron", "@every 1s", "--lake", lake, "--scale", "0.05", "--sources", "p2p", "--allow-partial"}, &out, &errOut)
	}()
	// Stop after the second run has published.
	for deadline := time.Now().Add(18 * time.Second); strings.Count(errOut.String(), "run finished") < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("two runs did not finish:\n%s", errOut.String())
		}
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("fhi schedule exited %d:\n%s", code, errOut.String())
	}
	code, js, _ := fhi(t, "runs", "--lake", lake, "--stage", "collect", "--json")
	var runs []struct {
		Params map[string]string `json:"params"`
		Status string            `json:"status"`
	}
	if err := json.Unmarshal([]byte(js), &runs); err != nil || code != exitOK || len(runs) < 2 {
		t.Fatalf("fhi runs: %v, %d runs", err, len(runs))
	}
	if runs[0].Status != "succeeded" || runs[1].Params["incremental_from"] == "" {
		t.Errorf("runs %+v: want a full first night and an incremental second", runs[:2])
	}
	// Two nights, two score runs: fhi diff compares them by default.
	if code, diff, errDiff := fhi(t, "diff", "--lake", lake); code != exitOK || !strings.Contains(diff, "total: score-") || !strings.Contains(diff, "北京") {
		t.Errorf("fhi diff after two nights: exit %d\n%s%s", code, diff, errDiff)
	}
	if !strings.Contains(errOut.String(), "seed 1, scale 0.05") {
		t.Errorf("sample web not started:\n%s", errOut.String())
	}

	if code, _, errOut := fhi(t, "schedule", "--cron", "at two", "--lake", lake); code != exitUsage || !strings.Contains(errOut, "schedule") {
		t.Errorf("bad cron spec: exit %d, %s", code, errOut)
	}
}

// An incremental schedule through a frontier would fail every night (the revisit schedule lives in
// one process): it is refused at the start, from the flag or the environment; --full is accepted.
func TestScheduleFrontierNeedsFull(t *testing.T) {
	lake := filepath.Join(t.TempDir(), "lake")
	for _, tc := range []struct {
		name string
		env  string
		args []string
	}{
		{"flag", "", []string{"schedule", "--cron", "@daily", "--lake", lake, "--frontier", "redis://127.0.0.1:1/0"}},
		{"environment", "redis://127.0.0.1:1/0", []string{"schedule", "--cron", "@daily", "--lake", lake}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envFrontier, tc.env)
			// Bounded: a schedule that started would wait for its first night.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			code := run(ctx, tc.args, &out, &errOut)
			if code != exitUsage || !strings.Contains(errOut.String(), "--frontier needs --full") {
				t.Errorf("fhi %s: exit %d, %s; want a usage error asking for --full", strings.Join(tc.args, " "), code, errOut.String())
			}
		})
	}
	// With --full the schedule starts (and stops when the test's context ends before the first night).
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"schedule", "--cron", "@daily", "--lake", lake, "--frontier", "redis://127.0.0.1:1/0", "--full"}, &out, &errOut); code == exitUsage {
		t.Errorf("fhi schedule --frontier --full: usage error %s", errOut.String())
	}
}
