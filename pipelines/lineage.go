package pipelines

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fhi-index/fhi/collectors"
)

// LineageQuery asks where one city's score on one indicator came from.
type LineageQuery struct {
	City      string // sample city name, e.g. 杭州
	Indicator string // a level-3 indicator id, e.g. industry.p2p.firms
	ScoreRun  string // default: the published score run
	Limit     int    // records to list (default 10); the count is always complete
	Verify    bool   // re-read each listed record's archived response and check its hash
}

// LineageReport is the chain from a published score back to archived bytes.
type LineageReport struct {
	ScoreRun         string         `json:"score_run"`
	TransformRun     string         `json:"transform_run"`
	City             string         `json:"city"`
	Indicator        string         `json:"indicator"`
	Score            float64        `json:"score"`             // standardised, [0, 100]
	Rank             int            `json:"rank"`              // among the cities, on this indicator
	Raw              *float64       `json:"raw_value"`         // the metric as scored (after transforms)
	Metric           *float64       `json:"metric_value"`      // the transform's value
	Weights          []LineageLevel `json:"weights"`           // the indicator and each group above it
	RecordCount      int64          `json:"record_count"`      // records behind the metric
	Records          []LineageRow   `json:"records"`           // the first Limit of them
	RecordsAvailable bool           `json:"records_available"` // false: the transform run kept no lineage file
}

// LineageLevel is one node on the path from the indicator to the total.
type LineageLevel struct {
	Node      string  `json:"node"`
	Method    string  `json:"parent_method"`
	Local     float64 `json:"local_weight"`
	Effective float64 `json:"effective_weight"`
	Score     float64 `json:"score"`
	Rank      int     `json:"rank"`
}

// LineageRow is one raw record and where its bytes are.
type LineageRow struct {
	RecordID   string `json:"record_id"`
	Source     string `json:"source"`
	CollectRun string `json:"collect_run"`
	Key        string `json:"record_key"`
	URL        string `json:"url"`
	FetchedAt  string `json:"fetched_at"`
	WARCFile   string `json:"warc_file"` // lake-relative
	WARCOffset int64  `json:"warc_offset"`
	BodySHA256 string `json:"body_sha256"`
	Verified   *bool  `json:"verified,omitempty"`
	// Link is the registry company the record was taken to be (entity_links of the current
	// transform), for a firm record of a linked source.
	Link *LineageLink `json:"link,omitempty"`
}

// LineageLink says why a record was taken as a registry company's.
type LineageLink struct {
	CompanyID  string  `json:"company_id,omitempty"`
	Company    string  `json:"company,omitempty"`
	Method     string  `json:"method,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	MatchedOn  string  `json:"matched_on,omitempty"`
	Problem    string  `json:"problem,omitempty"`
}

// ErrNoLineage is returned when the score run has no value for that city and indicator.
var ErrNoLineage = errors.New("pipelines: no such score")

// Lineage follows a score back through the weights, the metric and the cleaned records to the raw
// rows and their archived responses.
func (l *Lake) Lineage(ctx context.Context, q LineageQuery) (*LineageReport, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if q.ScoreRun == "" {
		if err := db.QueryRowContext(ctx, `SELECT run_id FROM published ORDER BY published_at DESC LIMIT 1`).Scan(&q.ScoreRun); err != nil {
			return nil, errors.New("no published scores in this lake: run `fhi run` first, or name a score run with --run")
		}
	} else if _, err := l.successfulRun(q.ScoreRun, StageScore); err != nil {
		return nil, err
	}
	r := &LineageReport{ScoreRun: q.ScoreRun, City: q.City, Indicator: q.Indicator}
	if err := db.QueryRowContext(ctx, `SELECT transform_run_id FROM score_runs WHERE run_id = ?`, q.ScoreRun).Scan(&r.TransformRun); err != nil {
		return nil, fmt.Errorf("reading score run %s: %w", q.ScoreRun, err)
	}
	var raw sql.NullFloat64
	err = db.QueryRowContext(ctx, `SELECT score, rank, raw_value FROM score_values WHERE run_id = ? AND city = ? AND node = ? AND level = 3`,
		q.ScoreRun, q.City, q.Indicator).Scan(&r.Score, &r.Rank, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: score run %s has no indicator %q for city %q (fhi scores --level 3 lists them)", ErrNoLineage, q.ScoreRun, q.Indicator, q.City)
	}
	if err != nil {
		return nil, err
	}
	if raw.Valid {
		r.Raw = &raw.Float64
	}
	if err := l.lineageWeights(ctx, db, r); err != nil {
		return nil, err
	}
	var metric sql.NullFloat64
	var cityCode string
	if err := db.QueryRowContext(ctx, `SELECT value, n_records, city_code FROM metric_history WHERE transform_run_id = ? AND indicator = ? AND city = ?`,
		r.TransformRun, q.Indicator, q.City).Scan(&metric, &r.RecordCount, &cityCode); err != nil {
		return nil, fmt.Errorf("reading the metric of transform run %s: %w", r.TransformRun, err)
	}
	if metric.Valid {
		r.Metric = &metric.Float64
	}
	// Each transform run keeps its metric_records in the lake (lineage/transform=<id>/); a run from
	// before that existed can be rebuilt exactly with `fhi transform --from-run` of its collect runs.
	if _, err := os.Stat(l.metricRecordsPath(r.TransformRun)); err != nil {
		return r, nil
	}
	r.RecordsAvailable = true
	return r, l.lineageRecords(ctx, db, r, cityCode, q)
}

func (l *Lake) lineageWeights(ctx context.Context, db *sql.DB, r *LineageReport) error {
	node := r.Indicator
	for node != "" {
		var lv LineageLevel
		var parent, method sql.NullString
		err := db.QueryRowContext(ctx, `
			SELECT w.node, w.parent, p.method, w.local_weight, w.effective_weight, v.score, v.rank
			FROM score_weights w
			LEFT JOIN score_weights p ON p.run_id = w.run_id AND p.node = w.parent
			JOIN score_values v ON v.run_id = w.run_id AND v.node = w.node AND v.city = ?
			WHERE w.run_id = ? AND w.node = ?`, r.City, r.ScoreRun, node).
			Scan(&lv.Node, &parent, &method, &lv.Local, &lv.Effective, &lv.Score, &lv.Rank)
		if err != nil {
			return fmt.Errorf("reading the weight of %s: %w", node, err)
		}
		lv.Method = method.String
		r.Weights = append(r.Weights, lv)
		node = parent.String
	}
	return nil
}

func (l *Lake) lineageRecords(ctx context.Context, db *sql.DB, r *LineageReport, cityCode string, q LineageQuery) error {
	rows, err := db.QueryContext(ctx, `SELECT record_id, source, collect_run_id FROM read_parquet(?)
		WHERE indicator = ? AND city_code = ? ORDER BY source, record_id LIMIT ?`, l.metricRecordsPath(r.TransformRun), q.Indicator, cityCode, q.Limit)
	if err != nil {
		return fmt.Errorf("reading metric records: %w", err)
	}
	var picked []LineageRow
	for rows.Next() {
		var row LineageRow
		if err := rows.Scan(&row.RecordID, &row.Source, &row.CollectRun); err != nil {
			rows.Close()
			return err
		}
		picked = append(picked, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, row := range picked {
		m, err := l.Run(row.CollectRun)
		if err != nil {
			return err
		}
		files, err := l.rawFiles(m)
		if err != nil {
			return err
		}
		var fetched sql.NullTime
		if err := db.QueryRowContext(ctx, `SELECT record_key, url, fetched_at, warc_file, warc_offset, body_sha256
			FROM read_parquet(?) WHERE record_id = ?`, files, row.RecordID).
			Scan(&row.Key, &row.URL, &fetched, &row.WARCFile, &row.WARCOffset, &row.BodySHA256); err != nil {
			return fmt.Errorf("finding record %s in collect run %s: %w", row.RecordID, row.CollectRun, err)
		}
		if fetched.Valid {
			row.FetchedAt = fetched.Time.UTC().Format("2006-01-02T15:04:05Z")
		}
		if row.Link, err = recordLink(ctx, db, row.Source, row.RecordID); err != nil {
			return err
		}
		path := filepath.Join(l.ArchiveDir(row.Source), row.WARCFile)
		row.WARCFile = l.Rel(path)
		if q.Verify {
			ok := verifyArchived(path, row.WARCOffset, row.BodySHA256)
			row.Verified = &ok
		}
		r.Records = append(r.Records, row)
	}
	return nil
}

// recordLink reads a record's entity_links row, if the current transform linked its source.
func recordLink(ctx context.Context, db *sql.DB, source, recordID string) (*LineageLink, error) {
	if !tableExists(ctx, db, "entity_links") {
		return nil, nil
	}
	var company, name, method, matched, problem sql.NullString
	var confidence sql.NullFloat64
	err := db.QueryRowContext(ctx, `SELECT l.company_id, r.name, l.method, l.confidence, l.matched_on, l.problem
		FROM entity_links l LEFT JOIN clean_registry r ON r.record_id = l.registry_record_id
		WHERE l.source = ? AND l.record_id = ?`, source, recordID).Scan(&company, &name, &method, &confidence, &matched, &problem)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the link of record %s: %w", recordID, err)
	}
	return &LineageLink{CompanyID: company.String, Company: name.String, Method: method.String, Confidence: confidence.Float64,
		MatchedOn: matched.String, Problem: problem.String}, nil
}

// verifyArchived reports whether the archived bytes at path:offset hash to sum. An imported file's
// "archive" is the copy of the file itself, and its hash the file's.
func verifyArchived(path string, offset int64, sum string) bool {
	var body []byte
	if strings.HasSuffix(path, ".warc.gz") {
		resp, err := collectors.ReadResponse(path, offset)
		if err != nil {
			return false
		}
		body = resp.Body
	} else {
		b, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		body = b
	}
	got := sha256.Sum256(body)
	return hex.EncodeToString(got[:]) == sum
}
