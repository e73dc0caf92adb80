package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newSQLCmd(a *app) *cobra.Command {
	var format string
	var maxRows int
	cmd := &cobra.Command{
		Use:   "sql [flags] <query>",
		Short: "run a read-only SQL query on the lake's DuckDB tables; print a table, CSV or JSON",
		Long: `Runs one SELECT statement (or FROM…, WITH…, DESCRIBE, SHOW TABLES, SUMMARIZE) on the lake's
database, opened read-only: the cleaned tables (clean_*), entity_links, metrics, metric_records,
quarantine, the reference tables (ref_*), the raw tables of the last transform (raw_*) and the score
tables. Anything that would write — INSERT, COPY, ATTACH, SET, several statements — is refused.
Every table and column the transform creates says what it holds and in what unit: read the data
dictionary from duckdb_tables() and duckdb_columns().`,
		Example: `  fhi sql "SELECT city, value FROM metrics WHERE indicator = 'industry.p2p.firms' ORDER BY value DESC LIMIT 5"
  fhi sql --format csv "SELECT source, reason, count(*) AS n FROM quarantine GROUP BY ALL ORDER BY n DESC"
  fhi sql "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = 'clean_vc_deals'"
  fhi sql --format json "SELECT * FROM entity_links WHERE company_id IS NULL"`,
		Args: exactArgs("query"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return usagef("--format %q: want table, csv or json", format)
			}
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			res, err := lake.Query(cmd.Context(), args[0], maxRows)
			if err != nil {
				return err
			}
			switch format {
			case "csv":
				return writeQueryCSV(a.stdout, res)
			case "json":
				return writeQueryJSON(a.stdout, res)
			}
			rows := make([][]string, len(res.Rows))
			for i, r := range res.Rows {
				rows[i] = make([]string, len(r))
				for j, v := range r {
					rows[i][j] = cellText(v)
				}
			}
			printLeft(a.stdout, res.Columns, rows)
			fmt.Fprintf(a.stdout, "(%d rows)\n", len(rows))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", "output format: table, csv or json (an array of objects)")
	f.IntVar(&maxRows, "max-rows", 10000, "stop after this many rows (0 = all)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"table", "csv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// cellText prints one value: NULL as empty, numbers in their shortest form, lists and structs as JSON.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case []byte:
		return string(x)
	case []any, map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

func writeQueryCSV(w io.Writer, res *pipelines.QueryResult) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(res.Columns); err != nil {
		return err
	}
	for _, r := range res.Rows {
		rec := make([]string, len(r))
		for i, v := range r {
			rec[i] = cellText(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeQueryJSON prints the rows as an array of objects, keys in column order.
func writeQueryJSON(w io.Writer, res *pipelines.QueryResult) error {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range res.Rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(res.Columns[j])
			b.Write(k)
			b.WriteString(": ")
			if s, ok := v.(fmt.Stringer); ok && !isJSONable(v) {
				v = s.String()
			}
			val, err := json.Marshal(v)
			if err != nil {
				val, _ = json.Marshal(fmt.Sprint(v))
			}
			b.Write(val)
		}
		b.WriteString("}")
	}
	if len(res.Rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// isJSONable reports whether json.Marshal prints v as a value rather than its Go structure.
func isJSONable(v any) bool {
	switch v.(type) {
	case json.Marshaler, string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}
