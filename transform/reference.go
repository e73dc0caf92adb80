package transform

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fhi-index/fhi/data"
)

// refColumn is one column of a reference table: its header in the CSV file, its name and type in
// DuckDB, and its data-dictionary comment.
type refColumn struct {
	header, name, typ, comment string
}

// refTable is a CSV file of data/ loaded as a table before the steps run. A file of the same
// relative path in an SQL directory replaces the embedded one, so an analyst adds a status
// spelling or a city alias without a rebuild.
type refTable struct {
	file, table, comment string
	columns              []refColumn
}

func col(header, name, typ, comment string) refColumn { return refColumn{header, name, typ, comment} }

// refTables are the reference tables the steps read. Their origins are in data/README.md.
var refTables = []refTable{
	{"cities.csv", "ref_cities", "the 36 sample cities of the index (data/cities.csv)", []refColumn{
		col("code", "code", "VARCHAR", "NBS prefecture code; municipalities use their 市辖区 code (北京 1101)"),
		col("name", "name", "VARCHAR", "short Chinese name without 市, e.g. 杭州"),
		col("name_en", "name_en", "VARCHAR", "English name"),
		col("province", "province", "VARCHAR", "full province name, e.g. 浙江省"),
		col("kind", "kind", "VARCHAR", "municipality, provincial_capital or separately_planned"),
	}},
	{"divisions/provinces.csv", "ref_provinces", "China's provincial-level divisions (data/divisions, NBS codes)", []refColumn{
		col("code", "code", "VARCHAR", "2-digit NBS code"),
		col("name", "name", "VARCHAR", "full name, e.g. 浙江省, 广西壮族自治区"),
	}},
	{"divisions/cities.csv", "ref_prefectures", "prefecture-level divisions (data/divisions); a municipality's rows are named 市辖区 or 县", []refColumn{
		col("code", "code", "VARCHAR", "4-digit NBS code"),
		col("name", "name", "VARCHAR", "full name, e.g. 杭州市"),
		col("provinceCode", "province_code", "VARCHAR", "the province's 2-digit code"),
	}},
	{"divisions/areas.csv", "ref_counties", "county-level divisions: districts, counties, county-level cities (data/divisions)", []refColumn{
		col("code", "code", "VARCHAR", "6-digit NBS code"),
		col("name", "name", "VARCHAR", "full name, e.g. 西湖区, 昆山市"),
		col("cityCode", "city_code", "VARCHAR", "the prefecture's 4-digit code"),
		col("provinceCode", "province_code", "VARCHAR", "the province's 2-digit code"),
	}},
	{"place_aliases.csv", "ref_place_aliases", "former names of renamed or merged divisions, dated (data/place_aliases.csv)", []refColumn{
		col("alias", "alias", "VARCHAR", "the former full name, e.g. 莱芜市"),
		col("level", "level", "VARCHAR", "prefecture or county"),
		col("current", "current", "VARCHAR", "the division it is part of today, e.g. 济南市"),
		col("code", "code", "VARCHAR", "NBS code of the current division (4 digits for a prefecture, 6 for a county)"),
		col("changed_on", "changed_on", "DATE", "date of the change (State Council approval), at date_precision"),
		col("date_precision", "date_precision", "VARCHAR", "day or month: how exact changed_on is"),
		col("change", "change", "VARCHAR", "what happened"),
	}},
	{"places_outside.csv", "ref_places_outside", "place names outside the mainland divisions: SARs, Taiwan, countries (data/places_outside.csv)", []refColumn{
		col("name", "name", "VARCHAR", "a name as addresses start with it, e.g. 香港, Singapore"),
		col("region", "region", "VARCHAR", "the region it names, in English"),
	}},
	{"currencies.csv", "ref_currency_tokens", "currency words and symbols as amounts print them (data/currencies.csv)", []refColumn{
		col("token", "token", "VARCHAR", "e.g. 美元, US$, 港币; the longest token found in an amount decides"),
		col("currency", "currency", "VARCHAR", "ISO 4217 code"),
	}},
	{"currency_rates.csv", "ref_currency_rates", "yearly average exchange rates to yuan, with origin (data/currency_rates.csv)", []refColumn{
		col("currency", "currency", "VARCHAR", "ISO 4217 code"),
		col("year", "year", "INTEGER", "calendar year the average covers"),
		col("cny_per_unit", "cny_per_unit", "DOUBLE", "yuan per one unit of the currency, yearly average"),
		col("origin", "origin", "VARCHAR", "where the figure comes from"),
	}},
	{"amount_phrases.csv", "ref_amount_phrases", "vague and undisclosed amount phrases with conventional values (data/amount_phrases.csv)", []refColumn{
		col("phrase", "phrase", "VARCHAR", "as printed, e.g. 数千万, 未透露"),
		col("kind", "kind", "VARCHAR", "vague or undisclosed"),
		col("value_wan", "value_wan", "DOUBLE", "conventional value, 万 of the amount's currency"),
		col("low_wan", "low_wan", "DOUBLE", "low end of the range the phrase means, 万; NULL = unknown"),
		col("high_wan", "high_wan", "DOUBLE", "high end, 万; NULL = unbounded"),
		col("note", "note", "VARCHAR", "the convention"),
	}},
	{"statuses.csv", "ref_statuses", "operating-status spellings mapped to one status (data/statuses.csv)", []refColumn{
		col("domain", "domain", "VARCHAR", "firm (sector sites, licence lists) or registry (enterprise registry)"),
		col("value", "value", "VARCHAR", "as printed; matched after NFKC folding, trimming and lower-casing"),
		col("status", "status", "VARCHAR", "operating, closed, transformed, problem, cancelled; active, revoked… for the registry"),
		col("operating", "operating", "BOOLEAN", "whether the firm counts as operating (firm) or active (registry)"),
		col("note", "note", "VARCHAR", "where the spelling is seen"),
	}},
	{"industry_labels.csv", "ref_industry_labels", "industry labels of the registry and deal lists mapped to the index's sectors (data/industry_labels.csv)", []refColumn{
		col("label", "label", "VARCHAR", "as printed; matched after NFKC folding, trimming and lower-casing"),
		col("sector", "sector", "VARCHAR", "p2p, crowdfunding, payment, credit, blockchain or other"),
	}},
	{"company_suffixes.csv", "ref_company_suffixes", "organisational-form suffixes dropped from company names before linking (data/company_suffixes.csv)", []refColumn{
		col("suffix", "suffix", "VARCHAR", "e.g. 有限公司; written with ASCII brackets, the folded form"),
	}},
}

// identifier is the form every table and column name fhi builds from a file name must have.
var identifier = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)

// RefFile is one reference file a transform run read: embedded, or from an SQL directory.
type RefFile struct {
	Table string `json:"table"`
	Path  string `json:"path"` // data/… for an embedded file, else the file's path
}

// loadReference creates every reference table from its embedded CSV or the SQL directory's copy,
// then every other CSV of the SQL directory as ref_<name> (columns as DuckDB detects them).
func loadReference(ctx context.Context, tx *sql.Tx, sqlDir string) ([]RefFile, error) {
	used, problems, err := loadReferenceTables(ctx, tx, sqlDir, false)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, problems[0]
	}
	return used, nil
}

// loadReferenceTables loads every reference table. A file of sqlDir that does not parse is a
// problem; with fallback its table is loaded from the embedded file instead, so a lint can go on
// checking the steps. err is a failure of the database itself.
func loadReferenceTables(ctx context.Context, tx *sql.Tx, sqlDir string, fallback bool) (used []RefFile, problems []error, err error) {
	for _, t := range refTables {
		r, where, err := openRef(t.file, sqlDir)
		if err != nil {
			return nil, nil, err
		}
		rows, perr := parseRefTable(t, r, where)
		r.Close()
		if perr != nil && fallback && where != "data/"+t.file {
			problems = append(problems, perr)
			r, where, err = openRef(t.file, "")
			if err != nil {
				return nil, nil, err
			}
			rows, perr = parseRefTable(t, r, where)
			r.Close()
		}
		if perr != nil {
			problems = append(problems, perr)
			continue
		}
		if err := createRefTable(ctx, tx, t, rows, where); err != nil {
			return nil, nil, err
		}
		used = append(used, RefFile{Table: t.table, Path: where})
	}
	if len(problems) > 0 && !fallback {
		return nil, problems, nil
	}
	extra, err := extraRefFiles(sqlDir)
	if err != nil {
		return nil, append(problems, err), nil
	}
	for _, f := range extra {
		q := fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT * FROM read_csv(?, header = true)`, f.Table)
		if _, err := tx.ExecContext(ctx, q, f.Path); err != nil {
			return nil, nil, fmt.Errorf("loading reference table %s from %s: %w", f.Table, f.Path, err)
		}
		comment := fmt.Sprintf(`COMMENT ON TABLE %s IS '%s'`, f.Table, sqlQuote("analyst reference table from "+f.Path))
		if _, err := tx.ExecContext(ctx, comment); err != nil {
			return nil, nil, fmt.Errorf("commenting on %s: %w", f.Table, err)
		}
		used = append(used, f)
	}
	return used, problems, nil
}

// openRef opens the SQL directory's copy of file if there is one, else the embedded file.
func openRef(file, sqlDir string) (io.ReadCloser, string, error) {
	if sqlDir != "" {
		p := filepath.Join(sqlDir, filepath.FromSlash(file))
		f, err := os.Open(p)
		if err == nil {
			return f, p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("opening reference file: %w", err)
		}
	}
	f, err := data.FS.Open(file)
	if err != nil {
		return nil, "", fmt.Errorf("opening data/%s: %w", file, err)
	}
	return f, "data/" + file, nil
}

// extraRefFiles lists the CSV files of sqlDir (top level) that replace no embedded file: each
// becomes a table ref_<stem>.
func extraRefFiles(sqlDir string) ([]RefFile, error) {
	if sqlDir == "" {
		return nil, nil
	}
	known := map[string]bool{}
	for _, t := range refTables {
		known[t.file] = true
	}
	names, err := filepath.Glob(filepath.Join(sqlDir, "*.csv"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []RefFile
	for _, n := range names {
		base := filepath.Base(n)
		if known[base] {
			continue
		}
		stem := strings.TrimSuffix(base, ".csv")
		if !identifier.MatchString(stem) {
			return nil, fmt.Errorf("reference file %s: name must be a lowercase identifier such as yearbook.csv (it becomes table ref_<name>)", n)
		}
		out = append(out, RefFile{Table: "ref_" + stem, Path: n})
	}
	return out, nil
}

// parseRefTable reads the CSV r for t. The header must hold every declared column (in any order;
// an extra column is an error: usually a typo) and each cell must parse as its column's type.
func parseRefTable(t refTable, r io.Reader, where string) ([][]any, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading reference file %s: %w", where, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("reading reference file %s: no header row", where)
	}
	pos := map[string]int{}
	for i, h := range recs[0] {
		pos[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	var problems []string
	idx := make([]int, len(t.columns))
	for i, c := range t.columns {
		j, ok := pos[c.header]
		if !ok {
			problems = append(problems, fmt.Sprintf("missing column %q", c.header))
		}
		idx[i] = j
		delete(pos, c.header)
	}
	for h := range pos {
		problems = append(problems, fmt.Sprintf("unknown column %q", h))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("reference file %s (table %s): %s", where, t.table, strings.Join(problems, "; "))
	}
	rows := make([][]any, 0, len(recs)-1)
	for line, rec := range recs[1:] {
		row := make([]any, len(t.columns))
		for i, c := range t.columns {
			cell := ""
			if idx[i] < len(rec) {
				cell = strings.TrimSpace(rec[idx[i]])
			}
			v, err := parseCell(cell, c.typ)
			if err != nil {
				return nil, fmt.Errorf("reference file %s line %d, column %s: %w", where, line+2, c.header, err)
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// createRefTable creates t with its declared types and comments, and inserts rows.
func createRefTable(ctx context.Context, tx *sql.Tx, t refTable, rows [][]any, where string) error {
	defs := make([]string, len(t.columns))
	for i, c := range t.columns {
		defs[i] = c.name + " " + c.typ
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TABLE %s (%s)`, t.table, strings.Join(defs, ", "))); err != nil {
		return fmt.Errorf("creating %s: %w", t.table, err)
	}
	if err := insertRows(ctx, tx, t.table, len(t.columns), rows); err != nil {
		return fmt.Errorf("loading %s from %s: %w", t.table, where, err)
	}
	return commentTable(ctx, tx, t)
}

func parseCell(s, typ string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch typ {
	case "INTEGER":
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", s)
		}
		return n, nil
	case "DOUBLE":
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return x, nil
	case "BOOLEAN":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", s)
		}
		return b, nil
	case "DATE":
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
		}
		return d, nil
	}
	return s, nil
}

// insertRows inserts rows in chunks: few round trips, bounded statement size.
func insertRows(ctx context.Context, tx *sql.Tx, table string, width int, rows [][]any) error {
	const chunk = 500
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for i := 0; i < len(rows); i += chunk {
		j := min(i+chunk, len(rows))
		values := make([]string, 0, j-i)
		args := make([]any, 0, (j-i)*width)
		for _, r := range rows[i:j] {
			values = append(values, one)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` VALUES `+strings.Join(values, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

func commentTable(ctx context.Context, tx *sql.Tx, t refTable) error {
	stmts := []string{fmt.Sprintf(`COMMENT ON TABLE %s IS '%s'`, t.table, sqlQuote(t.comment))}
	for _, c := range t.columns {
		stmts = append(stmts, fmt.Sprintf(`COMMENT ON COLUMN %s.%s IS '%s'`, t.table, c.name, sqlQuote(c.comment)))
	}
	if _, err := tx.ExecContext(ctx, strings.Join(stmts, ";\n")); err != nil {
		return fmt.Errorf("commenting on %s: %w", t.table, err)
	}
	return nil
}

// sqlQuote doubles single quotes for a literal built from our own text (comments, paths); scraped
// text never reaches it.
func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }
