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
	"sort"

	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/scoring"
)

// ScoreOptions configure a score stage.
type ScoreOptions struct {
	// FromRun names the transform run to score; empty means the latest successful one.
	FromRun string
	// Framework is the framework YAML; nil means the embedded data/framework.yaml.
	Framework []byte
	Scoring   scoring.Options
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
`

// Score standardises, weights and aggregates one transform run's metrics. It reads only the
// database: no source is contacted.
func (l *Lake) Score(ctx context.Context, opts ScoreOptions) (m *Manifest, res *scoring.Result, err error) {
	fwYAML := opts.Framework
	if fwYAML == nil {
		fwYAML = data.FrameworkYAML
	}
	fw, err := scoring.ParseFramework(fwYAML)
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
		return nil, nil, errors.New("score: no successful transform run: run `fhi transform` first")
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
	sum := sha256.Sum256(fwYAML)
	m.Params = map[string]string{"framework_sha256": hex.EncodeToString(sum[:])}
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
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	missing, _ := json.Marshal(nonNil(res.Missing))
	details, err := json.Marshal(map[string]any{
		"options": res.Options, "unused": res.Unused, "constant": res.Constant, "dropped": res.Dropped,
		"imputed": res.Imputed, "winsorised": res.Winsorised, "top": res.Top, "candidates": res.Candidates,
		"sensitivity": res.Sensitivity,
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO score_weights VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			runID, i, n.ID, nullString(n.Parent), n.Level, n.Name, n.NameEN, nullString(n.Method), n.Local, n.Effective, string(diag)); err != nil {
			return fmt.Errorf("storing weight of %s: %w", n.ID, err)
		}
	}
	// Batched multi-row inserts: thousands of values, a handful of statements.
	const chunk = 400
	for i := 0; i < len(res.Values); i += chunk {
		vals := res.Values[i:min(i+chunk, len(res.Values))]
		q := "INSERT INTO score_values VALUES "
		args := make([]any, 0, len(vals)*7)
		for k, v := range vals {
			if k > 0 {
				q += ","
			}
			q += "(?, ?, ?, ?, ?, ?, ?)"
			var raw any
			if !math.IsNaN(v.Raw) {
				raw = v.Raw
			}
			args = append(args, runID, v.Unit, v.Node, v.Level, raw, v.Score, v.Rank)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("storing scores: %w", err)
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
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing scores: %w", err)
	}
	return nil
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
func (l *Lake) Weights(ctx context.Context, fromRun string, fwYAML []byte) (*scoring.Result, error) {
	if fwYAML == nil {
		fwYAML = data.FrameworkYAML
	}
	fw, err := scoring.ParseFramework(fwYAML)
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
