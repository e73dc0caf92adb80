package pipelines

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/scoring"
)

// ScoreOptions configure a score stage.
type ScoreOptions struct {
	// FromRun names the transform run to score; empty means the latest successful one.
	FromRun string
	// Framework is the framework and its judgements file; a zero value means the embedded
	// data/framework.yaml and data/ahp_judgements.yaml.
	Framework FrameworkSource
	Scoring   scoring.Options
	// AllowPartial scores a transform run that lacks sources the framework needs (see
	// FrameworkSources); without it Score returns a *MissingSourcesError.
	AllowPartial bool
}

// FrameworkSource is a framework YAML and the AHP judgements file it names, as bytes.
type FrameworkSource struct {
	Name       string // for messages: the file path, or "data/framework.yaml (embedded)"
	YAML       []byte // nil means the embedded framework and judgements
	Judgements []byte
}

// ErrJudgementsPath reports a framework naming a judgements file outside its own directory.
var ErrJudgementsPath = errors.New("pipelines: judgements file must be a plain file name beside the framework")

// ReadFramework reads the framework at path and the judgements file it names (judgements:,
// resolved beside it; a plain name, never a path out of its directory). An empty path means
// the embedded framework.
func ReadFramework(path string) (FrameworkSource, error) {
	if path == "" {
		return FrameworkSource{Name: "data/framework.yaml (embedded)"}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return FrameworkSource{}, fmt.Errorf("reading the framework: %w", err)
	}
	src := FrameworkSource{Name: path, YAML: b}
	ref, err := scoring.JudgementsRef(b)
	if err != nil {
		return FrameworkSource{}, fmt.Errorf("%s: %w", path, err)
	}
	if ref == "" {
		return src, nil
	}
	if ref != filepath.Base(ref) || ref == "." || ref == ".." || strings.ContainsAny(ref, `/\`) {
		return FrameworkSource{}, fmt.Errorf("%s: judgements %q: %w", path, ref, ErrJudgementsPath)
	}
	jpath := filepath.Join(filepath.Dir(path), ref)
	if src.Judgements, err = os.ReadFile(jpath); err != nil {
		return FrameworkSource{}, fmt.Errorf("reading the judgements file %s named by %s: %w", ref, path, err)
	}
	return src, nil
}

// Parse parses the framework with its judgements.
func (s FrameworkSource) Parse() (*scoring.Framework, error) {
	if s.YAML == nil {
		return scoring.ParseFramework(data.FrameworkYAML, data.JudgementsYAML)
	}
	if s.Judgements == nil {
		return scoring.ParseFramework(s.YAML)
	}
	return scoring.ParseFramework(s.YAML, s.Judgements)
}

// JudgementsName names the AHP judgements file s was read with, for readers of its weights:
// the embedded data/ahp_judgements.yaml, the file beside the framework, or "" when the framework
// declares its judgements inline.
func (s FrameworkSource) JudgementsName() string {
	if s.YAML == nil {
		return "data/ahp_judgements.yaml (embedded)"
	}
	ref, err := scoring.JudgementsRef(s.YAML)
	if err != nil || ref == "" || s.Judgements == nil {
		return ""
	}
	return filepath.Join(filepath.Dir(s.Name), ref)
}

// paramJudgements is the score manifest parameter naming the judgements file scored with.
const paramJudgements = "judgements"

// digest is the SHA-256 of the framework and its judgements, as scored.
func (s FrameworkSource) digest() string {
	h := sha256.New()
	if s.YAML == nil {
		h.Write(data.FrameworkYAML)
		h.Write(data.JudgementsYAML)
	} else {
		h.Write(s.YAML)
		h.Write(s.Judgements)
	}
	return hex.EncodeToString(h.Sum(nil))
}

const scoreSchema = `
CREATE TABLE IF NOT EXISTS score_runs (
    run_id VARCHAR PRIMARY KEY,
    transform_run_id VARCHAR NOT NULL,
    framework_sha256 VARCHAR NOT NULL,
    missing_indicators VARCHAR NOT NULL,
    details VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS score_weights (
    run_id VARCHAR NOT NULL,
    ord INTEGER NOT NULL,
    node VARCHAR NOT NULL,
    parent VARCHAR,
    level INTEGER NOT NULL,
    name VARCHAR,
    name_en VARCHAR,
    method VARCHAR,
    local_weight DOUBLE NOT NULL,
    effective_weight DOUBLE NOT NULL,
    diagnostics VARCHAR NOT NULL,
    PRIMARY KEY (run_id, node)
);
CREATE TABLE IF NOT EXISTS score_values (
    run_id VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    node VARCHAR NOT NULL,
    level INTEGER NOT NULL,
    raw_value DOUBLE,
    score DOUBLE NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (run_id, node, city)
);
CREATE TABLE IF NOT EXISTS score_uncertainty (
    run_id VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    base_rank INTEGER NOT NULL,
    median_rank DOUBLE NOT NULL,
    p05_rank INTEGER NOT NULL,
    p95_rank INTEGER NOT NULL,
    draws INTEGER NOT NULL,
    PRIMARY KEY (run_id, city)
);
CREATE TABLE IF NOT EXISTS published (
    run_id VARCHAR PRIMARY KEY,
    publish_run_id VARCHAR NOT NULL,
    published_at TIMESTAMPTZ NOT NULL
);
-- Added for issue 12; lakes created before it gain the columns here.
ALTER TABLE score_weights ADD COLUMN IF NOT EXISTS provenance VARCHAR;
ALTER TABLE score_weights ADD COLUMN IF NOT EXISTS placeholder BOOLEAN;
ALTER TABLE score_values ADD COLUMN IF NOT EXISTS imputed VARCHAR;
ALTER TABLE score_values ADD COLUMN IF NOT EXISTS treated VARCHAR;
ALTER TABLE score_values ADD COLUMN IF NOT EXISTS coverage DOUBLE;
ALTER TABLE score_values ALTER COLUMN score DROP NOT NULL;
ALTER TABLE score_values ALTER COLUMN rank DROP NOT NULL;
CREATE TABLE IF NOT EXISTS score_treatment (
    run_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    skew_before DOUBLE,
    kurtosis_before DOUBLE,
    passed_before BOOLEAN NOT NULL,
    untestable BOOLEAN NOT NULL,
    winsorised INTEGER NOT NULL,
    skew_winsorised DOUBLE,
    kurtosis_winsorised DOUBLE,
    log_ct BOOLEAN NOT NULL,
    skew_log DOUBLE,
    kurtosis_log DOUBLE,
    passed BOOLEAN NOT NULL,
    points VARCHAR NOT NULL,
    PRIMARY KEY (run_id, indicator)
);
CREATE TABLE IF NOT EXISTS score_sobol (
    run_id VARCHAR NOT NULL,
    city VARCHAR NOT NULL,
    input VARCHAR NOT NULL,
    first_order DOUBLE NOT NULL,
    total DOUBLE NOT NULL,
    rank_variance DOUBLE NOT NULL,
    base_rank INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    PRIMARY KEY (run_id, city, input)
);
`

// scoreComments documents every score table and column in the database itself (DuckDB COMMENT
// ON), with units, so an analyst browsing the lake with duckdb needs no source code. Every table
// and column created by scoreSchema has an entry; TestScoreComments checks that.
var scoreComments = map[string]string{
	"score_runs":                    "one row per score run: which transform run it scored, with which framework",
	"score_runs.run_id":             "score run id (manifest run id)",
	"score_runs.transform_run_id":   "the transform run whose metric_history was scored",
	"score_runs.framework_sha256":   "SHA-256 (hex) of the framework YAML and its AHP judgements file, as scored",
	"score_runs.missing_indicators": "JSON array of framework indicators with no metric (pruned, siblings renormalised)",
	"score_runs.details":            "JSON: options, unused/constant/dropped/screened, imputations (unit, indicator, rule, group, value), data availability, treatment log, placeholders (AHP groups whose judgements are placeholders), top, candidates, rank uncertainty, Sobol' indices",

	"score_weights":                  "the weight tree of a score run: every kept node with its local and effective weight",
	"score_weights.run_id":           "score run id",
	"score_weights.ord":              "framework (pre-order) position",
	"score_weights.node":             "node id (root, level-1 and level-2 groups, level-3 indicators)",
	"score_weights.parent":           "parent node id; NULL for the root",
	"score_weights.level":            "0 root, 1 perspective, 2 group, 3 indicator",
	"score_weights.name":             "Chinese name",
	"score_weights.name_en":          "English name",
	"score_weights.method":           "how the node weights its children: ahp, pca, equal or fixed; NULL for indicators",
	"score_weights.local_weight":     "weight within the parent, dimensionless, siblings sum to 1",
	"score_weights.effective_weight": "product of local weights from the root, dimensionless, indicators sum to 1",
	"score_weights.diagnostics":      "JSON: AHP matrix, λmax, CI, CR and judgement provenance; PCA eigenvalues, explained variance, loadings, retention, rotation",
	"score_weights.provenance":       "AHP groups: where the judgements come from — placeholder, elicited or published; NULL otherwise",
	"score_weights.placeholder":      "true when this weight, or an ancestor's, derives from placeholder AHP judgements: not a panel's result",

	"score_values":           "every city's value, score and rank on every node of a score run",
	"score_values.run_id":    "score run id",
	"score_values.city":      "city (short Chinese name)",
	"score_values.node":      "node id",
	"score_values.level":     "0 root … 3 indicator",
	"score_values.raw_value": "indicators: the metric after denomination, imputation and outlier treatment, in the indicator's unit (score_weights.diagnostics unit; log units after log_ct); NULL for groups and missing values",
	"score_values.score":     "indicators: normalised score (0–100 under min-max); groups: aggregate of the children (0–100 under min-max and means); NULL when the city has no value here",
	"score_values.rank":      "competition rank among cities on this node (1 = best, ties share the rank); NULL when score is NULL",
	"score_values.imputed":   "missing-value rule that supplied raw_value (zero, min, mean, median, worst, group-mean, group-median); reweight: left missing, the parent re-weights; NULL when observed",
	"score_values.treated":   "outlier treatment of raw_value: winsorised-high, winsorised-low or log_ct; NULL when untouched",
	"score_values.coverage":  "share (0–1) of the node's weight carried by the city's available children; indicators 1, or 0 when missing",

	"score_uncertainty":             "Monte Carlo rank intervals of the total (fhi score --mc-draws)",
	"score_uncertainty.run_id":      "score run id",
	"score_uncertainty.city":        "city",
	"score_uncertainty.base_rank":   "rank on the total in the run itself",
	"score_uncertainty.median_rank": "median rank over the draws",
	"score_uncertainty.p05_rank":    "5th percentile rank over the draws (nearest rank)",
	"score_uncertainty.p95_rank":    "95th percentile rank over the draws (nearest rank)",
	"score_uncertainty.draws":       "number of Monte Carlo draws",

	"published":                "which score run each publish run published",
	"published.run_id":         "score run id",
	"published.publish_run_id": "publish run id",
	"published.published_at":   "when it was published (UTC)",

	"score_treatment":                     "outlier treatment log per indicator with transform winsorise (COINr Treat(): winsorise up to winmax, then log_CT)",
	"score_treatment.run_id":              "score run id",
	"score_treatment.indicator":           "indicator id",
	"score_treatment.skew_before":         "sample skewness G1 of the values as given, dimensionless",
	"score_treatment.kurtosis_before":     "sample excess kurtosis G2 of the values as given, dimensionless",
	"score_treatment.passed_before":       "|skew| < threshold or kurtosis < threshold before treatment (then nothing was done)",
	"score_treatment.untestable":          "skewness or kurtosis undefined (fewer than 4 values, no variance): left as is",
	"score_treatment.winsorised":          "number of values winsorised (COINr nwin; ties count each)",
	"score_treatment.skew_winsorised":     "skewness after winsorising; NULL when not winsorised",
	"score_treatment.kurtosis_winsorised": "excess kurtosis after winsorising; NULL when not winsorised",
	"score_treatment.log_ct":              "winsorising did not pass: the untreated values were log-transformed, ln(x − min + 0.01·(max − min))",
	"score_treatment.skew_log":            "skewness after log_ct; NULL when not applied",
	"score_treatment.kurtosis_log":        "excess kurtosis after log_ct; NULL when not applied",
	"score_treatment.passed":              "final verdict of the skew/kurtosis check",
	"score_treatment.points":              "JSON object city → treatment of the cities whose value changed",

	"score_sobol":               "variance-based sensitivity of each city's rank on the total (fhi score --sobol): first-order and total Sobol' indices per uncertain choice",
	"score_sobol.run_id":        "score run id",
	"score_sobol.city":          "city",
	"score_sobol.input":         "uncertain choice: weights, pca, normalisation, aggregation, treatment or imputation",
	"score_sobol.first_order":   "first-order Sobol' index S_i (Saltelli 2010 estimator), share of the rank's variance, dimensionless",
	"score_sobol.total":         "total Sobol' index ST_i (Jansen estimator), including interactions, dimensionless",
	"score_sobol.rank_variance": "variance of the city's rank over the samples, ranks²; 0 means the rank never moved (indices 0)",
	"score_sobol.base_rank":     "rank on the total in the run itself",
	"score_sobol.samples":       "base sample size N (the model ran N·(inputs + 2) times)",
}

// commentScoreTables writes scoreComments into the database (parameters cannot be bound in
// COMMENT ON, so the texts, constants of this file, are quoted as SQL literals).
func commentScoreTables(ctx context.Context, db *sql.DB) error {
	keys := make([]string, 0, len(scoreComments))
	for k := range scoreComments {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kind := "TABLE"
		if strings.Contains(k, ".") {
			kind = "COLUMN"
		}
		q := fmt.Sprintf("COMMENT ON %s %s IS '%s'", kind, k, strings.ReplaceAll(scoreComments[k], "'", "''"))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("commenting %s: %w", k, err)
		}
	}
	return nil
}

// Score standardises, weights and aggregates one transform run's metrics. It reads only the
// database: no source is contacted.
func (l *Lake) Score(ctx context.Context, opts ScoreOptions) (m *Manifest, res *scoring.Result, err error) {
	fw, err := opts.Framework.Parse()
	if err != nil {
		return nil, nil, fmt.Errorf("reading framework: %w", err)
	}
	var upstream *Manifest
	if opts.FromRun != "" {
		if upstream, err = l.successfulRun(opts.FromRun, StageTransform); err != nil {
			return nil, nil, fmt.Errorf("--from-run: %w", err)
		}
	} else if upstream, err = l.LatestRun(StageTransform, ""); err != nil {
		return nil, nil, err
	} else if upstream == nil {
		return nil, nil, errors.New("no successful transform run: run `fhi transform` first")
	}
	missing, err := l.checkCoverage(upstream, opts.AllowPartial)
	if err != nil {
		return nil, nil, err
	}
	m, err = l.beginRun(StageScore, "", []string{upstream.RunID})
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if ferr := l.finishRun(m, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()
	m.Params = map[string]string{"framework_sha256": opts.Framework.digest(), "missing_sources": strings.Join(missing, ",")}
	if j := opts.Framework.JudgementsName(); j != "" {
		m.Params[paramJudgements] = j
	}
	if opts.AllowPartial {
		m.Params["allow_partial"] = "true"
	}
	if err := l.markSimulated(m); err != nil {
		return m, nil, err
	}

	db, err := l.openDB()
	if err != nil {
		return m, nil, err
	}
	defer db.Close()
	table, err := metricTable(ctx, db, upstream.RunID)
	if err != nil {
		return m, nil, err
	}
	res, err = scoring.Score(fw, table, opts.Scoring)
	if err != nil {
		return m, nil, fmt.Errorf("scoring transform run %s: %w", upstream.RunID, err)
	}
	if err := storeScores(ctx, db, m.RunID, upstream.RunID, m.Params["framework_sha256"], res); err != nil {
		return m, nil, err
	}
	m.Rows = int64(len(res.Values))
	m.Tables = map[string]int64{"score_values": int64(len(res.Values)), "score_weights": int64(len(res.Nodes))}
	m.Details, err = json.Marshal(map[string]any{"missing_indicators": res.Missing, "top": res.Top, "candidates": res.Candidates})
	return m, res, err
}

// metricTable reads a transform run's metrics as a wide table, cities in code order.
func metricTable(ctx context.Context, db *sql.DB, transformRun string) (scoring.Table, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT city, indicator, value FROM metric_history
		WHERE transform_run_id = ? ORDER BY city_code, indicator`, transformRun)
	if err != nil {
		return scoring.Table{}, fmt.Errorf("reading metrics of transform run %s: %w", transformRun, err)
	}
	defer rows.Close()
	var t scoring.Table
	unitIdx, indIdx := map[string]int{}, map[string]int{}
	type cell struct {
		unit, ind string
		v         float64
	}
	var cells []cell
	for rows.Next() {
		var c cell
		var v sql.NullFloat64
		if err := rows.Scan(&c.unit, &c.ind, &v); err != nil {
			return t, err
		}
		c.v = math.NaN()
		if v.Valid {
			c.v = v.Float64
		}
		if _, ok := unitIdx[c.unit]; !ok {
			unitIdx[c.unit] = len(t.Units)
			t.Units = append(t.Units, c.unit)
		}
		if _, ok := indIdx[c.ind]; !ok {
			indIdx[c.ind] = 0
			t.Indicators = append(t.Indicators, c.ind)
		}
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	if len(cells) == 0 {
		return t, fmt.Errorf("transform run %s has no metrics", transformRun)
	}
	sort.Strings(t.Indicators)
	for i, id := range t.Indicators {
		indIdx[id] = i
	}
	// Unit attributes a framework may group imputation by: the city's province and kind
	// (municipality, provincial_capital, separately_planned) from data/cities.csv.
	cities, err := data.Cities()
	if err != nil {
		return t, err
	}
	byName := map[string]data.City{}
	for _, c := range cities {
		byName[c.Name] = c
	}
	province, kind := make([]string, len(t.Units)), make([]string, len(t.Units))
	for u, name := range t.Units {
		province[u], kind[u] = byName[name].Province, byName[name].Kind
	}
	t.Attributes = []scoring.Attribute{{Name: "province", Values: province}, {Name: "kind", Values: kind}}
	t.Values = make([][]float64, len(t.Units))
	for i := range t.Values {
		t.Values[i] = make([]float64, len(t.Indicators))
		for j := range t.Values[i] {
			t.Values[i][j] = math.NaN() // a city without a row for an indicator is missing, not zero
		}
	}
	for _, c := range cells {
		t.Values[unitIdx[c.unit]][indIdx[c.ind]] = c.v
	}
	return t, nil
}

func storeScores(ctx context.Context, db *sql.DB, runID, transformRun, fwSHA string, res *scoring.Result) error {
	if _, err := db.ExecContext(ctx, scoreSchema); err != nil {
		return fmt.Errorf("creating score tables: %w", err)
	}
	if err := commentScoreTables(ctx, db); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	missing, _ := json.Marshal(nonNil(res.Missing))
	details, err := json.Marshal(map[string]any{
		"options": res.Options, "unused": res.Unused, "constant": res.Constant, "dropped": res.Dropped,
		"screened_units": res.ScreenedUnits, "screened_indicators": res.ScreenedIndicators, "availability": res.Availability,
		"imputed": res.Imputed, "treatment": res.Treatments, "clamped": res.Clamped, "placeholders": nonNil(res.Placeholders),
		"top": res.Top, "candidates": res.Candidates, "sensitivity": res.Sensitivity, "sobol": sobolSummary(res.Sobol),
	})
	if err != nil {
		return fmt.Errorf("encoding score details: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO score_runs VALUES (?, ?, ?, ?, ?)`, runID, transformRun, fwSHA, string(missing), string(details)); err != nil {
		return fmt.Errorf("recording score run: %w", err)
	}
	for i, n := range res.Nodes {
		diag, err := json.Marshal(n)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO score_weights (run_id, ord, node, parent, level, name, name_en, method, local_weight, effective_weight, diagnostics, provenance, placeholder)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			runID, i, n.ID, nullString(n.Parent), n.Level, n.Name, n.NameEN, nullString(n.Method), n.Local, n.Effective, string(diag), nullString(n.Provenance), n.Placeholder); err != nil {
			return fmt.Errorf("storing weight of %s: %w", n.ID, err)
		}
	}
	// Batched multi-row inserts: thousands of values, a handful of statements.
	const chunk = 300
	for i := 0; i < len(res.Values); i += chunk {
		vals := res.Values[i:min(i+chunk, len(res.Values))]
		var q strings.Builder
		q.WriteString("INSERT INTO score_values (run_id, city, node, level, raw_value, score, rank, imputed, treated, coverage) VALUES ")
		args := make([]any, 0, len(vals)*10)
		for k, v := range vals {
			if k > 0 {
				q.WriteString(",")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			var score, rank any
			if !math.IsNaN(v.Score) {
				score, rank = v.Score, v.Rank
			}
			args = append(args, runID, v.Unit, v.Node, v.Level, nullFloat(v.Raw), score, rank, nullString(v.Imputed), nullString(v.Treated), v.Coverage)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("storing scores: %w", err)
		}
	}
	for _, t := range res.Treatments {
		points := map[string]string{}
		for k, u := range t.Units {
			points[u] = t.Points[k]
		}
		pj, _ := json.Marshal(points)
		var sw, kw, sl, kl any
		if a := t.AfterWinsorising; a != nil {
			sw, kw = nullFloat(a.Skew), nullFloat(a.Kurtosis)
		}
		if a := t.AfterLog; a != nil {
			sl, kl = nullFloat(a.Skew), nullFloat(a.Kurtosis)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO score_treatment VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			runID, t.Indicator, nullFloat(t.Before.Skew), nullFloat(t.Before.Kurtosis), t.Before.Pass, t.Untestable, t.Winsorised,
			sw, kw, t.LogCT, sl, kl, t.Passed(), string(pj)); err != nil {
			return fmt.Errorf("storing the treatment of %s: %w", t.Indicator, err)
		}
	}
	if sens := res.Sensitivity; sens != nil {
		for _, u := range sens.Units {
			if _, err := tx.ExecContext(ctx, `INSERT INTO score_uncertainty VALUES (?, ?, ?, ?, ?, ?, ?)`,
				runID, u.Unit, u.BaseRank, u.MedianRank, u.P05, u.P95, sens.Draws); err != nil {
				return fmt.Errorf("storing rank uncertainty of %s: %w", u.Unit, err)
			}
		}
	}
	if so := res.Sobol; so != nil {
		for _, u := range so.Units {
			for i, in := range so.Inputs {
				if _, err := tx.ExecContext(ctx, `INSERT INTO score_sobol VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					runID, u.Unit, in.Name, u.First[i], u.Total[i], u.RankVariance, u.BaseRank, so.N); err != nil {
					return fmt.Errorf("storing the Sobol' indices of %s: %w", u.Unit, err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing scores: %w", err)
	}
	return nil
}

// sobolSummary is the part of the Sobol' result kept in score_runs.details (the per-city indices
// are in score_sobol).
func sobolSummary(s *scoring.SobolResult) any {
	if s == nil {
		return nil
	}
	return map[string]any{"n": s.N, "seed": s.Seed, "inputs": s.Inputs, "mean_first": s.MeanFirst, "mean_total": s.MeanTotal, "weight_sets": s.WeightSets}
}

func nullFloat(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Weights computes the weight tree that scoring a transform run gives (the latest successful one
// when fromRun is empty), without storing anything: PCA weights depend on the data scored.
func (l *Lake) Weights(ctx context.Context, fromRun string, src FrameworkSource) (*scoring.Result, error) {
	fw, err := src.Parse()
	if err != nil {
		return nil, fmt.Errorf("reading framework: %w", err)
	}
	var m *Manifest
	if fromRun != "" {
		m, err = l.successfulRun(fromRun, StageTransform)
	} else if m, err = l.LatestRun(StageTransform, ""); err == nil && m == nil {
		err = errors.New("no successful transform run: run `fhi transform` first")
	}
	if err != nil {
		return nil, err
	}
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	table, err := metricTable(ctx, db, m.RunID)
	if err != nil {
		return nil, err
	}
	return scoring.Score(fw, table, scoring.Options{})
}
