package pipelines

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"html/template"
	"net"
	"net/url"
	"sort"
	"time"
)

//go:embed report.html.tmpl
var reportTemplate string

// report is what published/report.html shows.
type report struct {
	ScoreRun, TransformRun, PublishedAt string
	Simulated                           bool
	Level1                              []string
	Top                                 []reportRow
	Rows                                []ScoreRow
	Candidates                          []string
	Orders                              []reportOrder
	Missing                             []string
	Sources                             []reportSource
}

type reportRow struct {
	Rank   int
	City   string
	Total  float64
	Level1 []reportCell
}

type reportCell struct {
	Score float64
	Rank  int
}

type reportOrder struct {
	Node   string
	Cities []string
}

type reportSource struct {
	Source, Run, Host string
	Rows              int64
}

// writeReport renders the published ranking as a self-contained HTML page. Every value goes
// through html/template, so no text from a crawled page can become markup.
func (l *Lake) writeReport(ctx context.Context, db *sql.DB, t *ScoreTable, now time.Time) ([]byte, error) {
	r := report{ScoreRun: t.RunID, TransformRun: t.TransformRunID, PublishedAt: now.Format("2006-01-02 15:04 MST"), Rows: t.Rows, Missing: t.Missing}
	ranks := map[string]map[string]int{} // node → city → rank
	rows, err := db.QueryContext(ctx, `SELECT node, city, rank FROM score_values WHERE run_id = ? AND level <= 2`, t.RunID)
	if err != nil {
		return nil, fmt.Errorf("reading ranks: %w", err)
	}
	for rows.Next() {
		var node, city string
		var rank int
		if err := rows.Scan(&node, &city, &rank); err != nil {
			rows.Close()
			return nil, err
		}
		if ranks[node] == nil {
			ranks[node] = map[string]int{}
		}
		ranks[node][city] = rank
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var level1 []int // column indexes of the level-1 sub-indices
	var level1IDs []string
	lv, err := db.QueryContext(ctx, `SELECT node, level FROM score_weights WHERE run_id = ? AND level BETWEEN 1 AND 2 ORDER BY level, ord`, t.RunID)
	if err != nil {
		return nil, err
	}
	levelOf := map[string]int{}
	for lv.Next() {
		var node string
		var level int
		if err := lv.Scan(&node, &level); err != nil {
			lv.Close()
			return nil, err
		}
		levelOf[node] = level
	}
	lv.Close()
	for i, c := range t.Columns {
		if levelOf[c] == 1 {
			level1 = append(level1, i)
			level1IDs = append(level1IDs, c)
		}
	}
	r.Level1 = level1IDs
	for i, row := range t.Rows {
		if i < 20 {
			rr := reportRow{Rank: row.Rank, City: row.City, Total: row.Scores[0]}
			for _, c := range level1 {
				rr.Level1 = append(rr.Level1, reportCell{Score: row.Scores[c], Rank: ranks[t.Columns[c]][row.City]})
			}
			r.Top = append(r.Top, rr)
		} else if i < 23 {
			r.Candidates = append(r.Candidates, row.City)
		}
	}
	for _, c := range t.Columns[1:] {
		cities := make([]string, 0, len(ranks[c]))
		for city := range ranks[c] {
			cities = append(cities, city)
		}
		sort.Slice(cities, func(i, j int) bool {
			if ranks[c][cities[i]] != ranks[c][cities[j]] {
				return ranks[c][cities[i]] < ranks[c][cities[j]]
			}
			return cities[i] < cities[j]
		})
		r.Orders = append(r.Orders, reportOrder{Node: c, Cities: cities[:min(5, len(cities))]})
	}
	if err := l.reportSources(t, &r); err != nil {
		return nil, err
	}
	tmpl, err := template.New("report").Parse(reportTemplate)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("rendering the report: %w", err)
	}
	return b.Bytes(), nil
}

// reportSources lists the collect runs behind the transform run, and whether any of them crawled a
// loopback host — the sample web — so the page can say its data are simulated.
func (l *Lake) reportSources(t *ScoreTable, r *report) error {
	tr, err := l.Run(t.TransformRunID)
	if err != nil {
		return err
	}
	for _, id := range tr.Upstream {
		m, err := l.Run(id)
		if err != nil {
			return err
		}
		host := "file import"
		if u, err := url.Parse(m.Params["base_url"]); err == nil && u.Host != "" {
			host = u.Host
			if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
				r.Simulated = true
			}
		}
		r.Sources = append(r.Sources, reportSource{Source: m.Source, Run: m.RunID, Rows: m.Rows, Host: host})
	}
	sort.Slice(r.Sources, func(i, j int) bool { return r.Sources[i].Source < r.Sources[j].Source })
	return nil
}
