package main

import (
	"context"
	"fmt"
	"io"

	"github.com/fhi-index/fhi/pipelines"
)

// cmdImport implements "fhi import <source> <file>": a CSV or XLSX file a team gathered by hand or
// bought becomes raw Parquet with the same lineage columns as a crawl.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("import", "import [--sheet S] [--key COLUMN] <source> <file.csv|file.xlsx>",
		"Files the rows of a CSV or XLSX file under a source name of your choosing. Each row keeps its\nlineage: the file's path and SHA-256, a copy in the archive and its row number. Rows that do not\nfit the header are listed in the run's failures.json. A transform step reads it with\n\"-- requires: <source>\".", stderr)
	lakePath := lakeFlag(fs)
	sheet := fs.String("sheet", "", "xlsx: sheet to read (default: the first)")
	key := fs.String("key", "", "column holding each row's natural key (default: the row number)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitUsage
	}
	lake, ok := openLake(stderr, "import", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	m, err := lake.Import(ctx, pipelines.ImportOptions{Source: fs.Arg(0), File: fs.Arg(1), Sheet: *sheet, Key: *key})
	if err != nil {
		return fail(stderr, "import", err)
	}
	fmt.Fprintf(stdout, "%s\t%s\t%s\t%d records\n", m.RunID, m.Source, m.Status, m.Rows)
	return exitOK
}
