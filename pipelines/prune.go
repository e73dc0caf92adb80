package pipelines

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// PruneOptions say how much history to keep.
type PruneOptions struct {
	// Keep is how many successful runs to keep per stage (per source for collect); at least 1.
	Keep   int
	DryRun bool
}

// PruneReport lists what a prune removed, or would remove.
type PruneReport struct {
	Runs  []string `json:"runs"`
	Files []string `json:"files"` // lake-relative
	Bytes int64    `json:"bytes"`
}

// Prune removes the data of old runs — raw partitions, WARC files, lineage files, metric and score
// rows — so a lake fed every night does not grow without bound. It never removes:
//
//   - the newest Keep successful runs of each stage (of each source, for collect);
//   - the newest Keep published score runs and everything a kept run depends on, down to its
//     collect runs;
//   - a WARC file a kept run's records or pages still point at;
//   - unfinished runs that --resume could still finish, and running ones.
//
// Manifests stay, marked pruned_at, as the lake's history.
func (l *Lake) Prune(ctx context.Context, opts PruneOptions) (*PruneReport, error) {
	if opts.Keep < 1 {
		return nil, fmt.Errorf("keep must be ≥ 1, got %d", opts.Keep)
	}
	if !opts.DryRun {
		if err := l.writable(); err != nil {
			return nil, err
		}
	}
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	byID := map[string]*Manifest{}
	for _, m := range runs {
		byID[m.RunID] = m
	}
	keep := map[string]bool{}
	var roots []string
	// The newest Keep successful runs per stage and source.
	count := map[string]int{}
	for i := len(runs) - 1; i >= 0; i-- {
		m := runs[i]
		if m.PrunedAt != nil {
			continue
		}
		if m.Status == StatusRunning {
			keep[m.RunID] = true
			continue
		}
		if m.Status != StatusSucceeded {
			continue
		}
		k := m.Stage + "/" + m.Source
		if count[k] < opts.Keep {
			count[k]++
			roots = append(roots, m.RunID)
		}
	}
	// Unfinished runs newer than their source's latest success: --resume may still want them.
	for _, m := range runs {
		if m.Stage == StageCollect && m.PrunedAt == nil && (m.Status == StatusInterrupted || m.Status == StatusAbandoned || m.Status == StatusFailed) {
			if latest, _ := l.LatestRun(StageCollect, m.Source); latest == nil || m.StartedAt.After(latest.StartedAt) {
				keep[m.RunID] = true
			}
		}
	}
	published, err := l.publishedRuns(ctx, opts.Keep)
	if err != nil {
		return nil, err
	}
	roots = append(roots, published...)
	// Everything a kept run depends on.
	for len(roots) > 0 {
		id := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		if keep[id] {
			continue
		}
		keep[id] = true
		// A collect run's upstream (the run an incremental crawl revalidated against, or re-parsed)
		// is needed only for its WARC files, which the in-use check below protects.
		if m := byID[id]; m != nil && m.Stage != StageCollect {
			roots = append(roots, m.Upstream...)
		}
	}
	// WARC files a kept collect run points at (its own, and older ones it revalidated or replayed).
	warcInUse := map[string]bool{}
	for id := range keep {
		m := byID[id]
		if m == nil || m.Stage != StageCollect {
			continue
		}
		b, err := os.ReadFile(filepath.Join(l.RawDir(m.Source, m.RunID), "pages.json"))
		if err != nil {
			continue
		}
		var pages []collectors.ArchivedPage
		if err := json.Unmarshal(b, &pages); err != nil {
			return nil, fmt.Errorf("reading pages of %s: %w", m.RunID, err)
		}
		for _, p := range pages {
			warcInUse[filepath.Join(l.ArchiveDir(m.Source), p.File)] = true
		}
	}

	rep := &PruneReport{}
	var doomed []*Manifest
	for _, m := range runs {
		if keep[m.RunID] || m.PrunedAt != nil || m.Status == StatusRunning {
			continue
		}
		doomed = append(doomed, m)
		rep.Runs = append(rep.Runs, m.RunID)
		for _, p := range l.runFiles(m, warcInUse) {
			if fi, err := os.Stat(p); err == nil {
				rep.Bytes += dirSize(p, fi)
				rep.Files = append(rep.Files, l.Rel(p))
			}
		}
	}
	sort.Strings(rep.Files)
	if opts.DryRun || len(doomed) == 0 {
		return rep, nil
	}
	if err := l.pruneRows(ctx, doomed); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	for _, m := range doomed {
		for _, p := range l.runFiles(m, warcInUse) {
			if !l.inside(p) || p == l.Root {
				// Manifests are validated when read; this is the last guard before deleting.
				return rep, fmt.Errorf("pruning %s: refusing to delete %s, which is outside the lake %s", m.RunID, p, l.Root)
			}
			if err := os.RemoveAll(p); err != nil {
				return rep, fmt.Errorf("pruning %s: %w", m.RunID, err)
			}
		}
		m.PrunedAt = &now
		if err := l.writeManifest(m); err != nil {
			return rep, err
		}
	}
	// Readers must not see the rows of pruned runs either.
	return rep, l.publishSnapshot("prune")
}

// runFiles lists the paths holding a run's data, leaving out WARC files still in use.
func (l *Lake) runFiles(m *Manifest, warcInUse map[string]bool) []string {
	switch m.Stage {
	case StageCollect:
		out := []string{l.RawDir(m.Source, m.RunID), l.rawTempDir(m.Source, m.RunID), l.rejectedDir(m.Source, m.RunID)}
		files, _ := filepath.Glob(filepath.Join(l.ArchiveDir(m.Source), m.RunID+"-*"))
		for _, f := range files {
			if !warcInUse[strings.TrimSuffix(f, ".open")] {
				out = append(out, f)
			}
		}
		return out
	case StageTransform:
		return []string{filepath.Dir(l.metricRecordsPath(m.RunID))}
	}
	return nil
}

// pruneRows deletes the database rows of doomed transform and score runs in one transaction.
func (l *Lake) pruneRows(ctx context.Context, doomed []*Manifest) error {
	if !l.hasDB() {
		return nil
	}
	db, err := l.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	deletes := map[string][]string{
		StageTransform: {"metric_history WHERE transform_run_id", "transform_runs WHERE run_id"},
		StageScore: {"score_values WHERE run_id", "score_weights WHERE run_id", "score_uncertainty WHERE run_id", "score_treatment WHERE run_id",
			"score_sobol WHERE run_id", "published WHERE run_id", "score_runs WHERE run_id"},
	}
	for _, m := range doomed {
		for _, d := range deletes[m.Stage] {
			table := strings.Fields(d)[0]
			if !tableExists(ctx, db, table) {
				continue
			}
			// Table and column names are the constants above; the run id is a parameter.
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+d+" = ?", m.RunID); err != nil {
				return fmt.Errorf("pruning %s from %s: %w", m.RunID, table, err)
			}
		}
	}
	return tx.Commit()
}

// publishedRuns lists the newest n published score runs: their lineage must stay answerable.
func (l *Lake) publishedRuns(ctx context.Context, n int) ([]string, error) {
	if !l.hasDB() {
		return nil, nil
	}
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if !tableExists(ctx, db, "published") {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT run_id FROM published ORDER BY published_at DESC LIMIT ?`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func dirSize(path string, fi os.FileInfo) int64 {
	if !fi.IsDir() {
		return fi.Size()
	}
	var n int64
	_ = filepath.Walk(path, func(_ string, f os.FileInfo, err error) error {
		if err == nil && !f.IsDir() {
			n += f.Size()
		}
		return nil
	})
	return n
}
