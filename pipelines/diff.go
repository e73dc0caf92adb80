package pipelines

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// RankChange is one city's movement on one node between two score runs.
type RankChange struct {
	City       string  `json:"city"`
	RankA      int     `json:"rank_a"`
	RankB      int     `json:"rank_b"`
	ScoreA     float64 `json:"score_a"`
	ScoreB     float64 `json:"score_b"`
	RankChange int     `json:"rank_change"` // positive: moved up
}

// ScoreDiff compares two score runs on one node (total by default): how each city's rank and score
// moved. With both ids empty it compares the two newest successful score runs — last night and
// the night before.
func (l *Lake) ScoreDiff(ctx context.Context, runA, runB, node string) (string, string, []RankChange, error) {
	if node == "" {
		node = "total"
	}
	if runA == "" && runB == "" {
		runs, err := l.Runs()
		if err != nil {
			return "", "", nil, err
		}
		var ids []string
		for _, m := range runs {
			if m.Stage == StageScore && m.Status == StatusSucceeded && m.PrunedAt == nil {
				ids = append(ids, m.RunID)
			}
		}
		if len(ids) < 2 {
			return "", "", nil, errors.New("fewer than two score runs to compare: name two (fhi runs --stage score lists them), or score again")
		}
		runA, runB = ids[len(ids)-2], ids[len(ids)-1]
	}
	for _, id := range []string{runA, runB} {
		if _, err := l.successfulRun(id, StageScore); err != nil {
			return "", "", nil, err
		}
	}
	db, err := l.openDB()
	if err != nil {
		return "", "", nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `
		SELECT a.city, a.rank, b.rank, a.score, b.score
		FROM score_values a JOIN score_values b ON b.city = a.city AND b.node = a.node
		WHERE a.run_id = ? AND b.run_id = ? AND a.node = ?`, runA, runB, node)
	if err != nil {
		return "", "", nil, fmt.Errorf("comparing %s and %s: %w", runA, runB, err)
	}
	defer rows.Close()
	var out []RankChange
	for rows.Next() {
		var c RankChange
		if err := rows.Scan(&c.City, &c.RankA, &c.RankB, &c.ScoreA, &c.ScoreB); err != nil {
			return "", "", nil, err
		}
		c.RankChange = c.RankA - c.RankB
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return "", "", nil, err
	}
	if len(out) == 0 {
		return "", "", nil, fmt.Errorf("runs %s and %s share no scores on %q: name a node both have, such as total", runA, runB, node)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].RankB != out[j].RankB {
			return out[i].RankB < out[j].RankB
		}
		return out[i].City < out[j].City
	})
	return runA, runB, out, nil
}
