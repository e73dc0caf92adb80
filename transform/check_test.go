package transform

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestCheckSources: the embedded sources' fields pass; a jobs source without city fails, naming
// the source, the step and the column.
func TestCheckSources(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every step on DuckDB once per source")
	}
	open := func() (*sql.DB, error) { return sql.Open("duckdb", "") }
	baseline := map[string][]string{
		"jobs":     {"job_id", "title", "company", "city", "district", "salary", "education", "posted"},
		"jobs_gbk": {"job_id", "link", "title", "company", "location", "salary", "education", "posted"},
		"registry": {"company_id", "name", "credit_code", "legal_rep", "registered_capital", "founded", "status", "industry", "address", "brands", "scope"},
	}
	reordered := map[string][]string{"jobs": append(slices.Clone(baseline["jobs"][1:]), baseline["jobs"][0])} // checked, not skipped
	if err := CheckSources(t.Context(), open, baseline, reordered); err != nil {
		t.Fatalf("the good fields fail: %v", err)
	}
	noCity := map[string][]string{"jobs": slices.DeleteFunc(slices.Clone(baseline["jobs"]), func(s string) bool { return s == "city" })}
	err := CheckSources(t.Context(), open, baseline, noCity)
	if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "source jobs: step 057_jobs.sql") || !strings.Contains(err.Error(), "city") {
		t.Errorf("jobs without city: %v", err)
	}
}
