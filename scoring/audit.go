package scoring

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// The statistical audit of a scored index, as the JRC audits composite indicators (OECD/JRC
// Handbook 2008, Steps 4 and 7; Saisana & Saltelli's audits of the GII, ESI …; COINr's
// get_corr_flags, get_cronbach and get_PCA): within every group, how its children correlate with
// each other and with the group, how consistent they are (Cronbach's alpha) and how much of their
// variance one principal component carries. A child negatively or insignificantly correlated with
// its group pulls against the concept it is meant to measure; two children correlated above the
// collinearity threshold double-count.

// AuditOptions set the audit's thresholds. Zero fields take the defaults.
type AuditOptions struct {
	Alpha     float64 // significance level of the correlation tests; default 0.05
	Collinear float64 // flag sibling pairs correlated above this; default 0.92
	Negative  float64 // flag sibling pairs correlated below this; default 0 (any negative correlation)
}

func (o AuditOptions) withDefaults() AuditOptions {
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.Collinear == 0 {
		o.Collinear = 0.92
	}
	return o
}

// Flag reasons.
const (
	FlagNegative      = "negative"      // r below AuditOptions.Negative (pairs) or below 0 (child ↔ group)
	FlagInsignificant = "insignificant" // p ≥ AuditOptions.Alpha
	FlagCollinear     = "collinear"     // r above AuditOptions.Collinear (sibling pairs)
)

// Correlation is one Pearson correlation over the units both values exist for, with its
// two-sided p-value (t test, n − 2 degrees of freedom) and the flags it raises.
type Correlation struct {
	A     string   `json:"a"`
	B     string   `json:"b"`
	R     float64  `json:"r"`
	P     float64  `json:"p"`
	N     int      `json:"n"`
	Flags []string `json:"flags,omitempty"`
}

// GroupAudit is the audit of one group's children.
type GroupAudit struct {
	Group    string   `json:"group"`
	Level    int      `json:"level"`
	Children []string `json:"children"`
	// Pairs are the sibling correlations (upper triangle, framework order).
	Pairs []Correlation `json:"pairs"`
	// WithGroup are each child's correlations with the group's score.
	WithGroup []Correlation `json:"with_group"`
	// Alpha is Cronbach's alpha of the children's scores (NaN with fewer than two children).
	Alpha float64 `json:"alpha"`
	// Eigenvalues and Explained are the PCA of the children's correlation matrix over the units
	// with every child; Explained[0] is the share of variance the first component carries.
	Eigenvalues []float64 `json:"eigenvalues,omitempty"`
	Explained   []float64 `json:"explained,omitempty"`
}

// AuditResult is the audit of every group with at least two children, framework order.
type AuditResult struct {
	Options AuditOptions `json:"options"`
	Groups  []GroupAudit `json:"groups"`
	// Flagged lists every flagged correlation, groups in framework order.
	Flagged []Correlation `json:"flagged"`
}

// Audit audits res (the scores Score computed: normalised indicators and aggregates).
func Audit(res *Result, opts AuditOptions) *AuditResult {
	opts = opts.withDefaults()
	scores := map[string][]float64{}
	for _, v := range res.Values {
		scores[v.Node] = append(scores[v.Node], v.Score)
	}
	out := &AuditResult{Options: opts}
	for _, n := range res.Nodes {
		if len(n.Children) < 2 {
			continue
		}
		g := GroupAudit{Group: n.ID, Level: n.Level, Children: n.Children}
		cols := make([][]float64, len(n.Children))
		for i, c := range n.Children {
			cols[i] = scores[c]
		}
		for i := range cols {
			for j := i + 1; j < len(cols); j++ {
				c := correlate(n.Children[i], n.Children[j], cols[i], cols[j], opts.Alpha)
				if c.R < opts.Negative {
					c.Flags = append(c.Flags, FlagNegative)
				}
				if c.R > opts.Collinear {
					c.Flags = append(c.Flags, FlagCollinear)
				}
				g.Pairs = append(g.Pairs, c)
			}
			c := correlate(n.Children[i], n.ID, cols[i], scores[n.ID], opts.Alpha)
			if c.R < 0 {
				c.Flags = append(c.Flags, FlagNegative)
			}
			if !(c.P < opts.Alpha) {
				c.Flags = append(c.Flags, FlagInsignificant)
			}
			g.WithGroup = append(g.WithGroup, c)
		}
		g.Alpha = CronbachAlpha(cols)
		g.Eigenvalues, g.Explained = groupPCA(cols)
		for _, c := range append(append([]Correlation(nil), g.Pairs...), g.WithGroup...) {
			if len(c.Flags) > 0 {
				out.Flagged = append(out.Flagged, c)
			}
		}
		out.Groups = append(out.Groups, g)
	}
	return out
}

// correlate is the Pearson correlation of x and y over the indices where both are present.
func correlate(a, b string, x, y []float64, alpha float64) Correlation {
	var xs, ys []float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			xs = append(xs, x[i])
			ys = append(ys, y[i])
		}
	}
	c := Correlation{A: a, B: b, N: len(xs), R: math.NaN(), P: math.NaN()}
	if len(xs) < 3 || isConstant(xs) || isConstant(ys) {
		return c
	}
	c.R = stat.Correlation(xs, ys, nil)
	c.P = correlationP(c.R, len(xs))
	return c
}

// correlationP is the two-sided p-value of a Pearson correlation r over n pairs under the null of
// no correlation: t = r·√((n − 2)/(1 − r²)) against Student's t with n − 2 degrees of freedom
// (R's cor.test).
func correlationP(r float64, n int) float64 {
	if math.Abs(r) >= 1 {
		return 0
	}
	df := float64(n - 2)
	t := r * math.Sqrt(df/(1-r*r))
	st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	return 2 * st.CDF(-math.Abs(t))
}

// CronbachAlpha is Cronbach's alpha of the columns cols (one per item, one value per unit; NaN
// missing): k²·mean(off-diagonal covariance) / Σ covariance, with each covariance over the units
// that have both values (COINr get_cronbach, R's cov with use = "pairwise.complete.obs"). With
// complete data it equals k/(k − 1)·(1 − Σ var_i / var(Σ items)). NaN with fewer than two columns.
func CronbachAlpha(cols [][]float64) float64 {
	k := len(cols)
	if k < 2 {
		return math.NaN()
	}
	var all, diag float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			c := pairwiseCov(cols[i], cols[j])
			if math.IsNaN(c) {
				continue
			}
			all += c
			if i == j {
				diag += c
			}
		}
	}
	fk := float64(k)
	avg := (all - diag) / (fk * (fk - 1))
	return fk * fk * avg / all
}

func pairwiseCov(x, y []float64) float64 {
	var xs, ys []float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			xs = append(xs, x[i])
			ys = append(ys, y[i])
		}
	}
	if len(xs) < 2 {
		return math.NaN()
	}
	return stat.Covariance(xs, ys, nil)
}

// groupPCA returns the eigenvalues (descending) and variance shares of the correlation matrix of
// the columns over the complete rows; nil when fewer than two varying columns or three rows.
func groupPCA(cols [][]float64) (eig, share []float64) {
	var rows []int
	for u := range cols[0] {
		ok := true
		for _, c := range cols {
			if math.IsNaN(c[u]) {
				ok = false
			}
		}
		if ok {
			rows = append(rows, u)
		}
	}
	var live [][]float64
	for _, c := range cols {
		x := make([]float64, len(rows))
		for r, u := range rows {
			x[r] = c[u]
		}
		if len(x) > 0 && !isConstant(x) {
			live = append(live, x)
		}
	}
	if len(live) < 2 || len(rows) < 3 {
		return nil, nil
	}
	x := mat.NewDense(len(rows), len(live), nil)
	for j, c := range live {
		x.SetCol(j, c)
	}
	corr := mat.NewSymDense(len(live), nil)
	stat.CorrelationMatrix(corr, x, nil)
	var es mat.EigenSym
	if !es.Factorize(corr, false) {
		return nil, nil
	}
	eig = es.Values(nil)
	sort.Sort(sort.Reverse(sort.Float64Slice(eig)))
	share = make([]float64, len(eig))
	for i, v := range eig {
		share[i] = v / float64(len(live))
	}
	return eig, share
}
