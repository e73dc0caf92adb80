package scoring

import (
	"fmt"
	"math"
	"strconv"
)

// Outlier treatment follows COINr's Treat() default (Becker et al., COINr 1.1.14, R/treat.R; the
// JRC's COIN Tool rule): an indicator whose skewness and kurtosis are both too high is winsorised
// one extreme *value* at a time — every unit tied at that value together — until it passes or the
// winsorised-point budget is spent; if it still fails, the untreated values are log-transformed
// instead (log_CT). Skewness and kurtosis are the bias-corrected sample statistics G1 and G2
// (e1071 type 2, Excel's SKEW and KURT), computed over the non-missing values.

// Fallbacks: what Treat applies when winsorising leaves an indicator failing the check.
const (
	// FallbackLogCT is COINr's log_CT: ln(x − min + 0.01·(max − min)), applied to the untreated
	// values (COINr's combine_treat = FALSE), whichever side the skew is on.
	FallbackLogCT = "log_ct"
	// FallbackNone keeps the winsorised values.
	FallbackNone = "none"
)

var fallbacks = []string{FallbackLogCT, FallbackNone}

// TreatSpec configures Treat. The zero value is not valid; DefaultTreatSpec is COINr's default.
type TreatSpec struct {
	// WinMax bounds the winsorised points (COINr's winmax); −1 means no limit, 0 no winsorising.
	// Ties are replaced together, so the last step may take the count past WinMax, as in COINr.
	WinMax int `json:"winmax"`
	// Skew and Kurtosis are the thresholds: an indicator passes when |skew| < Skew or kurtosis <
	// Kurtosis (COINr's check_SkewKurt), i.e. it is treated only when both are reached.
	Skew     float64 `json:"skew"`
	Kurtosis float64 `json:"kurtosis"`
	Fallback string  `json:"fallback"` // FallbackLogCT or FallbackNone
}

// DefaultTreatSpec is COINr's Treat() default: winmax 5, |skew| 2, kurtosis 3.5, then log_CT.
var DefaultTreatSpec = TreatSpec{WinMax: 5, Skew: 2, Kurtosis: 3.5, Fallback: FallbackLogCT}

// Check validates s.
func (s TreatSpec) Check() error {
	switch {
	case s.WinMax < -1:
		return fmt.Errorf("winmax: must be ≥ 0 (or −1 for no limit), got %d", s.WinMax)
	case !(s.Skew > 0) || math.IsInf(s.Skew, 0):
		return fmt.Errorf("skew: must be a positive threshold, got %v", s.Skew)
	case math.IsNaN(s.Kurtosis) || math.IsInf(s.Kurtosis, 0):
		return fmt.Errorf("kurtosis: must be a finite threshold, got %v", s.Kurtosis)
	case !contains(fallbacks, s.Fallback):
		return fmt.Errorf("fallback %q: want one of %s, %s", s.Fallback, FallbackLogCT, FallbackNone)
	}
	return nil
}

// Shape is the skewness, kurtosis and verdict of one check.
type Shape struct {
	Skew     float64 `json:"skew"`
	Kurtosis float64 `json:"kurtosis"`
	Pass     bool    `json:"pass"`
}

// MarshalJSON writes undefined statistics (NaN) as null, which JSON can carry.
func (s Shape) MarshalJSON() ([]byte, error) {
	f := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "null"
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return []byte(fmt.Sprintf(`{"skew":%s,"kurtosis":%s,"pass":%v}`, f(s.Skew), f(s.Kurtosis), s.Pass)), nil
}

// Per-value treatment marks (Treatment.Points, UnitValue.Treated).
const (
	TreatedHigh  = "winsorised-high" // pulled down to the next value below
	TreatedLow   = "winsorised-low"  // pulled up to the next value above
	TreatedLogCT = "log_ct"          // transformed by the log fallback
)

// Treatment is the log of one indicator's outlier treatment, as COINr's Dets_Table and
// Treated_Points record it.
type Treatment struct {
	Indicator string `json:"indicator"`
	// Before is the check on the values as given. When it passes nothing else is done.
	Before Shape `json:"before"`
	// Untestable is set when skewness or kurtosis is undefined (fewer than 4 values, or no
	// variance); the values are then left untreated, as COINr does.
	Untestable bool `json:"untestable,omitempty"`
	// Winsorised is COINr's nwin: the number of values replaced (high and low side).
	Winsorised int `json:"winsorised"`
	// AfterWinsorising is the check after winsorising; nil when Before passed.
	AfterWinsorising *Shape `json:"after_winsorising,omitempty"`
	// LogCT reports that winsorising did not pass and the log fallback replaced it.
	LogCT bool `json:"log_ct,omitempty"`
	// AfterLog is the check after the fallback; nil when it was not applied. It may still fail:
	// COINr keeps the transformed values all the same.
	AfterLog *Shape `json:"after_log,omitempty"`
	// Units and Points list the treated values, in unit order: which unit, and how (TreatedHigh,
	// TreatedLow or TreatedLogCT). With LogCT every value is transformed and listed.
	Units  []string `json:"units,omitempty"`
	Points []string `json:"points,omitempty"`
}

// Treated reports whether any value was changed.
func (t *Treatment) Treated() bool { return t.Winsorised > 0 || t.LogCT }

// Passed reports the final verdict.
func (t *Treatment) Passed() bool {
	switch {
	case t.AfterLog != nil:
		return t.AfterLog.Pass
	case t.AfterWinsorising != nil:
		return t.AfterWinsorising.Pass
	}
	return t.Before.Pass || t.Untestable
}

// Treat applies the COINr outlier treatment to x (NaN marks missing values, which stay missing
// and are ignored by every statistic) and returns the treated copy and, per value, its mark ("" if
// untouched). The Treatment's Indicator and Units are left for the caller to fill.
func Treat(x []float64, s TreatSpec) (out []float64, marks []string, log Treatment) {
	out = append([]float64(nil), x...)
	marks = make([]string, len(x))
	before, ok := checkShape(x, s)
	log.Before = before
	if !ok {
		log.Untestable = true
		return out, marks, log
	}
	if before.Pass {
		return out, marks, log
	}
	// Winsorise: COINr's winsorise(). imax/imin are the last step's tied extremes on each side;
	// because replaced values tie with the new extreme, they accumulate the points replaced so far.
	var imax, imin []int
	nwin := 0
	below := func() bool { return s.WinMax < 0 || nwin < s.WinMax }
	pass := false
	for !pass && below() {
		var ext []int
		high := skewness(out) >= 0 // COINr: positive (or zero) skew means high outliers
		if high {
			imax = extremes(out, true)
			ext = imax
		} else {
			imin = extremes(out, false)
			ext = imin
		}
		next, found := nextInward(out, ext, high)
		if !found {
			break // every value tied: nothing left to winsorise towards
		}
		for _, i := range ext {
			out[i] = next
		}
		nwin = len(imax) + len(imin)
		sh, ok := checkShape(out, s)
		if !ok {
			break
		}
		pass = sh.Pass
	}
	log.Winsorised = nwin
	after, _ := checkShape(out, s)
	log.AfterWinsorising = &after
	for _, i := range imax {
		marks[i] = TreatedHigh
	}
	for _, i := range imin {
		marks[i] = TreatedLow
	}
	if after.Pass || s.Fallback == FallbackNone {
		return out, marks, log
	}
	// log_CT on the untreated values.
	lo, hi := minMaxObserved(x)
	a := 0.01 * (hi - lo)
	for i, v := range x {
		if math.IsNaN(v) {
			out[i] = v
			marks[i] = ""
			continue
		}
		out[i] = math.Log(v - lo + a)
		marks[i] = TreatedLogCT
	}
	log.LogCT = true
	al, _ := checkShape(out, s)
	log.AfterLog = &al
	return out, marks, log
}

// extremes returns the indices of the non-missing values equal to the maximum (high) or minimum.
func extremes(x []float64, high bool) []int {
	lo, hi := minMaxObserved(x)
	want := lo
	if high {
		want = hi
	}
	var idx []int
	for i, v := range x {
		if v == want {
			idx = append(idx, i)
		}
	}
	return idx
}

// nextInward returns the largest (high) or smallest value of x outside the indices ext.
func nextInward(x []float64, ext []int, high bool) (float64, bool) {
	skip := map[int]bool{}
	for _, i := range ext {
		skip[i] = true
	}
	best, found := 0.0, false
	for i, v := range x {
		if skip[i] || math.IsNaN(v) {
			continue
		}
		if !found || high && v > best || !high && v < best {
			best, found = v, true
		}
	}
	return best, found
}

// checkShape is COINr's check_SkewKurt: pass when |skew| < s.Skew or kurtosis < s.Kurtosis. ok is
// false when the verdict is undefined (R's NA): a statistic is NaN and the other does not pass.
func checkShape(x []float64, s TreatSpec) (sh Shape, ok bool) {
	sh.Skew, sh.Kurtosis = skewness(x), kurtosis(x)
	skewOK := math.Abs(sh.Skew) < s.Skew
	kurtOK := sh.Kurtosis < s.Kurtosis
	if skewOK || kurtOK {
		sh.Pass = true
		return sh, true
	}
	return sh, !math.IsNaN(sh.Skew) && !math.IsNaN(sh.Kurtosis)
}

// skewness is the adjusted Fisher–Pearson coefficient G1 = √(n(n−1))/(n−2) · m3/m2^{3/2} over the
// non-missing values (e1071::skewness type 2, COINr's skew(), Excel's SKEW); NaN for n < 3 or no
// variance.
func skewness(x []float64) float64 {
	obs := observed(x)
	n := float64(len(obs))
	if n < 3 {
		return math.NaN()
	}
	mean := meanOf(obs)
	var s2, s3 float64
	for _, v := range obs {
		d := v - mean
		s2 += d * d
		s3 += d * d * d
	}
	y := math.Sqrt(n) * s3 / math.Pow(s2, 1.5)
	return y * math.Sqrt(n*(n-1)) / (n - 2)
}

// kurtosis is the bias-corrected excess kurtosis G2 = ((n+1)(r−3)+6)(n−1)/((n−2)(n−3)) with
// r = n·m4/m2² over the non-missing values (e1071::kurtosis type 2, COINr's kurt(), Excel's KURT);
// NaN for n < 4 or no variance.
func kurtosis(x []float64) float64 {
	obs := observed(x)
	n := float64(len(obs))
	if n < 4 {
		return math.NaN()
	}
	mean := meanOf(obs)
	var s2, s4 float64
	for _, v := range obs {
		d := v - mean
		s2 += d * d
		s4 += d * d * d * d
	}
	r := n * s4 / (s2 * s2)
	return ((n+1)*(r-3) + 6) * (n - 1) / ((n - 2) * (n - 3))
}

// Skewness and Kurtosis export the statistics Treat uses (NaN values are ignored).
func Skewness(x []float64) float64 { return skewness(x) }

// Kurtosis is the excess kurtosis G2 Treat uses; see Skewness.
func Kurtosis(x []float64) float64 { return kurtosis(x) }

func observed(x []float64) []float64 {
	out := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

func meanOf(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// minMaxObserved is minMax over the non-missing values (±Inf when there are none).
func minMaxObserved(x []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if math.IsNaN(v) {
			continue
		}
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	return lo, hi
}
