package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/pipelines"
)

// buildFHI builds the fhi binary into a temporary directory: the end-to-end tests below kill and
// read a real process, as a scheduler and an operator would.
func buildFHI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fhi")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startFHI starts the binary with args; its output goes to a buffer shown on failure.
func startFHI(t *testing.T, bin string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, &out
}

func runFHI(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatal(err)
	}
	return 0, string(out)
}

// waitArchiving waits until a WARC file of source matching pattern (*.warc.gz* any, *.open one
// being written) holds at least minBytes, that is until the crawl is under way in that source.
func waitArchiving(t *testing.T, lake, source, pattern string, minBytes int64, out *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(lake, "archive", source, pattern))
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil && fi.Size() >= minBytes {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("the crawl never reached %s:\n%s", source, out)
}

// scoreRunID is the score run id in scores.csv's score_run column: the one thing two runs over the
// same data publish differently.
var scoreRunID = regexp.MustCompile(`score-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}`)

// publishedScores is the lake's published scores.csv, its score run id masked.
func publishedScores(t *testing.T, lake string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(lake, "published", "scores.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return scoreRunID.ReplaceAll(b, []byte("score-RUN"))
}

// TestKilledRunResumesToTheSameScores: `fhi run` killed with SIGKILL early, midway and late in its
// collect stage, then `fhi run --resume`, publishes a scores.csv byte-identical to an
// uninterrupted run's (but for the score run id it names). Meanwhile another process reads the lake a run is writing.
func TestKilledRunResumesToTheSameScores(t *testing.T) {
	if testing.Short() {
		t.Skip("builds fhi and runs the pipeline seven times")
	}
	bin := buildFHI(t)
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole")
	if code, out := runFHI(t, bin, "run", "--lake", whole, "--scale", "0.3"); code != 0 {
		t.Fatalf("fhi run exited %d:\n%s", code, out)
	}
	want := publishedScores(t, whole)

	for _, point := range []struct{ name, source string }{{"early", "baidu_heat"}, {"mid", "jobs"}, {"late", "registry"}} {
		t.Run(point.name, func(t *testing.T) {
			lake := filepath.Join(dir, point.name)
			cmd, out := startFHI(t, bin, "run", "--lake", lake, "--scale", "0.3")
			waitArchiving(t, lake, point.source, "*.warc.gz*", 4096, out)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			code, resumeOut := runFHI(t, bin, "run", "--lake", lake, "--scale", "0.3", "--resume")
			if code != 0 {
				t.Fatalf("fhi run --resume exited %d:\n%s", code, resumeOut)
			}
			if got := publishedScores(t, lake); !bytes.Equal(got, want) {
				t.Errorf("killed %s and resumed, fhi published\n%s\nan uninterrupted run published\n%s", point.name, got, want)
			}
			if strings.Contains(resumeOut, "have no data yet") {
				t.Errorf("the resumed run left indicators out:\n%s", resumeOut)
			}
		})
	}

	t.Run("another process reads the lake a run writes", func(t *testing.T) {
		cmd, out := startFHI(t, bin, "run", "--lake", whole, "--scale", "0.3")
		waitArchiving(t, whole, "p2p", "*.warc.gz.open", 4096, out) // this run's, not the last one's
		// The reading commands, as a user would type them in another shell.
		for _, args := range [][]string{{"status"}, {"scores", "--top", "5"}, {"runs", "--stage", "collect"}} {
			code, got := runFHI(t, bin, append(args, "--lake", whole)...)
			if code != 0 {
				t.Errorf("fhi %s during a run exited %d:\n%s", args[0], code, got)
			}
			if args[0] == "status" && (!strings.Contains(got, ": running") || !strings.Contains(got, "p2p")) {
				t.Errorf("fhi status during a run does not show it running:\n%s", got)
			}
		}
		lake, err := pipelines.OpenLakeReadOnly(whole)
		if err != nil {
			t.Fatal(err)
		}
		st, err := lake.Status()
		if err != nil || !st.Running || st.Run == nil || st.Run.Status != pipelines.StatusRunning || len(st.Sources) != len(collectors.Default.Sources()) {
			t.Errorf("status during the run: %v, %+v", err, st)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("the run with a reader alongside: %v\n%s", err, out)
		}
	})
}
