package pipelines

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// writeRawManifest puts a manifest file into the lake's runs/ as an attacker (or a careless script)
// would: not through writeManifest.
func writeRawManifest(t *testing.T, lake *Lake, name string, m map[string]any) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lake.Root, "runs", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func goodManifest(id, stage, source string) map[string]any {
	return map[string]any{"run_id": id, "stage": stage, "source": source, "status": "failed",
		"started_at": time.Now().UTC().Add(-48 * time.Hour), "upstream_runs": []string{}, "inputs": []any{}, "outputs": []any{}}
}

// TestHostileManifests: manifests are validated when read, and nothing a manifest says can make
// fhi act outside the lake.
func TestHostileManifests(t *testing.T) {
	const id = "collect-20260101T000000Z-abcd"
	tests := []struct {
		name   string
		file   string
		edit   func(m map[string]any)
		errHas string
	}{
		{"source escaping the lake", id + ".json", func(m map[string]any) { m["source"] = "../../x" }, `"../../x" is not a valid source name`},
		{"absolute source", id + ".json", func(m map[string]any) { m["source"] = "/etc" }, "is not a valid source name"},
		{"output path escaping the lake", id + ".json", func(m map[string]any) {
			m["outputs"] = []map[string]any{{"path": "../../etc/passwd", "sha256": "x", "bytes": 1}}
		}, `file "../../etc/passwd" is not a path inside the lake`},
		{"absolute output path", id + ".json", func(m map[string]any) {
			m["outputs"] = []map[string]any{{"path": "/etc/passwd", "sha256": "x", "bytes": 1}}
		}, "is not a path inside the lake"},
		{"input path climbing out", id + ".json", func(m map[string]any) {
			m["inputs"] = []map[string]any{{"path": "../../etc/passwd", "sha256": "x", "bytes": 1}}
		}, `input "../../etc/passwd" is neither a path inside the lake nor an absolute path`},
		{"run id unlike its file", id + ".json", func(m map[string]any) { m["run_id"] = "collect-20260101T000000Z-ffff" }, "differs from its file name"},
		{"run id that is a path", id + ".json", func(m map[string]any) { m["upstream_runs"] = []string{"../../etc"} }, `upstream run "../../etc" is not a run id`},
		{"unknown stage", "frob-20260101T000000Z-abcd.json", func(m map[string]any) { m["stage"] = "frob"; m["run_id"] = "frob-20260101T000000Z-abcd" }, "not a run id fhi makes"},
		{"stage unlike its id", id + ".json", func(m map[string]any) { m["stage"] = "score"; m["source"] = "" }, "is not a score run id"},
		{"unknown status", id + ".json", func(m map[string]any) { m["status"] = "fine" }, `unknown status "fine"`},
		{"a file that is no run id", "notes.json", func(map[string]any) {}, "runs/notes.json: not a run id"},
		{"not JSON", id + ".json", nil, "invalid manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lake := openTestLake(t)
			// Something outside the lake that a careless prune would delete.
			outside := filepath.Join(filepath.Dir(lake.Root), "x")
			if err := os.MkdirAll(filepath.Join(outside, "run="+id), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.edit == nil {
				if err := os.WriteFile(filepath.Join(lake.Root, "runs", tt.file), []byte("{not json"), 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				m := goodManifest(id, StageCollect, "p2p")
				tt.edit(m)
				writeRawManifest(t, lake, tt.file, m)
			}
			_, err := lake.Runs()
			if !errors.Is(err, ErrBadManifest) || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("Runs: %v, want ErrBadManifest saying %q", err, tt.errHas)
			}
			if err != nil && tt.edit != nil && !strings.Contains(err.Error(), tt.file) {
				t.Errorf("Runs: %v does not name the file %s", err, tt.file)
			}
			if _, err := lake.Prune(t.Context(), PruneOptions{Keep: 1}); !errors.Is(err, ErrBadManifest) {
				t.Errorf("Prune over a bad manifest: %v, want ErrBadManifest", err)
			}
			if _, err := os.Stat(filepath.Join(outside, "run="+id)); err != nil {
				t.Errorf("something outside the lake was deleted: %v", err)
			}
		})
	}
	t.Run("run ids from the command line", func(t *testing.T) {
		lake := openTestLake(t)
		for _, id := range []string{"../../etc/passwd", "collect-x/../../y", ".hidden", "", "collect-20260101T000000Z-abcd/.."} {
			if _, err := lake.Run(id); !errors.Is(err, ErrRunNotFound) || !strings.Contains(err.Error(), "is not a run id") {
				t.Errorf("Run(%q): %v, want ErrRunNotFound saying it is not a run id", id, err)
			}
		}
	})
	t.Run("source names from the command line", func(t *testing.T) {
		lake := openTestLake(t)
		for _, name := range []string{"../x", "P2P", "p2p;rm"} {
			_, err := lake.Collect(t.Context(), CollectOptions{Sources: []string{name}, BaseURLs: map[string]string{name: "http://127.0.0.1:1/"}})
			if !errors.Is(err, collectors.ErrSourceName) {
				t.Errorf("Collect of source %q: %v, want collectors.ErrSourceName", name, err)
			}
		}
	})
}

// TestPageIndexConfined: a page index naming a WARC file outside the source's archive is refused,
// so a re-parse never reads outside the lake.
func TestPageIndexConfined(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.05)
	first := collectOne(t, lake, opts)
	path := filepath.Join(lake.RawDir("p2p", first.RunID), "pages.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pages []map[string]any
	if err := json.Unmarshal(b, &pages); err != nil {
		t.Fatal(err)
	}
	pages[0]["warc_file"] = "../../../../etc/passwd.warc.gz"
	b, _ = json.Marshal(pages)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = lake.Collect(t.Context(), CollectOptions{FromArchive: first.RunID, Crawl: opts.Crawl})
	if err == nil || !strings.Contains(err.Error(), "not a WARC file of the source's archive") || !strings.Contains(err.Error(), "pages.json") {
		t.Errorf("re-parse with an escaping page index: %v", err)
	}
}

func TestInsideLake(t *testing.T) {
	l := &Lake{Root: "/data/lake"}
	for p, want := range map[string]bool{
		"/data/lake/raw/p2p/run=x": true, "/data/lake": true, "/data/lake/raw/../archive": true,
		"/data/lake/../x": false, "/data/lakeside/x": false, "/etc": false, "/data/lake/raw/../../x": false,
	} {
		if got := l.inside(p); got != want {
			t.Errorf("inside(%s) = %v, want %v", p, got, want)
		}
	}
}
