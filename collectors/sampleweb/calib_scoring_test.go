package sampleweb

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/scoring"
)

// TestCalibrationScoring scores the truth indicators with the scoring package (the report's method:
// min-max, PCA inside level-2 groups, AHP above) and checks the published top 5 and ρ ≥ 0.9.
func TestCalibrationScoring(t *testing.T) {
	w := testWorld(t, Options{Seed: 1, Scale: 1})
	var buf bytes.Buffer
	if err := csv.NewWriter(&buf).WriteAll(w.truthIndicators()); err != nil {
		t.Fatal(err)
	}
	fw, err := scoring.ParseFramework(data.FrameworkYAML, data.JudgementsYAML)
	if err != nil {
		t.Fatalf("parsing framework: %v", err)
	}
	table, err := scoring.ReadTableCSV(&buf)
	if err != nil {
		t.Fatalf("reading truth table: %v", err)
	}
	res, err := scoring.Score(fw, table, scoring.Options{})
	if err != nil {
		t.Fatalf("scoring: %v", err)
	}
	for _, tt := range []struct {
		node      string
		published []string
		minRho    float64
	}{
		{"total", orderTotal, 0.9},
		{"industry", orderIndustry, 0.8},
		{"experience", orderExperience, 0.6},
		{"ecosystem", orderEcosystem, 0.8},
	} {
		var got []string
		for _, v := range res.Ranking(tt.node) {
			got = append(got, v.Unit)
		}
		rho := spearman(tt.published, got)
		t.Logf("%s: ρ = %.3f, top 10 %v", tt.node, rho, got[:10])
		if rho < tt.minRho {
			t.Errorf("%s: Spearman ρ = %.3f with the published top 20, want ≥ %.2f", tt.node, rho, tt.minRho)
		}
		if tt.node == "total" && strings.Join(got[:5], " ") != strings.Join(orderTotal[:5], " ") {
			t.Errorf("total top 5 = %v, want %v", got[:5], orderTotal[:5])
		}
	}
}
