package pipelines

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/fhi-index/fhi/collectors"
)

// QualityRow counts one kind of problem: rows the transform quarantined, or pages a collect run
// could not fetch or parse.
type QualityRow struct {
	Stage   string `json:"stage"` // transform or collect
	Source  string `json:"source"`
	Run     string `json:"run,omitempty"`
	Reason  string `json:"reason"`
	Count   int64  `json:"count"`
	Example string `json:"example"` // a value or URL, to start looking
}

// Quality lists what the latest runs set aside: quarantined rows of the current transform (by
// source and reason) and failed or quarantined pages of each source's latest collect run.
func (l *Lake) Quality(ctx context.Context) ([]QualityRow, error) {
	var out []QualityRow
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	latest := map[string]*Manifest{}
	for _, m := range runs {
		if m.Stage == StageCollect && m.Status == StatusSucceeded && m.PrunedAt == nil {
			latest[m.Source] = m
		}
	}
	for _, m := range sortedBySource(latest) {
		b, err := os.ReadFile(filepath.Join(l.RawDir(m.Source, m.RunID), "failures.json"))
		if err != nil {
			continue // an import or a run from before failures were recorded
		}
		var fails []collectors.Failure
		if err := json.Unmarshal(b, &fails); err != nil {
			return nil, fmt.Errorf("reading failures of %s: %w", m.RunID, err)
		}
		byKind := map[string]*QualityRow{}
		var order []string
		for _, f := range fails {
			reason := f.Kind
			if f.Status != 0 {
				reason = fmt.Sprintf("%s (HTTP %d)", f.Kind, f.Status)
			}
			r, ok := byKind[reason]
			if !ok {
				r = &QualityRow{Stage: StageCollect, Source: m.Source, Run: m.RunID, Reason: reason, Example: f.URL + ": " + f.Error}
				byKind[reason] = r
				order = append(order, reason)
			}
			r.Count++
		}
		for _, k := range order {
			out = append(out, *byKind[k])
		}
	}
	if _, err := os.Stat(l.DBPath()); err != nil {
		return out, nil
	}
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if !tableExists(ctx, db, "quarantine") {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT source, reason, count(*), min(value) FROM quarantine GROUP BY source, reason ORDER BY source, reason`)
	if err != nil {
		return nil, fmt.Errorf("reading the quarantine: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := QualityRow{Stage: StageTransform}
		var ex sql.NullString
		if err := rows.Scan(&r.Source, &r.Reason, &r.Count, &ex); err != nil {
			return nil, err
		}
		r.Example = ex.String
		out = append(out, r)
	}
	return out, rows.Err()
}

func sortedBySource(m map[string]*Manifest) []*Manifest {
	out := make([]*Manifest, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}
