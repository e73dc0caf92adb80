package scoring

import (
	"fmt"
	"strconv"
	"strings"
)

// Rotations of the retained PCA loadings.
const (
	RotationVarimax   = "varimax" // the default (Kaiser 1958; the Handbook's choice)
	RotationQuartimax = "quartimax"
	RotationNone      = "none"
)

// Bases of the PCA: the matrix decomposed.
const (
	BasisCorrelation = "correlation" // the default: indicators standardised, scale-free
	BasisCovariance  = "covariance"
)

// Assignment rules of the recipe: which factor an indicator's weight comes from.
const (
	// AssignLoading, the default, puts each indicator on the factor where its absolute loading is
	// largest — "grouping the individual indicators with the highest factor loadings" (Handbook
	// §6.1, after Nicoletti et al. 2000), the rule behind the Handbook's Table 18 PC weights. The
	// weight is then the squared loading over the total explained variance, normalised.
	AssignLoading = "loading"
	// AssignShare puts it on the factor where its squared loading scaled by the factor's
	// explained variance is largest — the grouping the Handbook's Table 17 narrates (Tech exports
	// with Patents), which its Table 18 does not follow.
	AssignShare = "share"
)

var (
	assigns       = []string{AssignShare, AssignLoading}
	rotations     = []string{RotationVarimax, RotationQuartimax, RotationNone}
	bases         = []string{BasisCorrelation, BasisCovariance}
	rotationGamma = map[string]float64{RotationVarimax: 1, RotationQuartimax: 0}
)

// PCASpec holds the options of a pca group (framework keys retain, rotation, basis).
type PCASpec struct {
	Retain   RetainRule
	Rotation string
	Basis    string
	Assign   string // AssignShare (default) or AssignLoading
}

func (s PCASpec) withDefaults() PCASpec {
	if s.Retain.isZero() {
		s.Retain = RetainRule{Kaiser: true}
	}
	if s.Rotation == "" {
		s.Rotation = RotationVarimax
	}
	if s.Basis == "" {
		s.Basis = BasisCorrelation
	}
	if s.Assign == "" {
		s.Assign = AssignLoading
	}
	return s
}

// ParsePCASpec parses and validates the retain, rotation, basis and assign settings ("" for
// defaults).
func ParsePCASpec(retain, rotation, basis, assign string) (PCASpec, error) {
	var s PCASpec
	var err error
	if retain != "" {
		if s.Retain, err = ParseRetain(retain); err != nil {
			return s, err
		}
	}
	if rotation != "" && !contains(rotations, rotation) {
		return s, fmt.Errorf("rotation %q: want one of %s", rotation, strings.Join(rotations, ", "))
	}
	if basis != "" && !contains(bases, basis) {
		return s, fmt.Errorf("basis %q: want one of %s", basis, strings.Join(bases, ", "))
	}
	if assign != "" && !contains(assigns, assign) {
		return s, fmt.Errorf("assign %q: want one of %s", assign, strings.Join(assigns, ", "))
	}
	s.Rotation, s.Basis, s.Assign = rotation, basis, assign
	return s.withDefaults(), nil
}

// RetainRule says how many principal components to keep. Its criteria combine as in the
// OECD/JRC Handbook (2008, §6.1, after Nicoletti et al. 2000): a component is kept when any
// listed criterion keeps it — eigenvalue above the mean eigenvalue (Kaiser: > 1 for a
// correlation matrix), a share of the variance above Variance, or being needed for the
// cumulative share to exceed Cumulative — and N keeps exactly the first N (at least).
type RetainRule struct {
	Kaiser     bool
	Variance   float64 // 0 = not used; e.g. 0.10
	Cumulative float64 // 0 = not used; e.g. 0.60
	N          int     // 0 = not used
}

func (r RetainRule) isZero() bool { return r == RetainRule{} }

// ParseRetain parses a retention rule: terms "kaiser", "variance:F", "cumulative:F" (F a share in
// (0, 1], or a percentage "10%") and "N" (a positive integer), joined by commas or "+", e.g.
// "kaiser,variance:0.10,cumulative:0.60" (the Handbook's TAI rule) or "4".
func ParseRetain(s string) (RetainRule, error) {
	var r RetainRule
	terms := strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == '+' })
	if len(terms) == 0 {
		return r, fmt.Errorf("parsing retain %q: want kaiser, variance:0.10, cumulative:0.60 or a number of components", s)
	}
	for _, t := range terms {
		t = strings.ToLower(strings.TrimSpace(t))
		name, val, hasVal := strings.Cut(t, ":")
		switch {
		case t == "kaiser":
			r.Kaiser = true
		case hasVal && (name == "variance" || name == "cumulative"):
			f, err := parseShare(val)
			if err != nil {
				return RetainRule{}, fmt.Errorf("parsing retain term %q: %w", t, err)
			}
			if name == "variance" {
				r.Variance = f
			} else {
				r.Cumulative = f
			}
		default:
			n, err := strconv.Atoi(t)
			if err != nil || n < 1 || n > 1000 {
				return RetainRule{}, fmt.Errorf("parsing retain term %q: want kaiser, variance:F, cumulative:F or a component count 1–1000", t)
			}
			r.N = n
		}
	}
	return r, nil
}

func parseShare(v string) (float64, error) {
	v = strings.TrimSpace(v)
	pct := strings.HasSuffix(v, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("want a share such as 0.10 or 10%%")
	}
	if pct {
		f /= 100
	}
	if !(f > 0 && f <= 1) {
		return 0, fmt.Errorf("share must be in (0, 1], got %v", f)
	}
	return f, nil
}

// String renders r in the syntax ParseRetain reads.
func (r RetainRule) String() string {
	var ts []string
	if r.Kaiser {
		ts = append(ts, "kaiser")
	}
	if r.Variance > 0 {
		ts = append(ts, "variance:"+strconv.FormatFloat(r.Variance, 'g', -1, 64))
	}
	if r.Cumulative > 0 {
		ts = append(ts, "cumulative:"+strconv.FormatFloat(r.Cumulative, 'g', -1, 64))
	}
	if r.N > 0 {
		ts = append(ts, strconv.Itoa(r.N))
	}
	return strings.Join(ts, ",")
}

// Count returns how many of the eigenvalues (descending) r keeps: at least 1, at most all.
func (r RetainRule) Count(eig []float64) int {
	p := len(eig)
	total := 0.0
	for _, v := range eig {
		total += v
	}
	kept := 0
	if r.Kaiser {
		for i, v := range eig {
			if v > total/float64(p)+1e-12 {
				kept = max(kept, i+1)
			}
		}
	}
	if r.Variance > 0 {
		for i, v := range eig {
			if v/total > r.Variance {
				kept = max(kept, i+1)
			}
		}
	}
	if r.Cumulative > 0 {
		cum := 0.0
		for i, v := range eig {
			cum += v / total
			if cum > r.Cumulative || i == p-1 {
				kept = max(kept, i+1)
				break
			}
		}
	}
	kept = max(kept, r.N)
	return max(1, min(kept, p))
}
