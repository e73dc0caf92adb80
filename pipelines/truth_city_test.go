package pipelines

import (
	"math"
	"testing"
)

// citySources are the city site's sources: six specs and the survey workbook.
var citySources = []string{"baidu_heat", "city_regulators", "city_reports", "city_services", "city_stats", "credit_users", "survey"}

// cityIndicators are the indicators the city sources compute, each defined by the sample web's
// truth (collectors/sampleweb/doc.go).
var cityIndicators = []string{
	"ecosystem.business.gdp_per_capita", "ecosystem.business.finance_industry", "ecosystem.business.tech_industry",
	"ecosystem.business.cost_of_living", "ecosystem.infrastructure.financial", "ecosystem.infrastructure.information",
	"ecosystem.research.university", "ecosystem.research.institutes", "ecosystem.research.talent_reserve",
	"ecosystem.policy.spending", "ecosystem.policy.support", "ecosystem.policy.attention",
	"ecosystem.regulation.regulators", "ecosystem.attention.baidu_heat",
	"experience.payment.online_payment", "experience.credit.penetration", "experience.blockchain.familiarity",
}

// TestCityIndicatorsMatchTruth collects the city sources from a sample web at scale 0.1,
// transforms, and compares all 17 indicators for all 36 cities with the world's indicators.csv.
//
// Tolerance: indicators.csv prints values with 4 decimals (strconv 'f', 4), so |got − truth| may
// be up to 5e-5 from that rounding alone; the pipeline's arithmetic is the truth's own (same
// operation order on values parsed back from their shortest decimal text), so nothing else is
// allowed. Counts (regulators, services, keyword mentions) must be exact integers.
func TestCityIndicatorsMatchTruth(t *testing.T) {
	lake, truth := collectTruthWorld(t, citySources...)

	db, err := lake.openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type metric struct {
		value *float64
		n     int64
	}
	got := map[string]map[string]metric{} // indicator → city → metric
	rows, err := db.Query(`SELECT indicator, city, value, n_records FROM metrics`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ind, city string
		var m metric
		if err := rows.Scan(&ind, &city, &m.value, &m.n); err != nil {
			t.Fatal(err)
		}
		if got[ind] == nil {
			got[ind] = map[string]metric{}
		}
		got[ind][city] = m
	}
	rows.Close()
	var quarantined int
	if err := db.QueryRow(`SELECT count(*) FROM quarantine`).Scan(&quarantined); err != nil {
		t.Fatal(err)
	}
	if quarantined != 0 {
		t.Errorf("got %d quarantined rows, want none from a fault-free sample web", quarantined)
	}

	for _, ind := range cityIndicators {
		t.Run(ind, func(t *testing.T) {
			if len(got[ind]) != len(truth) {
				t.Fatalf("got %d cities, want all %d", len(got[ind]), len(truth))
			}
			for city, want := range truth {
				m, ok := got[ind][city]
				switch {
				case !ok:
					t.Errorf("%s: no metric row", city)
				case m.value == nil:
					// No data (a mean over no responses): the truth writes 0 for a city without records.
					if want[ind] != 0 || m.n != 0 {
						t.Errorf("%s: got NULL with %d records, want %g", city, m.n, want[ind])
					}
				case math.Abs(*m.value-want[ind]) > 5e-5+1e-12*math.Abs(want[ind]):
					t.Errorf("%s: got %.6f, want %.4f (truth)", city, *m.value, want[ind])
				}
			}
		})
	}
}
