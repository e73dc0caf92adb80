package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/sampleweb"
)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", `
sites:
  p2p: https://www.example.com/p2p
crawl:
  user_agent: "fhi test"
  parallelism: 3
  delay: 2s
  max_attempts: 7
  auto_throttle: true
`)
	c, err := loadConfig(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sites["p2p"] != "https://www.example.com/p2p" || c.Crawl.Parallelism != 3 || c.Crawl.Delay != 2*time.Second || c.Crawl.MaxAttempts != 7 || !c.Crawl.AutoThrottle {
		t.Errorf("got %+v", c)
	}

	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "crawl:\n  paralelism: 2\n", []string{`line 2: unknown key "paralelism"`}},
		{"every problem at once", `
sites:
  nosuch: https://x.test/
  p2p: ftp://x.test/
spec_dir: /no/such/dir
crawl:
  parallelism: -1
  max_attempts: -2
  delay: -1s
`, []string{"sites.nosuch: no such source", `sites.p2p: must be an absolute http(s) URL, got "ftp://x.test/"`,
			"spec_dir: /no/such/dir is not a directory", "crawl.parallelism: must be ≥ 1, got -1",
			"crawl.max_attempts: must be ≥ 1, got -2", "crawl.delay: must not be negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(writeFile(t, dir, "bad.yaml", tt.yaml))
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v lacks %q", err, w)
				}
			}
			if err != nil && !strings.Contains(err.Error(), "bad.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

// TestCollectWithConfig crawls the site a config file names; a flag on the command line wins over
// the config (--delay 0 here, so the test does not wait the config's second between requests).
func TestCollectWithConfig(t *testing.T) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "fhi.yaml", "sites:\n  p2p: "+srv.URL()+"/p2p\ncrawl:\n  parallelism: 8\n  delay: 1s\n")
	lake := filepath.Join(dir, "lake")
	code, out, errOut := fhi(t, "collect", "--lake", lake, "--config", cfg, "--delay", "0", "p2p")
	if code != exitOK || !strings.Contains(out, "succeeded") || strings.Contains(errOut, "sample web (simulated") {
		t.Fatalf("fhi collect --config: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = fhi(t, "sources", "--lake", lake)
	if code != exitOK || !strings.Contains(out, strings.TrimPrefix(srv.URL(), "http://")) {
		t.Errorf("fhi sources does not show the configured host:\n%s", out)
	}
}

func TestLint(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := fhi(t, "lint"); code != exitOK || !strings.HasPrefix(out, "ok:") {
		t.Errorf("fhi lint of the built-in files: exit %d, %s %s", code, out, errOut)
	}
	specDir := filepath.Join(dir, "specs")
	if err := os.Mkdir(specDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, specDir, "broken.yaml", "source: broken\nstart: []\npages: []\n")
	cfg := writeFile(t, dir, "fhi.yaml", "sites:\n  nosuch: http://x.test/\n")
	fw := writeFile(t, dir, "fw.yaml", "not: a framework\n")
	code, _, errOut := fhi(t, "lint", "--spec-dir", specDir, "--config", cfg, "--framework", fw)
	for _, want := range []string{"broken.yaml: start: needs at least one URL", "sites.nosuch: no such source", "framework:"} {
		if code != exitError || !strings.Contains(errOut, want) {
			t.Errorf("fhi lint: exit %d, output lacks %q:\n%s", code, want, errOut)
		}
	}
}

// TestLoadConfigHostileYAML: a wrong type says what the file should hold, without Go type names,
// and an alias bomb fails at once.
func TestLoadConfigHostileYAML(t *testing.T) {
	dir := t.TempDir()
	_, err := loadConfig(writeFile(t, dir, "typed.yaml", "crawl: [1, 2]\n"))
	if err == nil || strings.Contains(err.Error(), "main.") || strings.Contains(err.Error(), "CrawlConfig") || !strings.Contains(err.Error(), "line 1: got a list, want a mapping") {
		t.Errorf("config with a list for crawl: %v", err)
	}
	bomb := "sites: &s {p2p: http://x.test/}\nspec_dir: &d [" + strings.Repeat("*s, ", 40) + "*s]\n"
	if _, err := loadConfig(writeFile(t, dir, "bomb.yaml", bomb)); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("config alias bomb: %v", err)
	}
}
