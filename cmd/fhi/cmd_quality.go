package main

import (
	"context"
	"fmt"
	"io"
)

// cmdQuality implements "fhi quality": what the latest runs set aside — pages that failed or were
// quarantined in each source's latest collect run, and rows the transform quarantined — with a
// count and an example of each reason.
func cmdQuality(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("quality", "quality [--json]",
		"Lists, per source and reason, the pages each source's latest collect run could not fetch or\nparse and the rows the current transform quarantined, with one example each. Exit 0 either way.", stderr)
	lakePath := lakeFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	lake, ok := openLake(stderr, "quality", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	rows, err := lake.Quality(ctx)
	if err != nil {
		return fail(stderr, "quality", err)
	}
	if *asJSON {
		if err := writeJSON(stdout, rows); err != nil {
			return fail(stderr, "quality", err)
		}
		return exitOK
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "nothing set aside: every page fetched and parsed, every row cleaned")
		return exitOK
	}
	table := make([][]string, 0, len(rows))
	for _, r := range rows {
		ex := r.Example
		if n := []rune(ex); len(n) > 90 {
			ex = string(n[:87]) + "..."
		}
		table = append(table, []string{r.Stage, r.Source, r.Reason, fmt.Sprint(r.Count), ex})
	}
	printLeft(stdout, []string{"STAGE", "SOURCE", "REASON", "COUNT", "EXAMPLE"}, table)
	return exitOK
}
