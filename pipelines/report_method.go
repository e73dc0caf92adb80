package pipelines

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/fhi-index/fhi/pipelines/report"
	"github.com/fhi-index/fhi/scoring"
)

// The method sections of the report — judgements, outlier treatment, imputation, the statistical
// audit and Sobol' sensitivity — read from the score run's own tables, never recomputed from the
// framework as it is now.

// volatileCities is how many cities the Sobol' section names, those whose rank varies most.
const volatileCities = 10

// scoreDetails is the part of score_runs.details the report reads.
type scoreDetails struct {
	Options      scoring.Options      `json:"options"`
	Placeholders []string             `json:"placeholders"`
	Imputed      []scoring.Imputation `json:"imputed"`
	Sobol        *struct {
		N         int                  `json:"n"`
		Seed      int64                `json:"seed"`
		Inputs    []scoring.SobolInput `json:"inputs"`
		MeanFirst []float64            `json:"mean_first"`
		MeanTotal []float64            `json:"mean_total"`
	} `json:"sobol"`
}

func readScoreDetails(ctx context.Context, db *sql.DB, scoreRun string) (*scoreDetails, error) {
	var details string
	if err := db.QueryRowContext(ctx, `SELECT details FROM score_runs WHERE run_id = ?`, scoreRun).Scan(&details); err != nil {
		return nil, fmt.Errorf("reading score run %s: %w", scoreRun, err)
	}
	var d scoreDetails
	if err := json.Unmarshal([]byte(details), &d); err != nil {
		return nil, fmt.Errorf("decoding the details of score run %s: %w", scoreRun, err)
	}
	return &d, nil
}

// reportNodes turns the stored weight tree into the report's nodes, saying for each where its
// weight comes from and whether placeholder judgements are behind it.
func reportNodes(weights []scoring.NodeWeight) []report.Node {
	byID := map[string]scoring.NodeWeight{}
	for _, w := range weights {
		byID[w.ID] = w
	}
	out := make([]report.Node, 0, len(weights))
	for _, w := range weights {
		parent := byID[w.Parent]
		n := report.Node{ID: w.ID, Parent: w.Parent, Level: w.Level, Name: w.Name, NameEN: w.NameEN, Method: w.Method,
			Local: w.Local, Effective: w.Effective, WeightSource: shortWeightSource(w, parent), LocalPlaceholder: localIsPlaceholder(parent),
			Placeholder: w.Placeholder, Provenance: w.Provenance, Unit: w.Unit, Note: w.Note}
		if w.Method == scoring.MethodAHP && len(w.Matrix) > 0 {
			n.CR, n.HasCR = w.CR, true
		}
		if w.Method == scoring.MethodPCA && w.Kept > 0 {
			n.Explained = keptShare(w)
		}
		out = append(out, n)
	}
	return out
}

// shortWeightSource is weightSource for the report's tables, whose note and judgements table say
// the rest: the method and, for AHP, the judgements' provenance.
func shortWeightSource(n, parent scoring.NodeWeight) string {
	switch {
	case n.Parent == "":
		return "根 root (weight 1)"
	case parent.Method == scoring.MethodAHP:
		return "层次分析法 AHP, " + cmp.Or(parent.Provenance, "provenance not stated") + " judgements of " + parent.ID
	case parent.Method == scoring.MethodPCA:
		return "主成分 PCA on this run's data"
	}
	return parent.Method
}

// reportJudgements lists where the judgements of every AHP group come from.
func reportJudgements(weights []scoring.NodeWeight) []report.Judgement {
	var out []report.Judgement
	for _, w := range weights {
		if w.Method != scoring.MethodAHP || len(w.Matrix) == 0 {
			continue
		}
		j := report.Judgement{Group: w.ID, Name: w.Name, NameEN: w.NameEN, Provenance: w.Provenance, CR: w.CR}
		if w.Judgements != nil {
			j.Who, j.When, j.How, j.Experts = w.Judgements.Who, w.Judgements.When, w.Judgements.How, len(w.Judgements.Experts)
		}
		out = append(out, j)
	}
	return out
}

// reportTreatment reads the outlier-treatment log of a score run (score_treatment).
func reportTreatment(ctx context.Context, db *sql.DB, scoreRun string, nodes map[string]*report.Node) ([]report.Treatment, error) {
	if !tableExists(ctx, db, "score_treatment") {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT indicator, skew_before, kurtosis_before, untestable, winsorised, skew_winsorised,
		kurtosis_winsorised, log_ct, skew_log, kurtosis_log, passed, points FROM score_treatment WHERE run_id = ? ORDER BY indicator`, scoreRun)
	if err != nil {
		return nil, fmt.Errorf("reading the treatment log: %w", err)
	}
	defer rows.Close()
	var out []report.Treatment
	for rows.Next() {
		var t report.Treatment
		var sb, kb, sw, kw, sl, kl sql.NullFloat64
		var points string
		if err := rows.Scan(&t.Indicator, &sb, &kb, &t.Untestable, &t.Winsorised, &sw, &kw, &t.LogCT, &sl, &kl, &t.Passed, &points); err != nil {
			return nil, err
		}
		t.SkewBefore, t.KurtosisBefore = nanIfNull(sb), nanIfNull(kb)
		t.SkewWinsorised, t.KurtWinsorised = nanIfNull(sw), nanIfNull(kw)
		t.SkewLog, t.KurtLog = nanIfNull(sl), nanIfNull(kl)
		if n := nodes[t.Indicator]; n != nil {
			t.Name, t.NameEN, t.Unit = n.Name, n.NameEN, n.Unit
		}
		var byCity map[string]string
		if err := json.Unmarshal([]byte(points), &byCity); err != nil {
			return nil, fmt.Errorf("decoding the treated points of %s: %w", t.Indicator, err)
		}
		for city, how := range byCity {
			t.Points = append(t.Points, report.TreatedPoint{City: city, How: how})
		}
		sort.Slice(t.Points, func(i, j int) bool { return t.Points[i].City < t.Points[j].City })
		out = append(out, t)
	}
	return out, rows.Err()
}

func nanIfNull(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}

// reportShapes checks, by COINr's rule, the skew and kurtosis of every indicator the framework
// leaves untransformed and untreated: a methodologist sees which would be treated.
func reportShapes(ctx context.Context, db *sql.DB, scoreRun string, weights []scoring.NodeWeight, treated []report.Treatment) ([]report.Shape, error) {
	skip := map[string]bool{}
	for _, t := range treated {
		skip[t.Indicator] = true
	}
	rows, err := db.QueryContext(ctx, `SELECT node, raw_value FROM score_values WHERE run_id = ? AND level = 3 AND raw_value IS NOT NULL ORDER BY node, city`, scoreRun)
	if err != nil {
		return nil, fmt.Errorf("reading indicator values: %w", err)
	}
	defer rows.Close()
	values := map[string][]float64{}
	for rows.Next() {
		var node string
		var v float64
		if err := rows.Scan(&node, &v); err != nil {
			return nil, err
		}
		values[node] = append(values[node], v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []report.Shape
	for _, w := range weights {
		if w.Method != "" || skip[w.ID] || (w.Transform != "" && w.Transform != scoring.TransformNone) || len(values[w.ID]) < 4 {
			continue
		}
		sk, ku := scoring.Skewness(values[w.ID]), scoring.Kurtosis(values[w.ID])
		if math.IsNaN(sk) || math.IsNaN(ku) {
			continue
		}
		spec := scoring.DefaultTreatSpec
		out = append(out, report.Shape{Indicator: w.ID, Name: w.Name, NameEN: w.NameEN, Skew: sk, Kurtosis: ku,
			Fails: math.Abs(sk) >= spec.Skew && ku >= spec.Kurtosis})
	}
	return out, nil
}

// treatSpecText states COINr's default thresholds, which the shape check applies.
func treatSpecText() string {
	s := scoring.DefaultTreatSpec
	return fmt.Sprintf("|skew| ≥ %g and kurtosis ≥ %g; winsorise up to %d points, then %s", s.Skew, s.Kurtosis, s.WinMax, s.Fallback)
}

// reportImputed lists the values a score run imputed (score_values.imputed), with the group the
// rule averaged over when it had one.
func reportImputed(ctx context.Context, db *sql.DB, scoreRun string, det *scoreDetails, nodes map[string]*report.Node) ([]report.Imputed, error) {
	group := map[[2]string]string{}
	for _, im := range det.Imputed {
		if im.Group != "" {
			group[[2]string{im.Unit, im.Indicator}] = im.Group
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT city, node, imputed, raw_value FROM score_values
		WHERE run_id = ? AND level = 3 AND imputed IS NOT NULL ORDER BY node, city`, scoreRun)
	if err != nil {
		return nil, fmt.Errorf("reading imputed values: %w", err)
	}
	defer rows.Close()
	var out []report.Imputed
	for rows.Next() {
		var im report.Imputed
		var v sql.NullFloat64
		if err := rows.Scan(&im.City, &im.Indicator, &im.Rule, &v); err != nil {
			return nil, err
		}
		im.Value = nanIfNull(v)
		if g := group[[2]string{im.City, im.Indicator}]; g != "" {
			im.Rule += " (" + g + ")"
		}
		if n := nodes[im.Indicator]; n != nil {
			im.Name, im.NameEN, im.Unit = n.Name, n.NameEN, n.Unit
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// reportCoverage lists the cities whose total carries less than all of the weight
// (score_values.coverage of the root), with the indicators they lack.
func reportCoverage(ctx context.Context, db *sql.DB, scoreRun, root string) ([]report.Coverage, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT r.city, r.coverage, list(i.node ORDER BY i.node) FILTER (WHERE i.raw_value IS NULL)
		FROM score_values r JOIN score_values i ON i.run_id = r.run_id AND i.city = r.city AND i.level = 3
		WHERE r.run_id = ? AND r.node = ? AND r.coverage < 1
		GROUP BY r.city, r.coverage ORDER BY r.coverage, r.city`, scoreRun, root)
	if err != nil {
		return nil, fmt.Errorf("reading coverage: %w", err)
	}
	defer rows.Close()
	var out []report.Coverage
	for rows.Next() {
		var c report.Coverage
		var missing []any
		if err := rows.Scan(&c.City, &c.Share, &missing); err != nil {
			return nil, err
		}
		for _, m := range missing {
			if s, ok := m.(string); ok {
				c.Indicators = append(c.Indicators, s)
			}
		}
		c.Missing = len(c.Indicators)
		out = append(out, c)
	}
	return out, rows.Err()
}

// reportAudit audits the score run's stored scores (scoring.Audit on the weight tree and values
// as stored): the flagged correlations, and Cronbach's alpha and the first component's share of
// variance per group.
func reportAudit(ctx context.Context, db *sql.DB, scoreRun string, weights []scoring.NodeWeight, nodes map[string]*report.Node) (*report.Audit, error) {
	res := &scoring.Result{Nodes: weights}
	// Audit lines values up by position: every node's values in the same city order.
	rows, err := db.QueryContext(ctx, `SELECT city, node, level, score FROM score_values WHERE run_id = ? ORDER BY node, city`, scoreRun)
	if err != nil {
		return nil, fmt.Errorf("reading scores for the audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v scoring.UnitValue
		var score sql.NullFloat64
		if err := rows.Scan(&v.Unit, &v.Node, &v.Level, &score); err != nil {
			return nil, err
		}
		v.Score = nanIfNull(score)
		res.Values = append(res.Values, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	au := scoring.Audit(res, scoring.AuditOptions{})
	out := &report.Audit{Alpha: au.Options.Alpha, Collinear: au.Options.Collinear}
	node := func(id string) *report.Node {
		if n := nodes[id]; n != nil {
			return n
		}
		return &report.Node{ID: id, Name: id, NameEN: id}
	}
	flagged := map[string]int{}
	for _, g := range au.Groups {
		for _, c := range append(append([]scoring.Correlation(nil), g.Pairs...), g.WithGroup...) {
			if len(c.Flags) == 0 {
				continue
			}
			flagged[g.Group]++
			out.Flagged = append(out.Flagged, report.Correlation{A: node(c.A), B: node(c.B), R: c.R, P: c.P, N: c.N, Flags: c.Flags, WithGroup: c.B == g.Group})
		}
		ga := report.GroupAudit{Group: node(g.Group), Children: len(g.Children), Alpha: g.Alpha, FirstPC: math.NaN(), Flagged: flagged[g.Group]}
		if len(g.Explained) > 0 {
			ga.FirstPC = g.Explained[0]
		}
		out.Groups = append(out.Groups, ga)
	}
	// Negative correlations first: they pull against the concept; then by how weak or strong.
	sort.SliceStable(out.Flagged, func(i, j int) bool {
		ni, nj := hasFlag(out.Flagged[i].Flags, scoring.FlagNegative), hasFlag(out.Flagged[j].Flags, scoring.FlagNegative)
		if ni != nj {
			return ni
		}
		return out.Flagged[i].R < out.Flagged[j].R
	})
	return out, nil
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

// reportSobol reads the Sobol' indices of a score run (score_sobol), when it computed them.
func reportSobol(ctx context.Context, db *sql.DB, scoreRun string, det *scoreDetails) (*report.Sobol, error) {
	if det.Sobol == nil || len(det.Sobol.Inputs) == 0 || !tableExists(ctx, db, "score_sobol") {
		return nil, nil
	}
	s := &report.Sobol{N: det.Sobol.N, Seed: det.Sobol.Seed}
	idx := map[string]int{}
	for i, in := range det.Sobol.Inputs {
		si := report.SobolInput{Name: in.Name, Alternatives: in.Alternatives, MeanFirst: math.NaN(), MeanTotal: math.NaN()}
		if i < len(det.Sobol.MeanFirst) && i < len(det.Sobol.MeanTotal) {
			si.MeanFirst, si.MeanTotal = det.Sobol.MeanFirst[i], det.Sobol.MeanTotal[i]
		}
		idx[in.Name] = i
		s.Inputs = append(s.Inputs, si)
	}
	rows, err := db.QueryContext(ctx, `SELECT city, input, first_order, total, rank_variance, base_rank FROM score_sobol
		WHERE run_id = ? ORDER BY rank_variance DESC, base_rank, city`, scoreRun)
	if err != nil {
		return nil, fmt.Errorf("reading Sobol' indices: %w", err)
	}
	defer rows.Close()
	byCity := map[string]*report.SobolCity{}
	var order []string
	for rows.Next() {
		var city, input string
		var first, total, variance float64
		var base int
		if err := rows.Scan(&city, &input, &first, &total, &variance, &base); err != nil {
			return nil, err
		}
		c := byCity[city]
		if c == nil {
			c = &report.SobolCity{City: city, BaseRank: base, RankVariance: variance, First: nans(len(s.Inputs)), Total: nans(len(s.Inputs))}
			byCity[city] = c
			order = append(order, city)
		}
		if i, ok := idx[input]; ok {
			c.First[i], c.Total[i] = first, total
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, city := range order {
		if c := byCity[city]; c.RankVariance > 0 && len(s.Volatile) < volatileCities {
			s.Volatile = append(s.Volatile, *c)
		}
	}
	return s, nil
}

func nans(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}
