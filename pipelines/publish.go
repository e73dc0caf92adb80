package pipelines

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"
)

// ScoreTable is one score run in wide form: a row per city, a column per scored group node
// (total, then level 1, then level 2, in framework order).
type ScoreTable struct {
	RunID          string     `json:"run_id"`
	TransformRunID string     `json:"transform_run_id"`
	Columns        []string   `json:"columns"`
	Missing        []string   `json:"missing_indicators"`
	Rows           []ScoreRow `json:"rows"`
	// Draws is the number of Monte Carlo draws behind the rank intervals; 0 when the run has none.
	Draws int `json:"uncertainty_draws,omitempty"`
}

// ScoreRow is one city's scores, aligned with ScoreTable.Columns.
type ScoreRow struct {
	Rank   int       `json:"rank"`
	City   string    `json:"city"`
	Scores []float64 `json:"scores"`
	// MedianRank, P05Rank and P95Rank summarise the rank over the Monte Carlo draws, when run.
	MedianRank float64 `json:"median_rank,omitempty"`
	P05Rank    int     `json:"p05_rank,omitempty"`
	P95Rank    int     `json:"p95_rank,omitempty"`
}

// Publish makes a score run the published one and writes published/scores.csv, scores.json and
// report.html (the ranking as a page a reader can open).
func (l *Lake) Publish(ctx context.Context, fromRun string) (m *Manifest, err error) {
	var upstream *Manifest
	if fromRun != "" {
		if upstream, err = l.successfulRun(fromRun, StageScore); err != nil {
			return nil, fmt.Errorf("--from-run: %w", err)
		}
	} else if upstream, err = l.LatestRun(StageScore, ""); err != nil {
		return nil, err
	} else if upstream == nil {
		return nil, errors.New("no successful score run: run `fhi score` first")
	}
	if err := l.checkPublishable(upstream); err != nil {
		return nil, err
	}
	m, err = l.beginRun(StagePublish, "", []string{upstream.RunID})
	if err != nil {
		return nil, err
	}
	defer func() {
		if ferr := l.finishRun(m, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()
	db, err := l.openDB()
	if err != nil {
		return m, err
	}
	defer db.Close()
	table, err := scoreTable(ctx, db, upstream.RunID, 0)
	if err != nil {
		return m, err
	}
	var csvBuf bytes.Buffer
	if err := WriteScoresCSV(&csvBuf, table); err != nil {
		return m, err
	}
	jsonBytes, err := json.MarshalIndent(table, "", "  ")
	if err != nil {
		return m, err
	}
	html, err := l.writeReport(ctx, db, table, time.Now().UTC())
	if err != nil {
		return m, err
	}
	for name, b := range map[string][]byte{"scores.csv": csvBuf.Bytes(), "scores.json": append(jsonBytes, '\n'), "report.html": html} {
		path := filepath.Join(l.publishedDir(), name)
		if err := WriteFileAtomic(path, b); err != nil {
			return m, err
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT OR REPLACE INTO published VALUES (?, ?, ?)`, upstream.RunID, m.RunID, time.Now().UTC()); err != nil {
		return m, fmt.Errorf("recording publication: %w", err)
	}
	for _, name := range []string{"scores.csv", "scores.json", "report.html"} {
		ref, err := l.fileRef(filepath.Join(l.publishedDir(), name))
		if err != nil {
			return m, err
		}
		m.Outputs = append(m.Outputs, ref)
	}
	m.Rows = int64(len(table.Rows))
	return m, nil
}

// PublishedScores returns the published score run, or the score run named by runID, with the
// total and the level-1 and level-2 sub-indices as columns.
func (l *Lake) PublishedScores(ctx context.Context, runID string) (*ScoreTable, error) {
	return l.ScoresAtLevel(ctx, runID, 0)
}

// ScoresAtLevel is PublishedScores with the columns of one framework level after the total:
// 1 the level-1 sub-indices, 2 the level-2 ones, 3 the standardised indicators; 0 means levels 1 and 2.
func (l *Lake) ScoresAtLevel(ctx context.Context, runID string, level int) (*ScoreTable, error) {
	if level < 0 || level > 3 {
		return nil, fmt.Errorf("level %d: want 0 (levels 1 and 2), 1, 2 or 3", level)
	}
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if runID == "" {
		err := db.QueryRowContext(ctx, `SELECT run_id FROM published ORDER BY published_at DESC LIMIT 1`).Scan(&runID)
		if errors.Is(err, sql.ErrNoRows) || err != nil && !tableExists(ctx, db, "published") {
			return nil, errors.New("no published scores in this lake: run `fhi run` (or `fhi publish`) first")
		}
		if err != nil {
			return nil, fmt.Errorf("finding published run: %w", err)
		}
	} else if _, err := l.successfulRun(runID, StageScore); err != nil {
		return nil, err
	}
	return scoreTable(ctx, db, runID, level)
}

func tableExists(ctx context.Context, db *sql.DB, name string) bool {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ?`, name).Scan(&n)
	return err == nil && n > 0
}

func scoreTable(ctx context.Context, db *sql.DB, runID string, level int) (*ScoreTable, error) {
	lo, hi := 1, 2
	if level > 0 {
		lo, hi = level, level
	}
	t := &ScoreTable{RunID: runID}
	var missing string
	if err := db.QueryRowContext(ctx, `SELECT transform_run_id, missing_indicators FROM score_runs WHERE run_id = ?`, runID).Scan(&t.TransformRunID, &missing); err != nil {
		return nil, fmt.Errorf("reading score run %s: %w", runID, err)
	}
	if err := json.Unmarshal([]byte(missing), &t.Missing); err != nil {
		return nil, fmt.Errorf("reading score run %s: %w", runID, err)
	}
	cols, err := db.QueryContext(ctx, `SELECT node FROM score_weights WHERE run_id = ? AND (level = 0 OR level BETWEEN ? AND ?) ORDER BY level, ord`, runID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("reading score columns: %w", err)
	}
	colIdx := map[string]int{}
	for cols.Next() {
		var n string
		if err := cols.Scan(&n); err != nil {
			cols.Close()
			return nil, err
		}
		colIdx[n] = len(t.Columns)
		t.Columns = append(t.Columns, n)
	}
	cols.Close()
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("score run %s has no score columns", runID)
	}
	root := t.Columns[0]
	rows, err := db.QueryContext(ctx, `
		SELECT v.city, v.node, v.score, r.rank
		FROM score_values v
		JOIN score_values r ON r.run_id = v.run_id AND r.city = v.city AND r.node = ?
		WHERE v.run_id = ? AND (v.level = 0 OR v.level BETWEEN ? AND ?)
		ORDER BY r.rank, v.city`, root, runID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("reading scores: %w", err)
	}
	defer rows.Close()
	rowIdx := map[string]int{}
	for rows.Next() {
		var city, node string
		var score float64
		var rank int
		if err := rows.Scan(&city, &node, &score, &rank); err != nil {
			return nil, err
		}
		i, ok := rowIdx[city]
		if !ok {
			i = len(t.Rows)
			rowIdx[city] = i
			t.Rows = append(t.Rows, ScoreRow{Rank: rank, City: city, Scores: make([]float64, len(t.Columns))})
		}
		if c, ok := colIdx[node]; ok {
			t.Rows[i].Scores[c] = score
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return t, addUncertainty(ctx, db, t, rowIdx)
}

// addUncertainty fills the rank intervals of a score run that has them.
func addUncertainty(ctx context.Context, db *sql.DB, t *ScoreTable, rowIdx map[string]int) error {
	if !tableExists(ctx, db, "score_uncertainty") {
		return nil
	}
	rows, err := db.QueryContext(ctx, `SELECT city, median_rank, p05_rank, p95_rank, draws FROM score_uncertainty WHERE run_id = ?`, t.RunID)
	if err != nil {
		return fmt.Errorf("reading rank uncertainty: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var city string
		var med float64
		var p05, p95, draws int
		if err := rows.Scan(&city, &med, &p05, &p95, &draws); err != nil {
			return err
		}
		if i, ok := rowIdx[city]; ok {
			r := &t.Rows[i]
			r.MedianRank, r.P05Rank, r.P95Rank, t.Draws = med, p05, p95, draws
		}
	}
	return rows.Err()
}

// WriteScoresCSV writes the header rank,city,<columns…> — total first — and one row per city.
func WriteScoresCSV(w io.Writer, t *ScoreTable) error {
	cw := csv.NewWriter(w)
	header := append([]string{"rank", "city"}, t.Columns...)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range t.Rows {
		rec := []string{strconv.Itoa(r.Rank), r.City}
		for _, s := range r.Scores {
			rec = append(rec, strconv.FormatFloat(s, 'f', 2, 64))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
