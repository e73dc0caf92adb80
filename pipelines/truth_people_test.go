package pipelines

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// TestTalentMatchesTruth collects the registry and both recruitment sites from a sample web,
// transforms, and compares every industry.S.talent value with the world's truth (indicators.csv).
// The truth file prints values with 4 decimals and every salary string is an exact decimal image of
// the world's range, so the only difference allowed is that rounding: |got − want| ≤ 1e-4.
func TestTalentMatchesTruth(t *testing.T) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	sources := map[string]string{"jobs": "jobs-api", "jobs_gbk": "jobs-gbk", "registry": "registry"}
	opts := CollectOptions{BaseURLs: map[string]string{}, Crawl: collectors.DefaultOptions()}
	for _, s := range srv.Sites() {
		for src, site := range sources {
			if s.Name == site {
				opts.BaseURLs[src] = s.BaseURL
				opts.Sources = append(opts.Sources, src)
			}
		}
	}
	if len(opts.Sources) != len(sources) {
		t.Fatalf("sample web lacks sites for %v: got %v", sources, opts.BaseURLs)
	}
	opts.Crawl.Parallelism, opts.Crawl.Delay, opts.Crawl.RandomDelay = 8, 0, 0
	opts.Crawl.Retry.BaseDelay, opts.Crawl.Retry.MaxDelay = time.Millisecond, time.Second

	lake := openTestLake(t)
	if _, err := lake.Collect(t.Context(), opts); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if _, err := lake.Transform(t.Context(), TransformOptions{}); err != nil {
		t.Fatalf("Transform: %v", err)
	}

	dir := t.TempDir()
	if err := srv.World().WriteTruth(dir); err != nil {
		t.Fatal(err)
	}
	truth := readTruth(t, filepath.Join(dir, "indicators.csv"))

	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT indicator, city, value FROM metrics WHERE indicator LIKE 'industry.%.talent'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, nonzero, maxDiff := 0, 0, 0.0
	for rows.Next() {
		var ind, city string
		var got float64
		if err := rows.Scan(&ind, &city, &got); err != nil {
			t.Fatal(err)
		}
		want, ok := truth[city][ind]
		if !ok {
			t.Errorf("%s %s: no truth value", ind, city)
			continue
		}
		if math.Abs(got-want) > 1e-4 {
			t.Errorf("%s %s: got %.4f, want %.4f (truth)", ind, city, got, want)
		}
		maxDiff = math.Max(maxDiff, math.Abs(got-want))
		n++
		if want != 0 {
			nonzero++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d talent values (%d non-zero) agree with the truth; largest difference %.2g", n, nonzero, maxDiff)
	if n != 5*36 || nonzero < 36 {
		t.Errorf("compared %d talent values (%d non-zero), want 180 with at least 36 non-zero", n, nonzero)
	}
	var unlinked int
	if err := db.QueryRow(`SELECT count(*) FROM quarantine WHERE source IN ('jobs', 'jobs_gbk')`).Scan(&unlinked); err != nil {
		t.Fatal(err)
	}
	if unlinked != 0 {
		t.Errorf("got %d quarantined postings, want 0: every sample-web posting has a registry company and a city", unlinked)
	}
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
			if !strings.HasSuffix(id, ".talent") {
				continue
			}
			v, err := strconv.ParseFloat(r[i+1], 64)
			if err != nil {
				t.Fatalf("truth %s %s: %v", r[0], id, err)
			}
			m[id] = v
		}
		out[r[0]] = m
	}
	return out
}
