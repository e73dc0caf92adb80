package scoring

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestRetainCount checks each retention criterion on the TAI eigenvalues of the Handbook's
// Table 16 (3.354, 1.746, 0.985, 0.894, 0.471, 0.296, 0.176, 0.076 as computed from
// testdata/tai.csv; shares 41.9, 21.8, 12.3, 11.2 … %): Kaiser keeps 2, "more than 10% each" 4,
// "cumulatively more than 60%" 2 (41.9 + 21.8 = 63.7%), their union 4 (Handbook §6.1).
func TestRetainCount(t *testing.T) {
	_, res := taiPCA(t)
	eig := res.Eigenvalues
	tests := []struct {
		rule string
		want int
	}{
		{"kaiser", 2},
		{"variance:0.10", 4},
		{"cumulative:0.60", 2},
		{"cumulative:0.80", 4},
		{"cumulative:1", 8},
		{"kaiser,variance:0.10,cumulative:0.60", 4},
		{"kaiser+cumulative:0.6", 2},
		{"3", 3},
		{"99", 8},           // at most every component
		{"variance:0.5", 1}, // none passes: at least one
		{"2,kaiser", 2},
	}
	for _, tt := range tests {
		r, err := ParseRetain(tt.rule)
		if err != nil {
			t.Fatalf("%s: %v", tt.rule, err)
		}
		if got := r.Count(eig); got != tt.want {
			t.Errorf("%s: keeps %d, want %d", tt.rule, got, tt.want)
		}
		if back, err := ParseRetain(r.String()); err != nil || back != r {
			t.Errorf("%s: String %q does not round-trip: %+v, %v", tt.rule, r.String(), back, err)
		}
	}
	for _, bad := range []string{"", "kaizer", "variance", "variance:0", "variance:1.5", "cumulative:-0.1", "0", "-2", "1e9", "variance:x"} {
		if _, err := ParseRetain(bad); err == nil {
			t.Errorf("%q: got nil error", bad)
		}
	}
}

func FuzzParseRetain(f *testing.F) {
	for _, s := range []string{"kaiser", "variance:0.10", "cumulative:60%", "4", "kaiser,variance:0.1,cumulative:0.6", "+,", "variance:1e-300"} {
		f.Add(s)
	}
	eig := []float64{3.354, 1.746, 0.985, 0.894, 0.471, 0.296, 0.176, 0.076}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRetain(s)
		if err != nil {
			return
		}
		if n := r.Count(eig); n < 1 || n > len(eig) {
			t.Fatalf("%q keeps %d of %d", s, n, len(eig))
		}
		back, err := ParseRetain(r.String())
		if err != nil || back != r {
			t.Fatalf("%q: String %q does not round-trip: %+v, %v", s, r.String(), back, err)
		}
	})
}

// TestPCAOptions covers rotation none and quartimax and the covariance basis on the TAI data.
func TestPCAOptions(t *testing.T) {
	tbl := readTestTable(t, "testdata/tai.csv")
	x := tableMatrix(tbl)
	// No rotation: loadings are eigenvector·√eigenvalue, and with one factor per indicator…
	spec, _ := ParsePCASpec("4", RotationNone, "", "")
	none, err := PCAWeightsWith(x, tbl.Indicators, spec)
	if err != nil {
		t.Fatal(err)
	}
	if none.Rotated || none.Rotation != RotationNone {
		t.Errorf("rotation none: rotated %v", none.Rotated)
	}
	for i := range tbl.Indicators {
		for j := 0; j < 4; j++ {
			want := none.Eigenvectors[i][j] * math.Sqrt(none.Eigenvalues[j])
			if !near(none.Loadings[i][j], want, 1e-12) {
				t.Errorf("unrotated loading [%d][%d] %v, want %v", i, j, none.Loadings[i][j], want)
			}
		}
	}
	// Orthogonal rotations keep each indicator's communality (row sum of squared loadings).
	for _, rot := range []string{RotationVarimax, RotationQuartimax} {
		spec, _ := ParsePCASpec("4", rot, "", "")
		r, err := PCAWeightsWith(x, tbl.Indicators, spec)
		if err != nil {
			t.Fatal(err)
		}
		for i := range tbl.Indicators {
			var a, b float64
			for j := 0; j < 4; j++ {
				a += r.Loadings[i][j] * r.Loadings[i][j]
				b += none.Loadings[i][j] * none.Loadings[i][j]
			}
			if !near(a, b, 1e-9) {
				t.Errorf("%s: communality of %s %v, unrotated %v", rot, tbl.Indicators[i], a, b)
			}
		}
	}
	// Quartimax maximises Σ l⁴: at least varimax's.
	q4 := func(rot string) float64 {
		spec, _ := ParsePCASpec("4", rot, "", "")
		r, _ := PCAWeightsWith(x, tbl.Indicators, spec)
		s := 0.0
		for _, row := range r.Loadings {
			for _, l := range row {
				s += l * l * l * l
			}
		}
		return s
	}
	if q, v := q4(RotationQuartimax), q4(RotationVarimax); q < v-1e-9 {
		t.Errorf("quartimax Σl⁴ %v below varimax's %v", q, v)
	}
	// Covariance basis: scale matters. Multiplying one indicator by 1000 makes it dominate the first
	// component, where on correlations nothing changes.
	scaled := mat.DenseCopyOf(x)
	for u := 0; u < len(tbl.Units); u++ {
		scaled.Set(u, 0, 1000*scaled.At(u, 0))
	}
	cov, _ := ParsePCASpec("", "", BasisCovariance, "")
	rc, err := PCAWeightsWith(scaled, tbl.Indicators, cov)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Explained[0] < 0.99 || rc.Basis != BasisCovariance {
		t.Errorf("covariance: first component explains %v, want > 99%% once patents are ×1000", rc.Explained[0])
	}
	rr, _ := PCAWeights(scaled, tbl.Indicators)
	base, _ := PCAWeights(x, tbl.Indicators)
	for i := range rr.Weights {
		if !near(rr.Weights[i], base.Weights[i], 1e-9) {
			t.Errorf("correlation basis changed under scaling: %v vs %v", rr.Weights, base.Weights)
			break
		}
	}
	for _, bad := range [][4]string{{"x", "", "", ""}, {"", "promax", "", ""}, {"", "", "spearman", ""}, {"", "", "", "max"}} {
		if _, err := ParsePCASpec(bad[0], bad[1], bad[2], bad[3]); err == nil || !strings.Contains(err.Error(), "want") {
			t.Errorf("%v: got %v", bad, err)
		}
	}
}
