package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileInputs feeds the CLI the hostile inputs of issue 8 and pins exit code and message:
// nothing outside the lake is deleted, YAML bombs are refused at once, bad AHP judgements name
// their cell.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	lake := filepath.Join(dir, "lake")
	if code, _, errOut := fhi(t, "runs", "--lake", lake); code != exitError || !strings.Contains(errOut, "not a lake") {
		t.Fatalf("fhi runs on a missing lake: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(lake); !os.IsNotExist(err) {
		t.Fatalf("a reading command created the lake: %v", err)
	}
	if code, _, errOut := fhi(t, "prune", "--lake", lake, "--keep", "1"); code != exitOK {
		t.Fatalf("fhi prune on a new lake: %d %s", code, errOut)
	}
	// A manifest whose source climbs out of the lake, next to something a careless prune would delete.
	outside := filepath.Join(dir, "x", "run=collect-20260101T000000Z-abcd")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	m, _ := json.Marshal(map[string]any{"run_id": "collect-20260101T000000Z-abcd", "stage": "collect", "source": "../../x",
		"status": "succeeded", "upstream_runs": []string{}, "inputs": []any{}, "outputs": []any{}, "started_at": "2026-01-01T00:00:00Z", "pid": 1})
	if err := os.WriteFile(filepath.Join(lake, "runs", "collect-20260101T000000Z-abcd.json"), m, 0o644); err != nil {
		t.Fatal(err)
	}
	// Nine lines of anchors and aliases: a billion laughs.
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n" +
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
	bombFile := filepath.Join(dir, "bomb.yaml")
	cycle := filepath.Join(dir, "cycle.yaml")
	for path, body := range map[string]string{bombFile: bomb, cycle: "root: &r\n  children: [*r]\n"} {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	matrix := func(cell string) string {
		p := filepath.Join(dir, "m"+strings.NewReplacer("-", "neg", ".", "").Replace(cell)+".csv")
		if err := os.WriteFile(p, []byte("1,"+cell+"\n1/3,1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"prune over a manifest escaping the lake", []string{"prune", "--lake", lake, "--keep", "1"}, exitError, `"../../x" is not a valid source name`},
		{"runs over it", []string{"runs", "--lake", lake}, exitError, "collect-20260101T000000Z-abcd.json"},
		{"framework bomb, lint", []string{"lint", "--framework", bombFile}, exitError, "more than"},
		{"framework alias cycle, lint", []string{"lint", "--framework", cycle}, exitError, "alias *r is inside the anchor &r"},
		{"framework bomb, score a file", []string{"score", "--framework", bombFile, "--input", "x.csv", "--out", dir}, exitUsage, "more than"},
		{"config bomb", []string{"lint", "--config", bombFile}, exitError, "more than"},
		{"negative judgement", []string{"ahp", matrix("-3")}, exitUsage, `.csv:1:2: parsing judgment "-3": must be positive and finite`},
		{"zero judgement", []string{"ahp", matrix("0")}, exitUsage, `.csv:1:2: parsing judgment "0": must be positive and finite`},
		{"NaN judgement", []string{"ahp", matrix("NaN")}, exitUsage, `.csv:1:2: parsing judgment "NaN": must be positive and finite`},
		{"infinite judgement", []string{"ahp", matrix("Inf")}, exitUsage, `.csv:1:2: parsing judgment "Inf": must be positive and finite`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := fhi(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("fhi %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tt.args, " "), code, errOut, tt.code, tt.wantErr)
			}
			if strings.Contains(errOut, "main.") || strings.Contains(errOut, "scoring.") {
				t.Errorf("the message leaks Go type names: %s", errOut)
			}
		})
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("prune deleted outside the lake: %v", err)
	}
}
