package pipelines

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// TestMoneyIndicatorsMatchTruth collects the money sources (vc, p2p_loans, cf_projects, plus the
// licensee lists whose registered capital is part of payment and credit capital) from a sample web
// at scale 0.1, transforms them and compares the seven indicators with the world's truth
// (indicators.csv, 万元, printed with 4 decimals). The metrics are in yuan, so truth × 10⁴; the
// tolerance is 1 yuan (the truth's 4-decimal rounding of 万元 is ±0.5 yuan) or 1e-9 relative
// (float summation order), whichever is larger. No other difference is allowed: amounts on the
// sites are exact (deals in whole 万 or 0.1亿, loans in yuan, projects to the 0.01万 the world holds).
func TestMoneyIndicatorsMatchTruth(t *testing.T) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	sources := []string{"vc", "p2p_loans", "cf_projects", "licensees"}
	opts := CollectOptions{BaseURLs: map[string]string{}, Crawl: collectors.DefaultOptions(), Sources: sources}
	sites := map[string]string{}
	for _, s := range srv.Sites() {
		sites[s.Name] = s.BaseURL
	}
	for _, name := range sources {
		src, err := collectors.Default.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		opts.BaseURLs[name] = sites[src.Site]
	}
	opts.Crawl.Parallelism, opts.Crawl.Delay, opts.Crawl.RandomDelay = 8, 0, 0
	opts.Crawl.Retry.BaseDelay, opts.Crawl.Retry.MaxDelay = time.Millisecond, time.Second

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
	truth := readTruthIndicators(t, filepath.Join(dir, "indicators.csv"))

	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	indicators := []string{
		"industry.p2p.capital", "industry.crowdfunding.capital", "industry.payment.capital",
		"industry.credit.capital", "industry.blockchain.capital",
		"experience.p2p.online_borrowing", "experience.crowdfunding.online_fundraising",
	}
	for _, ind := range indicators {
		t.Run(ind, func(t *testing.T) {
			rows, err := db.QueryContext(t.Context(), `SELECT city, value FROM metrics WHERE indicator = ?`, ind)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n, nonzero := 0, 0
			for rows.Next() {
				var city string
				var got float64
				if err := rows.Scan(&city, &got); err != nil {
					t.Fatal(err)
				}
				n++
				want, ok := truth[city][ind]
				if !ok {
					t.Errorf("%s: no truth for city", city)
					continue
				}
				want *= 1e4 // 万元 → yuan
				if want != 0 {
					nonzero++
				}
				if math.Abs(got-want) > math.Max(1, 1e-9*math.Abs(want)) {
					t.Errorf("%s: got %.2f yuan, want %.2f (truth %.4f 万元)", city, got, want, want/1e4)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != 36 || nonzero == 0 {
				t.Errorf("got %d cities (%d with non-zero truth), want 36 and some non-zero", n, nonzero)
			}
		})
	}
}

// readTruthIndicators reads indicators.csv into city → indicator → value.
func readTruthIndicators(t *testing.T, path string) map[string]map[string]float64 {
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
				t.Fatalf("truth %s %s: %v", r[0], id, err)
			}
			m[id] = v
		}
		out[r[0]] = m
	}
	return out
}
