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
	// Rejected marks the failures of a collect run that published nothing (no records, or refused
	// by the health gate): the source's data are still its previous run's.
	Rejected bool `json:"rejected,omitempty"`
}

// Quality lists what the latest runs set aside: quarantined rows of the current transform (by
// source and reason), failed or quarantined pages of each source's latest good collect run, and
// those of a later collect run that was rejected (no records, or the health gate).
func (l *Lake) Quality(ctx context.Context) ([]QualityRow, error) {
	var out []QualityRow
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	latest, rejected := map[string]*Manifest{}, map[string]*Manifest{}
	for _, m := range runs {
		if m.Stage != StageCollect || m.PrunedAt != nil {
			continue
		}
		switch m.Status {
		case StatusSucceeded:
			latest[m.Source] = m
			delete(rejected, m.Source)
		case StatusFailed:
			if _, err := os.Stat(filepath.Join(l.rejectedDir(m.Source, m.RunID), "failures.json")); err == nil {
				rejected[m.Source] = m
			}
		}
	}
	type failuresFile struct {
		m        *Manifest
		path     string
		rejected bool
	}
	var files []failuresFile
	for _, m := range sortedBySource(latest) {
		files = append(files, failuresFile{m, filepath.Join(l.RawDir(m.Source, m.RunID), "failures.json"), false})
	}
	for _, m := range sortedBySource(rejected) {
		files = append(files, failuresFile{m, filepath.Join(l.rejectedDir(m.Source, m.RunID), "failures.json"), true})
	}
	for _, file := range files {
		m := file.m
		b, err := os.ReadFile(file.path)
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
				r = &QualityRow{Stage: StageCollect, Source: m.Source, Run: m.RunID, Reason: reason, Example: f.URL + ": " + f.Error, Rejected: file.rejected}
				byKind[reason] = r
				order = append(order, reason)
			}
			r.Count++
		}
		for _, k := range order {
			out = append(out, *byKind[k])
		}
	}
	if !l.hasDB() {
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
	// Unlinked records that no metric needs (entity_links serves their lineage) are listed but were
	// not set aside; those a metric needs (postings) are in the quarantine already.
	q := `SELECT source, reason, value FROM quarantine`
	if tableExists(ctx, db, "entity_links") {
		q += ` UNION ALL SELECT source, '` + unlinkedReason + `' || problem, matched_on FROM (` + unlinkedQuery + `)`
	}
	rows, err := db.QueryContext(ctx, `SELECT source, reason, count(*), min(value) FROM (`+q+`) GROUP BY source, reason ORDER BY source, reason`)
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

// unlinkedQuery lists the firm records the transform could not link to a registry company and
// did not quarantine: no metric needs their link (entity_links serves their lineage), so they are
// kept, but fhi quality and the report count them.
const unlinkedQuery = `SELECT l.source, l.record_id, l.collect_run_id, l.problem, l.matched_on FROM entity_links l
	WHERE l.company_id IS NULL AND NOT EXISTS (SELECT 1 FROM quarantine x WHERE x.record_id = l.record_id)`

// unlinkedReason prefixes an unlinked record's problem in fhi quality.
const unlinkedReason = "unlinked (kept; no metric reads the link): "

func sortedBySource(m map[string]*Manifest) []*Manifest {
	out := make([]*Manifest, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}
