package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test re-run this binary as the fhi command (FHI_TEST_MAIN=1), so a real process
// can be killed mid-crawl without building anything else.
func TestMain(m *testing.M) {
	if os.Getenv("FHI_TEST_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// fhi runs one command in-process and returns its exit code, stdout and stderr.
func fhi(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunThenScores(t *testing.T) {
	lake := filepath.Join(t.TempDir(), "lake")
	scale := "0.3"
	if testing.Short() {
		scale = "0.05"
	}
	code, out, errOut := fhi(t, "run", "--lake", lake, "--scale", scale)
	if code != exitOK {
		t.Fatalf("fhi run exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "Lake: ") || !strings.Contains(errOut, "sample web") {
		t.Errorf("fhi run output lacks the lake path or the sample-web notice:\n%s\n%s", out, errOut)
	}

	code, out, errOut = fhi(t, "scores", "--lake", lake, "--format", "csv")
	if code != exitOK {
		t.Fatalf("fhi scores exited %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("scores CSV: %v\n%s", err, out)
	}
	if got := strings.Join(recs[0][:3], ","); got != "rank,city,total" {
		t.Errorf("CSV header starts %q, want rank,city,total", got)
	}
	if len(recs)-1 < 20 {
		t.Errorf("got %d ranked cities, want at least 20", len(recs)-1)
	}
	if recs[1][0] != "1" {
		t.Errorf("first row has rank %s, want 1", recs[1][0])
	}

	code, out, _ = fhi(t, "scores", "--lake", lake, "--format", "json")
	var table struct {
		Columns []string `json:"columns"`
		Rows    []any    `json:"rows"`
		Missing []string `json:"missing_indicators"`
	}
	// Every source is crawled: all 39 indicators have data, and total, 3 level-1 and 16 level-2
	// sub-indices are scored.
	if code != exitOK || json.Unmarshal([]byte(out), &table) != nil || len(table.Rows) != len(recs)-1 || len(table.Missing) != 0 || len(table.Columns) != 20 {
		t.Errorf("fhi scores --format json: code %d, %d rows, %d columns, missing indicators %v", code, len(table.Rows), len(table.Columns), table.Missing)
	}

	code, out, errOut = fhi(t, "scores", "--lake", lake, "--format", "csv", "--level", "3")
	if code != exitOK || !strings.HasPrefix(out, "rank,city,total,industry.p2p.") {
		t.Errorf("fhi scores --level 3: exit %d, want indicator columns after total:\n%s%s", code, out, errOut)
	}

	code, out, _ = fhi(t, "runs", "--lake", lake)
	for _, stage := range []string{"collect", "transform", "score", "publish"} {
		if code != exitOK || !strings.Contains(out, stage+"-") {
			t.Errorf("fhi runs lacks a %s run:\n%s", stage, out)
		}
	}
	code, out, _ = fhi(t, "sources", "--lake", lake)
	if code != exitOK || !strings.Contains(out, "p2p") || !strings.Contains(out, "collect-") {
		t.Errorf("fhi sources does not list p2p with its last run:\n%s", out)
	}
	code, out, errOut = fhi(t, "lineage", "--lake", lake, "--verify", "--limit", "3", "杭州", "industry.p2p.firms")
	if code != exitOK || !strings.Contains(out, "bytes verified") || !strings.Contains(out, "warc.gz @") {
		t.Errorf("fhi lineage exited %d:\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut = fhi(t, "lineage", "--lake", lake, "杭州", "no.such.indicator"); code != exitError || !strings.Contains(errOut, "no such score") {
		t.Errorf("fhi lineage of an unknown indicator: exit %d, %s", code, errOut)
	}
	if code, out, errOut = fhi(t, "prune", "--lake", lake, "--keep", "1", "--dry-run"); code != exitOK || !strings.Contains(out, "would remove") {
		t.Errorf("fhi prune --dry-run exited %d: %s %s", code, out, errOut)
	}
	if code, _, errOut = fhi(t, "quality", "--lake", lake); code != exitOK {
		t.Errorf("fhi quality exited %d: %s", code, errOut)
	}
	code, out, errOut = fhi(t, "weights", "--lake", lake)
	if code != exitOK || !strings.Contains(out, "industry.p2p") {
		t.Errorf("fhi weights exited %d:\n%s\n%s", code, out, errOut)
	}
	// Monte Carlo rank intervals are stored by score and shown by scores.
	if code, _, errOut := fhi(t, "score", "--lake", lake, "--mc-draws", "200"); code != exitOK {
		t.Fatalf("fhi score --mc-draws exited %d: %s", code, errOut)
	}
	code, out, _ = fhi(t, "publish", "--lake", lake)
	if code == exitOK {
		code, out, _ = fhi(t, "scores", "--lake", lake)
	}
	if code != exitOK || !strings.Contains(out, "5–95% rank") {
		t.Errorf("fhi scores after --mc-draws lacks rank intervals:\n%s", out)
	}
	// Stages alone: transform, score (no sample web is running now) and publish.
	for _, args := range [][]string{{"transform"}, {"score"}, {"publish"}} {
		if code, out, errOut := fhi(t, append(args, "--lake", lake)...); code != exitOK {
			t.Errorf("fhi %s exited %d:\n%s\n%s", args[0], code, out, errOut)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	lake := filepath.Join(dir, "lake")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown source", []string{"collect", "--lake", lake, "nosuch"}, exitUsage, `unknown source "nosuch"`},
		{"lake is a file", []string{"runs", "--lake", file}, exitError, "is a file, not a directory"},
		{"from-run missing", []string{"transform", "--lake", lake, "--from-run", "collect-20990101T000000Z-0000"}, exitError, "run not found"},
		{"score from-run missing", []string{"score", "--lake", lake, "--from-run", "nope"}, exitError, "run not found"},
		{"scores before any run", []string{"scores", "--lake", lake}, exitError, "no published scores"},
		{"bad format", []string{"scores", "--lake", lake, "--format", "xml"}, exitUsage, "want table, csv, json or xlsx"},
		{"bad level", []string{"scores", "--lake", lake, "--level", "7"}, exitUsage, "want 0, 1, 2 or 3"},
		{"prune without keep", []string{"prune", "--lake", lake}, exitUsage, "--keep N is required"},
		{"diff without runs", []string{"diff", "--lake", lake}, exitError, "fewer than two score runs"},
		{"diff of unknown runs", []string{"diff", "--lake", lake, "score-a", "score-b"}, exitError, "run not found"},
		{"bad site", []string{"collect", "--lake", lake, "--site", "p2p"}, exitUsage, "want source=URL"},
		{"bad flag", []string{"run", "--no-such-flag"}, exitUsage, "unknown flag: --no-such-flag"},
		{"flags after arguments", []string{"lineage", "杭州", "industry.p2p.firms", "--lake", lake, "--verify"}, exitError, "no published scores"},
		{"too many arguments", []string{"lineage", "--lake", lake, "杭州"}, exitUsage, "want 2 argument(s): city indicator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := fhi(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("fhi %v: got exit %d and %q, want exit %d and %q", tt.args, code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}

// TestKilledCollectThenRun kills a real fhi process with SIGKILL in the middle of a crawl: no
// partition of that run may exist, its manifest reads as abandoned, and the next fhi run succeeds.
func TestKilledCollectThenRun(t *testing.T) {
	lake := filepath.Join(t.TempDir(), "lake")
	cmd := exec.Command(os.Args[0], "collect", "--lake", lake, "--scale", "0.3", "--parallelism", "1", "--delay", "5ms", "p2p")
	cmd.Env = append(os.Environ(), "FHI_TEST_MAIN=1")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the crawl is under way: its temporary partition holds a part file or the archive grew.
	deadline := time.Now().Add(60 * time.Second)
	for {
		warcs, _ := filepath.Glob(filepath.Join(lake, "archive", "p2p", "*.warc.gz*"))
		if len(warcs) > 0 {
			if fi, err := os.Stat(warcs[0]); err == nil && fi.Size() > 20_000 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("crawl did not start within a minute:\n%s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	if parts, _ := filepath.Glob(filepath.Join(lake, "raw", "p2p", "run=*")); len(parts) != 0 {
		t.Fatalf("a killed collect left a partition: %v", parts)
	}
	code, out, _ := fhi(t, "runs", "--lake", lake)
	if code != exitOK || !strings.Contains(out, "abandoned") {
		t.Errorf("fhi runs does not show the killed run as abandoned:\n%s", out)
	}
	// --resume finishes the killed run: its archived pages are replayed, the rest fetched.
	code, out, stderr := fhi(t, "collect", "--lake", lake, "--scale", "0.3", "--resume", "p2p")
	if code != exitOK || !strings.Contains(out, "succeeded") {
		t.Fatalf("fhi collect --resume exited %d:\n%s\n%s", code, out, stderr)
	}
	resumedRun := strings.Fields(out)[0]
	code, out, stderr = fhi(t, "run", "--lake", lake, "--scale", "0.3", "--sources", "p2p", "--allow-partial")
	if code != exitOK {
		t.Fatalf("fhi run after a kill exited %d:\n%s\n%s", code, out, stderr)
	}
	if parts, _ := filepath.Glob(filepath.Join(lake, "raw", "p2p", "run=*")); len(parts) != 2 {
		t.Errorf("got partitions %v, want the resumed run's and the new run's", parts)
	}
	// The resumed run has the records an uninterrupted run has.
	code, out, _ = fhi(t, "runs", "--lake", lake, "--stage", "collect", "--json")
	var runs []struct {
		RunID  string `json:"run_id"`
		Status string `json:"status"`
		Rows   int64  `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &runs); err != nil || code != exitOK {
		t.Fatalf("fhi runs --json: %v\n%s", err, out)
	}
	rows := map[string]int64{}
	for _, r := range runs {
		rows[r.RunID] = r.Rows
	}
	if last := runs[len(runs)-1]; rows[resumedRun] != last.Rows || last.Rows == 0 {
		t.Errorf("resumed run %s has %d records, an uninterrupted run %d", resumedRun, rows[resumedRun], last.Rows)
	}
}

// TestDefaultRunReproducesPublishedOrder runs the newcomer's command — fhi run, full-scale sample
// web — and compares the ranking with the 2017 report's published top 20 (../shared/FHI2017.md §4):
// the top five in the published order and Spearman ρ ≥ 0.9 over the published twenty. The sample
// web is calibrated to the report, so this checks that collect → transform → score recovers it.
func TestDefaultRunReproducesPublishedOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the full-scale sample web (about 40 s)")
	}
	published := []string{"北京", "上海", "深圳", "杭州", "广州", "成都", "武汉", "南京", "天津", "西安",
		"青岛", "济南", "重庆", "郑州", "长沙", "宁波", "合肥", "厦门", "大连", "贵阳"}
	lake := filepath.Join(t.TempDir(), "lake")
	if code, out, errOut := fhi(t, "run", "--lake", lake); code != exitOK {
		t.Fatalf("fhi run exited %d:\n%s\n%s", code, out, errOut)
	}
	code, out, _ := fhi(t, "scores", "--lake", lake, "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != exitOK || err != nil {
		t.Fatalf("fhi scores: %d %v", code, err)
	}
	rank := map[string]float64{}
	for i, r := range recs[1:] {
		rank[r[1]] = float64(i + 1)
	}
	for i, city := range published[:5] {
		if rank[city] != float64(i+1) {
			t.Errorf("%s ranks %g, published %d", city, rank[city], i+1)
		}
	}
	// Spearman ρ over the published twenty, their ranks among themselves in our ranking.
	order := append([]string(nil), published...)
	sort.SliceStable(order, func(i, j int) bool { return rank[order[i]] < rank[order[j]] })
	ours := map[string]int{}
	for i, c := range order {
		ours[c] = i + 1
	}
	var d2 float64
	for i, c := range published {
		d := float64(ours[c] - (i + 1))
		d2 += d * d
	}
	n := float64(len(published))
	rho := 1 - 6*d2/(n*(n*n-1))
	if rho < 0.9 {
		t.Errorf("Spearman ρ with the published top 20 = %.3f, want ≥ 0.9; our order: %v", rho, order)
	}
	t.Logf("Spearman ρ with the published top 20: %.3f", rho)
}
