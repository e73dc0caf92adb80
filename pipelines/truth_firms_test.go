package pipelines

import (
	"math"
	"testing"
)

// TestFirmIndicatorsMatchTruth collects the firm lists (the P2P directory, the crowdfunding
// platform list, the three licensee lists) from a sample web at scale 0.1 and compares the ten
// firm and volume indicators for all 36 cities with the world's truth. The sites print statuses in
// several spellings and in English, the P2P directory's 所在地 as 广东|深圳 with district-only,
// spaced and former-city addresses, and list cities with 市, provinces and districts: every firm
// must still land in its city with its status, and nothing may be quarantined.
func TestFirmIndicatorsMatchTruth(t *testing.T) {
	lake, truth := collectTruthWorld(t, "p2p", "crowdfunding", "licensees")
	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// The messy shapes are there to be cleaned.
	for _, c := range []struct{ what, query string }{
		{"English statuses", `SELECT count(*) FROM raw_p2p WHERE status = 'normal'`},
		{"combined statuses", `SELECT count(*) FROM raw_p2p WHERE status = '停业或转型'`},
		{"省|市 locations", `SELECT count(*) FROM raw_p2p WHERE location LIKE '%|%'`},
		{"former city names", `SELECT count(*) FROM raw_p2p WHERE address LIKE '%莱芜市%'`},
		{"district-only addresses", `SELECT count(*) FROM clean_p2p_platforms WHERE place_method = 'county+context'`},
		{"cities with districts", `SELECT count(*) FROM raw_crowdfunding WHERE city LIKE '%·%'`},
		{"运营中", `SELECT count(*) FROM raw_crowdfunding WHERE status = '运营中'`},
	} {
		var n int
		if err := db.QueryRow(c.query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("the sample web printed no %s", c.what)
		}
	}
	var quarantined int
	if err := db.QueryRow(`SELECT count(*) FROM quarantine`).Scan(&quarantined); err != nil {
		t.Fatal(err)
	}
	if quarantined != 0 {
		t.Errorf("got %d quarantined rows, want none", quarantined)
	}
	for _, s := range []string{"p2p", "crowdfunding", "payment", "credit", "blockchain"} {
		for _, k := range []string{"firms", "volume"} {
			ind := "industry." + s + "." + k
			t.Run(ind, func(t *testing.T) {
				rows, err := db.Query(`SELECT city, value FROM metrics WHERE indicator = ?`, ind)
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
					want := truth[city][ind]
					if want != 0 {
						nonzero++
					}
					// indicators.csv prints 4 decimals; sums may differ in the last bits
					if math.Abs(got-want) > 5e-5+1e-9*math.Abs(want) {
						t.Errorf("%s: got %.4f, want %.4f (truth)", city, got, want)
					}
				}
				if n != 36 || nonzero == 0 {
					t.Errorf("got %d cities (%d with non-zero truth), want 36 and some non-zero", n, nonzero)
				}
			})
		}
	}
}
