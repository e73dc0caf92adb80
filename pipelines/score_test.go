package pipelines

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/scoring"
)

// asemResult scores COINr's ASEM example (scoring/testdata/asem): it has imputed values, a
// treatment log and no placeholder judgements.
func asemResult(t *testing.T, opts scoring.Options) *scoring.Result {
	t.Helper()
	src, err := ReadFramework("../scoring/testdata/asem/framework.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fw, err := src.Parse()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../scoring/testdata/asem/data.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := scoring.ReadTableCSV(f, fw.AttributeIDs()...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scoring.Score(fw, tab, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestStoreScores stores a result and reads back the per-value imputation and treatment flags,
// the treatment log and the Sobol' indices, and checks that every score table and column carries
// a COMMENT (DuckDB's duckdb_tables()/duckdb_columns()).
func TestStoreScores(t *testing.T) {
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res := asemResult(t, scoring.Options{SobolSamples: 16, Seed: 1})
	if err := storeScores(t.Context(), db, "score-1", "transform-1", "sha", res); err != nil {
		t.Fatal(err)
	}
	var imputed, treated int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE imputed = 'group-mean'), count(*) FILTER (WHERE treated IS NOT NULL) FROM score_values WHERE run_id = 'score-1'`).Scan(&imputed, &treated); err != nil {
		t.Fatal(err)
	}
	if imputed != len(res.Imputed) || imputed != 65 || treated == 0 {
		t.Errorf("flags: %d imputed (want 65), %d treated", imputed, treated)
	}
	var n, win int
	var points string
	if err := db.QueryRow(`SELECT count(*), sum(winsorised), any_value(points) FILTER (WHERE indicator = 'Flights') FROM score_treatment WHERE run_id = 'score-1'`).Scan(&n, &win, &points); err != nil {
		t.Fatal(err)
	}
	if n != 49 || win != 35 || points != `{"MLT":"winsorised-high"}` {
		t.Errorf("treatment: %d rows, %d winsorised, Flights %s; want 49, 35 (COINr's nwin summed), MLT high", n, win, points)
	}
	var sobolRows int
	if err := db.QueryRow(`SELECT count(*) FROM score_sobol WHERE run_id = 'score-1'`).Scan(&sobolRows); err != nil {
		t.Fatal(err)
	}
	if sobolRows != len(res.Units)*len(res.Sobol.Inputs) {
		t.Errorf("score_sobol has %d rows, want cities × inputs = %d", sobolRows, len(res.Units)*len(res.Sobol.Inputs))
	}
	// Every table and column of the score schema is commented, and only from scoreComments.
	rows, err := db.Query(`SELECT table_name, column_name, coalesce(comment, '') FROM duckdb_columns()
		WHERE table_name LIKE 'score_%' OR table_name = 'published'
		UNION ALL SELECT table_name, '', coalesce(comment, '') FROM duckdb_tables() WHERE table_name LIKE 'score_%' OR table_name = 'published'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var tbl, col, comment string
		if err := rows.Scan(&tbl, &col, &comment); err != nil {
			t.Fatal(err)
		}
		key := tbl
		if col != "" {
			key += "." + col
		}
		seen++
		if strings.TrimSpace(comment) == "" || comment != scoreComments[key] {
			t.Errorf("%s: comment %q, want scoreComments' entry", key, comment)
		}
	}
	if seen != len(scoreComments) {
		t.Errorf("schema has %d tables and columns, scoreComments %d", seen, len(scoreComments))
	}
	// Storing twice into one lake (migrations are idempotent) keeps both runs.
	if err := storeScores(t.Context(), db, "score-2", "transform-1", "sha", res); err != nil {
		t.Fatal(err)
	}
}

// TestStoreScoresOldLake migrates a score_values table from before issue 12 (NOT NULL score and
// rank, no flag columns) and stores a result with missing values into it.
func TestStoreScoresOldLake(t *testing.T) {
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "old.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE score_values (run_id VARCHAR NOT NULL, city VARCHAR NOT NULL, node VARCHAR NOT NULL,
		level INTEGER NOT NULL, raw_value DOUBLE, score DOUBLE NOT NULL, rank INTEGER NOT NULL, PRIMARY KEY (run_id, node, city));
		INSERT INTO score_values VALUES ('old', '杭州', 'total', 0, NULL, 50, 1)`); err != nil {
		t.Fatal(err)
	}
	res := asemResult(t, scoring.Options{})
	res.Values[0].Score = 0 / zero() // a unit with no value on a node stores NULL
	if err := storeScores(t.Context(), db, "new", "t", "sha", res); err != nil {
		t.Fatal(err)
	}
	var nulls int
	if err := db.QueryRow(`SELECT count(*) FROM score_values WHERE score IS NULL AND rank IS NULL`).Scan(&nulls); err != nil || nulls != 1 {
		t.Errorf("NULL scores: %d, %v", nulls, err)
	}
}

func zero() float64 { return 0 }
