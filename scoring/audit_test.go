package scoring

import (
	"math"
	"slices"
	"testing"
)

// TestAuditASEM audits COINr's ASEM example against what COINr publishes and computes:
//   - COINr's analysis article (docs/articles/analysis.html) lists the within-pillar correlations
//     of the Normalised data above 0.75 — Social: CPI–FreePress 0.761, CPI–NGOs 0.768 — and below
//     −0.5 — Instit: CostImpEx–TBTs −0.697, RTAs–TBTs −0.752, TBTs–TIRcon −0.623 (get_corr_flags,
//     three decimals);
//   - R 4.2.2's cor.test on the same data (run locally): CPI–FreePress p = 8.988e-11; TBTs–Instit
//     r = −0.615485, p = 1.535e-6; COINr's get_cronbach(Normalised, P2P) = 0.8501684186; prcomp
//     of the P2P indicators: first component 49.479% of the variance.
func TestAuditASEM(t *testing.T) {
	_, res := asemResult(t)
	high := Audit(res, AuditOptions{Collinear: 0.75, Negative: -0.5})
	var collinear, negative []string
	for _, g := range high.Groups {
		if g.Level != 2 {
			continue
		}
		for _, c := range g.Pairs {
			for _, f := range c.Flags {
				switch f {
				case FlagCollinear:
					collinear = append(collinear, g.Group+":"+pairKey(c))
				case FlagNegative:
					negative = append(negative, g.Group+":"+pairKey(c))
				}
			}
		}
	}
	slices.Sort(collinear)
	slices.Sort(negative)
	if want := []string{"Social:CPI-FreePress", "Social:CPI-NGOs"}; !slices.Equal(collinear, want) {
		t.Errorf("pairs above 0.75: %v, COINr publishes %v", collinear, want)
	}
	if want := []string{"Instit:CostImpEx-TBTs", "Instit:RTAs-TBTs", "Instit:TBTs-TIRcon"}; !slices.Equal(negative, want) {
		t.Errorf("pairs below −0.5: %v, COINr publishes %v", negative, want)
	}
	published := map[string]float64{"CPI-FreePress": 0.761, "CPI-NGOs": 0.768, "CostImpEx-TBTs": -0.697, "RTAs-TBTs": -0.752, "TBTs-TIRcon": -0.623}
	def := Audit(res, AuditOptions{})
	for _, g := range def.Groups {
		for _, c := range g.Pairs {
			if want, ok := published[pairKey(c)]; ok && math.Abs(c.R-want) > 0.0005 {
				t.Errorf("%s–%s r = %.4f, COINr prints %.3f", c.A, c.B, c.R, want)
			}
			if pairKey(c) == "CPI-FreePress" && math.Abs(c.P-8.98830905e-11)/8.98830905e-11 > 1e-4 {
				t.Errorf("CPI–FreePress p = %.6g, cor.test 8.98830905e-11", c.P)
			}
		}
		for _, c := range g.WithGroup {
			if c.A == "TBTs" {
				if math.Abs(c.R+0.615484983) > 1e-8 || math.Abs(c.P-1.535267e-06)/1.535267e-06 > 1e-4 || !slices.Contains(c.Flags, FlagNegative) {
					t.Errorf("TBTs–Instit: %+v, cor.test r −0.615485 p 1.535e-6, flagged negative", c)
				}
			}
		}
		if g.Group == "P2P" {
			if math.Abs(g.Alpha-0.8501684186) > 1e-9 {
				t.Errorf("P2P alpha %.10f, COINr get_cronbach 0.8501684186", g.Alpha)
			}
			if math.Abs(g.Explained[0]-0.49479) > 5e-6 {
				t.Errorf("P2P first component %.5f, prcomp 0.49479", g.Explained[0])
			}
		}
	}
	// TBTs' negative correlation with Instit is the one flag a default audit must raise there.
	found := false
	for _, c := range def.Flagged {
		if c.A == "TBTs" && c.B == "Instit" {
			found = true
		}
	}
	if !found {
		t.Errorf("default audit does not flag TBTs–Instit: %+v", def.Flagged)
	}
}

// TestCronbachAlphaCOINr: COINr's analysis article prints get_cronbach(coin, dset = "Raw", iCodes =
// "P2P", Level = 1) = 0.05126659 — on the raw data, with missing values (pairwise covariances).
func TestCronbachAlphaCOINr(t *testing.T) {
	tab := asemRaw(t)
	var cols [][]float64
	for _, id := range []string{"StMob", "Research", "Pat", "CultServ", "CultGood", "Tourist", "MigStock", "Lang"} {
		cols = append(cols, tab.Column(id))
	}
	if a := CronbachAlpha(cols); math.Abs(a-0.05126659) > 5e-9 {
		t.Errorf("alpha %.10f, COINr prints 0.05126659", a)
	}
	// Complete data: equals k/(k−1)·(1 − Σ var_i / var(total)). Items 1,2,3 / 2,3,4 / 3,5,4 by hand:
	// variances 1, 1, 1; totals 6, 10, 11 → variance 7; alpha = 1.5·(1 − 3/7) = 0.857142….
	if a := CronbachAlpha([][]float64{{1, 2, 3}, {2, 3, 4}, {3, 5, 4}}); math.Abs(a-6.0/7) > 1e-12 {
		t.Errorf("alpha %v, want 6/7", a)
	}
	if !math.IsNaN(CronbachAlpha([][]float64{{1, 2}})) {
		t.Error("one item: want NaN")
	}
}

// pairKey names a pair in alphabetical order, as COINr's tables do.
func pairKey(c Correlation) string {
	if c.B < c.A {
		return c.B + "-" + c.A
	}
	return c.A + "-" + c.B
}
