package pipelines

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/pipelines/report"
	"github.com/fhi-index/fhi/scoring"
)

// firmsPerProfile is how many named firms a city profile lists.
const firmsPerProfile = 5

// Report renders the report of a score run (the published one when scoreRun is empty) without
// publishing anything: `fhi report` writes it where the user asks.
func (l *Lake) Report(ctx context.Context, scoreRun string) ([]byte, error) {
	db, err := l.openDB()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	pub := &Publication{}
	if cur, err := l.Publication(); err == nil && (scoreRun == "" || cur.ScoreRun == scoreRun) {
		pub = cur
	} else {
		if scoreRun == "" {
			if scoreRun, err = l.publishedScoreRun(ctx, db); err != nil {
				return nil, err
			}
		}
		prov, err := l.ScoreProvenance(scoreRun)
		if err != nil {
			return nil, err
		}
		pub.Provenance = *prov
		if cur != nil && cur.ScoreRun != scoreRun {
			pub.PreviousScoreRun = cur.ScoreRun // compare with what readers see now
		}
	}
	table, err := l.scoreTable(ctx, db, ScoreQuery{Run: pub.ScoreRun})
	if err != nil {
		return nil, err
	}
	indicators, err := l.scoreTable(ctx, db, ScoreQuery{Run: pub.ScoreRun, Level: 3, Raw: true})
	if err != nil {
		return nil, err
	}
	weights, err := scoreWeights(ctx, db, pub.ScoreRun)
	if err != nil {
		return nil, err
	}
	return l.renderReport(ctx, db, pub, table, indicators, weights)
}

// renderReport gathers what the report shows from the lake and renders it.
func (l *Lake) renderReport(ctx context.Context, db *sql.DB, pub *Publication, table, indicators *ScoreTable, weights []scoring.NodeWeight) ([]byte, error) {
	d := &report.Data{
		PublishRun: pub.PublishRun, PublishedAt: pub.PublishedAt, ScoreRun: pub.ScoreRun, TransformRun: pub.TransformRun,
		PreviousScoreRun: pub.PreviousScoreRun, Simulated: pub.Simulated, CodeVersion: pub.Code.Version,
		Missing: table.Missing, Draws: table.Draws,
	}
	if pub.Code.Revision != "" {
		d.CodeVersion += " " + pub.Code.Revision[:min(12, len(pub.Code.Revision))]
	}
	det, err := readScoreDetails(ctx, db, pub.ScoreRun)
	if err != nil {
		return nil, err
	}
	d.Options = fmt.Sprintf("normalisation %s, aggregation %s", cmp.Or(det.Options.Normalisation, "as in the framework"), cmp.Or(det.Options.Aggregation, "as in the framework"))
	d.Nodes = reportNodes(weights)
	nodes := map[string]*report.Node{}
	for i := range d.Nodes {
		nodes[d.Nodes[i].ID] = &d.Nodes[i]
	}
	d.Judgements, d.JudgementsFile, d.Placeholders = reportJudgements(weights), pub.Judgements, det.Placeholders
	if d.Treatments, err = reportTreatment(ctx, db, pub.ScoreRun, nodes); err != nil {
		return nil, err
	}
	d.TreatSpec = treatSpecText()
	if d.Shapes, err = reportShapes(ctx, db, pub.ScoreRun, weights, d.Treatments); err != nil {
		return nil, err
	}
	if d.Imputed, err = reportImputed(ctx, db, pub.ScoreRun, det, nodes); err != nil {
		return nil, err
	}
	if d.Coverage, err = reportCoverage(ctx, db, pub.ScoreRun, table.Columns[0]); err != nil {
		return nil, err
	}
	if d.Audit, err = reportAudit(ctx, db, pub.ScoreRun, weights, nodes); err != nil {
		return nil, err
	}
	if d.Sobol, err = reportSobol(ctx, db, pub.ScoreRun, det); err != nil {
		return nil, err
	}
	cities, err := data.Cities()
	if err != nil {
		return nil, err
	}
	codeOf := map[string]string{}
	for _, c := range cities {
		codeOf[c.Name] = c.Code
	}
	prevRank := map[string]int{}
	if pub.PreviousScoreRun != "" {
		if _, _, changes, err := l.ScoreDiff(ctx, pub.PreviousScoreRun, pub.ScoreRun, table.Columns[0]); err == nil {
			for _, c := range changes {
				prevRank[c.City] = c.RankA
			}
		} else {
			d.PreviousScoreRun = "" // pruned or never comparable: say nothing rather than guess
		}
	}
	rowOf := map[string]*ScoreRow{}
	for i := range indicators.Rows {
		rowOf[indicators.Rows[i].City] = &indicators.Rows[i]
	}
	ranks, err := nodeRanks(ctx, db, pub.ScoreRun)
	if err != nil {
		return nil, err
	}
	records, err := l.recordsByCity(ctx, db, pub.TransformRun)
	if err != nil {
		return nil, err
	}
	firms := l.largestPlatforms(ctx, db, pub.TransformRun)
	imputed := map[[2]string]string{}
	for _, im := range d.Imputed {
		imputed[[2]string{im.City, im.Indicator}] = im.Rule
	}
	heat, err := l.baiduHeat(ctx, db, pub.TransformRun)
	if err != nil {
		return nil, err
	}
	for _, r := range table.Rows {
		c := report.City{Code: codeOf[r.City], Name: r.City, NameEN: r.CityEN, Rank: r.Rank, Scores: map[string]report.Score{},
			MedianRank: r.MedianRank, P05Rank: r.P05Rank, P95Rank: r.P95Rank, PreviousRank: prevRank[r.City],
			Records: records[codeOf[r.City]], Firms: firms[codeOf[r.City]], Heat: heat[codeOf[r.City]]}
		for i, col := range table.Columns {
			c.Scores[col] = report.Score{Score: r.Scores[i], Rank: ranks[col][r.City]}
		}
		best, bestRank := "", math.MaxInt
		if ir := rowOf[r.City]; ir != nil {
			for i, col := range indicators.Columns {
				if indicators.Labels[i].Level != 3 {
					continue
				}
				s := report.Score{Score: ir.Scores[i], Rank: ranks[col][r.City], Imputed: imputed[[2]string{r.City, col}]}
				if !math.IsNaN(ir.Raw[i]) {
					v := ir.Raw[i]
					s.Raw = &v
				}
				c.Scores[col] = s
				if s.Rank < bestRank {
					best, bestRank = col, s.Rank
				}
			}
		}
		if best != "" {
			c.LineageCommand = fmt.Sprintf("fhi lineage --run %s --verify %s %s", pub.ScoreRun, r.City, best)
		}
		d.Cities = append(d.Cities, c)
	}
	for _, s := range pub.Sources {
		host := "file import"
		if u, err := url.Parse(s.BaseURL); err == nil && u.Host != "" {
			host = u.Host
		}
		d.Sources = append(d.Sources, report.Source{Source: s.Source, Run: s.Run, Host: host, Records: s.Records, Simulated: s.Simulated})
	}
	if err := l.reportQuality(ctx, db, pub.Sources, pub.TransformRun, d); err != nil {
		return nil, err
	}
	d.OddNames = oddNames(ctx, db)
	return report.Render(d)
}

// nodeRanks reads every node's rank of every city: node → city → rank.
func nodeRanks(ctx context.Context, db *sql.DB, scoreRun string) (map[string]map[string]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT node, city, rank FROM score_values WHERE run_id = ?`, scoreRun)
	if err != nil {
		return nil, fmt.Errorf("reading ranks: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var node, city string
		var rank int
		if err := rows.Scan(&node, &city, &rank); err != nil {
			return nil, err
		}
		if out[node] == nil {
			out[node] = map[string]int{}
		}
		out[node][city] = rank
	}
	return out, rows.Err()
}

// recordsByCity counts the distinct raw records behind each city's metrics, by source, from the
// transform run's lineage file; a run without one counts from the metrics' record counts.
func (l *Lake) recordsByCity(ctx context.Context, db *sql.DB, transformRun string) (map[string][]report.SourceCount, error) {
	out := map[string][]report.SourceCount{}
	path := l.metricRecordsPath(transformRun)
	var rows *sql.Rows
	var err error
	if _, serr := os.Stat(path); serr == nil {
		rows, err = db.QueryContext(ctx, `SELECT city_code, source, count(DISTINCT record_id) FROM read_parquet(?) GROUP BY city_code, source ORDER BY city_code, source`, path)
	} else {
		rows, err = db.QueryContext(ctx, `SELECT city_code, 'all sources', CAST(sum(n_records) AS BIGINT) FROM metric_history WHERE transform_run_id = ? GROUP BY city_code`, transformRun)
	}
	if err != nil {
		return nil, fmt.Errorf("counting the records behind each city: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var sc report.SourceCount
		if err := rows.Scan(&code, &sc.Source, &sc.Count); err != nil {
			return nil, err
		}
		out[code] = append(out[code], sc)
	}
	return out, rows.Err()
}

// largestPlatforms names each city's largest P2P platforms by 2016 turnover among the records
// behind the transform run's firm counts. The names are scraped text; the report escapes them.
// The cleaned table holds the latest transform's records, so only records that this run's
// lineage file lists are named; without either, profiles name no firm.
func (l *Lake) largestPlatforms(ctx context.Context, db *sql.DB, transformRun string) map[string][]string {
	out := map[string][]string{}
	path := l.metricRecordsPath(transformRun)
	if _, err := os.Stat(path); err != nil || !tableExists(ctx, db, "clean_p2p_platforms") {
		return out
	}
	rows, err := db.QueryContext(ctx, `
		WITH behind AS (SELECT DISTINCT record_id FROM read_parquet(?) WHERE indicator = 'industry.p2p.firms'),
		ranked AS (
			SELECT p.city_code, p.name, row_number() OVER (PARTITION BY p.city_code ORDER BY p.turnover_2016_yuan DESC NULLS LAST, p.name) AS n
			FROM clean_p2p_platforms p JOIN behind b ON b.record_id = p.record_id)
		SELECT city_code, name FROM ranked WHERE n <= ? ORDER BY city_code, n`, path, firmsPerProfile)
	if err != nil {
		return out // a cleaned table of another shape: the profiles go without firm names
	}
	defer rows.Close()
	for rows.Next() {
		var code, name string
		if rows.Scan(&code, &name) == nil {
			out[code] = append(out[code], name)
		}
	}
	return out
}

// runTableFrom says where to read a transform run's copy of one of runTables (by file name): a
// FROM item and its arguments. A run from before the copies were kept is read from the current
// tables when it is the latest transform (the database holds its tables); ok is false otherwise.
func (l *Lake) runTableFrom(ctx context.Context, db *sql.DB, transformRun, file string) (from string, args []any, ok bool) {
	path := l.runTablePath(transformRun, file)
	if _, err := os.Stat(path); err == nil {
		// hive_partitioning off: the run directory's name (transform=<run>) is not a column.
		return `read_parquet(?, hive_partitioning = false)`, []any{path}, true
	}
	for _, t := range runTables {
		if t.file != file || !tableExists(ctx, db, t.needs) {
			continue
		}
		if latest, err := l.LatestRun(StageTransform, ""); err == nil && latest != nil && latest.RunID == transformRun {
			return "(" + t.query + ")", nil, true
		}
	}
	return "", nil, false
}

// reportQuality counts, per source behind the scores, the pages its collect run failed or
// quarantined, the rows the published transform run quarantined and the firm records it left
// unlinked — from that run's own copies, not from whatever transform ran last.
func (l *Lake) reportQuality(ctx context.Context, db *sql.DB, sources []SourceRun, transformRun string, d *report.Data) error {
	bySource := map[string]*report.QualityRow{}
	var order []string
	reasons := map[string]map[string]int64{}
	get := func(src string) *report.QualityRow {
		r, ok := bySource[src]
		if !ok {
			r = &report.QualityRow{Source: src}
			bySource[src] = r
			order = append(order, src)
			reasons[src] = map[string]int64{}
		}
		return r
	}
	for _, s := range sources {
		r := get(s.Source)
		r.Records += s.Records
		b, err := os.ReadFile(filepath.Join(l.RawDir(s.Source, s.Run), "failures.json"))
		if err != nil {
			continue // an import, or a run from before failures were recorded
		}
		var fails []collectors.Failure
		if err := json.Unmarshal(b, &fails); err != nil {
			return fmt.Errorf("reading failures of %s: %w", s.Run, err)
		}
		for _, f := range fails {
			if f.Kind == "quarantine" { // fetched, but the page could not be parsed
				r.QuarantinedPages++
			} else {
				r.FailedPages++
			}
			reasons[s.Source][f.Kind]++
		}
	}
	count := func(file, query string, add func(src, reason string, n int64)) (bool, error) {
		from, args, ok := l.runTableFrom(ctx, db, transformRun, file)
		if !ok {
			return false, nil
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf(query, from), args...)
		if err != nil {
			return false, fmt.Errorf("reading %s of transform run %s: %w", file, transformRun, err)
		}
		defer rows.Close()
		for rows.Next() {
			var src, reason string
			var n int64
			if err := rows.Scan(&src, &reason, &n); err != nil {
				return false, err
			}
			add(src, reason, n)
		}
		return true, rows.Err()
	}
	var err error
	d.QuarantineKnown, err = count(quarantineFile, `SELECT source, reason, count(*) FROM %s GROUP BY source, reason`, func(src, reason string, n int64) {
		get(src).QuarantinedRows += n
		reasons[src][reason] += n
	})
	if err != nil {
		return err
	}
	if _, err := count(unlinkedFile, `SELECT source, coalesce(problem, ''), count(*) FROM %s GROUP BY ALL`, func(src, problem string, n int64) {
		get(src).Unlinked += n
		d.Unlinked += n
		reasons[src]["unlinked: "+problem] += n
	}); err != nil {
		return err
	}
	switch {
	case d.QuarantineKnown:
		d.QualityNote = "transform run " + transformRun
	default:
		d.QualityNote = "transform run " + transformRun + " kept no copy of its quarantine (it predates per-run copies, or was pruned) and is not the latest: its quarantined rows are unknown"
	}
	sort.Strings(order)
	for _, src := range order {
		r := bySource[src]
		type kv struct {
			k string
			n int64
		}
		var rs []kv
		for k, n := range reasons[src] {
			rs = append(rs, kv{k, n})
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n || rs[i].n == rs[j].n && rs[i].k < rs[j].k })
		var parts []string
		for i := 0; i < len(rs) && i < 3; i++ {
			parts = append(parts, fmt.Sprintf("%s (%d)", rs[i].k, rs[i].n))
		}
		r.Reasons = strings.Join(parts, "; ")
		d.Quality = append(d.Quality, *r)
	}
	return nil
}

// baiduHeat reads the weekly Baidu heat of every city (code → weeks, oldest first) that the
// transform run kept; none when it kept none (a run without the baidu_heat source).
func (l *Lake) baiduHeat(ctx context.Context, db *sql.DB, transformRun string) (map[string][]report.HeatWeek, error) {
	from, args, ok := l.runTableFrom(ctx, db, transformRun, baiduHeatFile)
	if !ok {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT city_code, week, heat FROM `+from+` ORDER BY city_code, week`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the Baidu heat of transform run %s: %w", transformRun, err)
	}
	defer rows.Close()
	out := map[string][]report.HeatWeek{}
	for rows.Next() {
		var code string
		var w report.HeatWeek
		if err := rows.Scan(&code, &w.Week, &w.Value); err != nil {
			return nil, err
		}
		out[code] = append(out[code], w)
	}
	return out, rows.Err()
}

// oddNamePattern finds names that break naive handling: markup and quote characters, a formula
// prefix (a spreadsheet runs =SUM(…)), zero-width characters, surrounding spaces.
const oddNamePattern = `[<>"'&;\\]|^[=+@-]|[\x{200B}-\x{200D}\x{FEFF}]|^\s|\s$`

// oddNamesPerTable bounds the list per cleaned table.
const oddNamesPerTable = 20

// oddNames lists the names in the cleaned tables (every clean_* table with name and record_id
// columns) that match oddNamePattern, with why.
func oddNames(ctx context.Context, db *sql.DB) []report.OddName {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM duckdb_columns() WHERE table_name LIKE 'clean\_%' ESCAPE '\' AND column_name IN ('name', 'record_id')
		GROUP BY table_name HAVING count(*) = 2 ORDER BY table_name`)
	if err != nil {
		return nil
	}
	var tables []string
	for rows.Next() {
		var t string
		if rows.Scan(&t) == nil {
			tables = append(tables, t)
		}
	}
	rows.Close()
	var out []report.OddName
	for _, t := range tables {
		// The table name comes from the catalog, not from scraped data; quoted as an identifier.
		q := fmt.Sprintf(`SELECT record_id, name FROM "%s" WHERE regexp_matches(name, ?) ORDER BY record_id LIMIT ?`, strings.ReplaceAll(t, `"`, `""`))
		rs, err := db.QueryContext(ctx, q, oddNamePattern, oddNamesPerTable)
		if err != nil {
			continue
		}
		for rs.Next() {
			var id, name string
			if rs.Scan(&id, &name) == nil {
				out = append(out, report.OddName{Table: t, RecordID: id, Name: name, Why: whyOdd(name)})
			}
		}
		rs.Close()
	}
	return out
}

func whyOdd(name string) string {
	var why []string
	if strings.ContainsAny(name, `<>&`) {
		why = append(why, "markup characters")
	}
	if strings.ContainsAny(name, `"';\`) {
		why = append(why, "quotes or separators")
	}
	if strings.IndexAny(name, "=+-@") == 0 {
		why = append(why, "formula prefix")
	}
	if strings.ContainsAny(name, "\u200b\u200c\u200d\ufeff") {
		why = append(why, "zero-width characters")
	}
	if strings.TrimSpace(name) != name {
		why = append(why, "surrounding spaces")
	}
	return strings.Join(why, ", ")
}
