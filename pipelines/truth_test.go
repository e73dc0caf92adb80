package pipelines

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// collectTruthWorld crawls sources from a sample web (seed 1, scale 0.1) into a new lake, runs the
// transform, and returns the lake and the world's true indicators: city → indicator id → value,
// from the truth export's indicators.csv (values printed with 4 decimals).
func collectTruthWorld(t *testing.T, sources ...string) (*Lake, map[string]map[string]float64) {
	t.Helper()
	lake, dir := collectTruth(t, sources...)
	return lake, readTruth(t, filepath.Join(dir, "indicators.csv"))
}

// collectTruth is collectTruthWorld returning the directory the world's truth was exported to.
func collectTruth(t *testing.T, sources ...string) (*Lake, string) {
	t.Helper()
	srv, opts := serveSampleWeb(t, sampleweb.Options{Seed: 1, Scale: 0.1})
	opts.Sources = sources
	for _, name := range sources {
		if opts.BaseURLs[name] == "" {
			t.Fatalf("the sample web has no site for source %s", name)
		}
	}

	lake := openTestLake(t)
	if _, err := lake.Collect(t.Context(), opts); err != nil {
		t.Fatalf("collecting: %v", err)
	}
	if _, err := lake.Transform(t.Context(), TransformOptions{}); err != nil {
		t.Fatalf("transforming: %v", err)
	}
	dir := t.TempDir()
	if err := srv.World().WriteTruth(dir); err != nil {
		t.Fatal(err)
	}
	return lake, dir
}

// readTruth reads indicators.csv into city → indicator → value.
func readTruth(t *testing.T, path string) map[string]map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, r := range recs[1:] {
		m := map[string]float64{}
		for i, id := range recs[0][1:] {
			v, err := strconv.ParseFloat(r[i+1], 64)
			if err != nil {
				t.Fatalf("%s: %s %s: %v", path, r[0], id, err)
			}
			m[id] = v
		}
		out[r[0]] = m
	}
	return out
}
