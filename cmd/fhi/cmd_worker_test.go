package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
)

var scoreRunMasked = regexp.MustCompile(`score-\d{8}T\d{6}Z-[0-9a-f]{4}`)

// The workers a coordinator starts are this test binary acting as fhi (TestMain).
func init() { localWorkerEnv = append(localWorkerEnv, "FHI_TEST_MAIN=1") }

// fhi run --frontier with two local worker processes publishes the scores a single-process run
// publishes, and the frontier's status shows the sealed run and its workers; the password never
// shows.
func TestRunWithWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("two pipeline runs and a redis-server; skipped with -short")
	}
	srv := frontiertest.Start(t, frontiertest.Options{Password: "s3cret-pw"})
	tmp := t.TempDir()
	single, dist := filepath.Join(tmp, "single"), filepath.Join(tmp, "dist")
	if code, _, errOut := fhi(t, "run", "--lake", single, "--scale", "0.05"); code != exitOK {
		t.Fatalf("single-process run: exit %d\n%s", code, errOut)
	}
	code, _, errOut := fhi(t, "run", "--lake", dist, "--scale", "0.05", "--frontier", srv.URL(), "--workers", "2")
	if code != exitOK {
		t.Fatalf("fhi run --frontier --workers 2: exit %d\n%s", code, errOut)
	}
	if strings.Count(errOut, "worker started") != 2 || !strings.Contains(errOut, "worker stopped") {
		t.Errorf("the coordinator's stderr does not show two workers starting and stopping:\n%s", errOut)
	}
	_, want, _ := fhi(t, "scores", "--lake", single, "--format", "csv")
	_, got, _ := fhi(t, "scores", "--lake", dist, "--format", "csv")
	want, got = scoreRunMasked.ReplaceAllString(want, "score-X"), scoreRunMasked.ReplaceAllString(got, "score-X")
	if want == "" || got != want {
		t.Errorf("scores differ:\nsingle process:\n%.800s\ndistributed:\n%.800s", want, got)
	}
	code, out, errOut := fhi(t, "frontier", "status", "--frontier", srv.URL())
	if code != exitOK || !strings.Contains(out, "sealed") || !strings.Contains(out, "COMMITS") {
		t.Errorf("fhi frontier status: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = fhi(t, "status", "--lake", dist, "--frontier", srv.URL())
	if code != exitOK || !strings.Contains(out, "live workers") {
		t.Errorf("fhi status --frontier: exit %d\n%s%s", code, out, errOut)
	}
	for _, s := range []string{errOut, out} {
		if strings.Contains(s, "s3cret-pw") {
			t.Errorf("the frontier's password is shown:\n%s", s)
		}
	}
	code, _, errOut = fhi(t, "worker", "--frontier", "redis://127.0.0.1:1/0", "--lake", dist, "--run", "x")
	if code != exitError || !strings.Contains(errOut, "127.0.0.1:1") {
		t.Errorf("a worker pointed at no Redis: exit %d, %s", code, errOut)
	}
}
