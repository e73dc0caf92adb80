package pipelines

import (
	"math"
	"testing"
)

// TestTalentMatchesTruth collects the registry and both recruitment sites from a sample web,
// transforms, and compares every industry.S.talent value with the world's truth (indicators.csv).
// The truth file prints values with 4 decimals and every salary string is an exact decimal image of
// the world's range, so the only difference allowed is that rounding: |got − want| ≤ 1e-4.
func TestTalentMatchesTruth(t *testing.T) {
	lake, truth := collectTruthWorld(t, "jobs", "jobs_gbk", "registry")

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
