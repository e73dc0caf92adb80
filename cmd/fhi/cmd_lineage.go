package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/fhi-index/fhi/pipelines"
)

// cmdLineage implements "fhi lineage <city> <indicator>": from a published score back through the
// weights, the metric and its records to the archived bytes.
func cmdLineage(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("lineage", "lineage [--run SCORE_RUN] [--limit N] [--verify] [--json] <city> <indicator>",
		"Shows how one city's score on one indicator was made: its standardised score and rank, the\nweights up to the total, the transform's metric value, and the raw records behind it with their\nURLs and WARC coordinates. --verify re-reads each listed record's archived response and checks\nits SHA-256.", stderr)
	lakePath := lakeFlag(fs)
	runID := fs.String("run", "", "score run (default: the published one)")
	limit := fs.Int("limit", 10, "records to list")
	verify := fs.Bool("verify", false, "re-hash each listed record's archived bytes")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return exitUsage
	}
	lake, ok := openLake(stderr, "lineage", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	r, err := lake.Lineage(ctx, pipelines.LineageQuery{City: fs.Arg(0), Indicator: fs.Arg(1), ScoreRun: *runID, Limit: *limit, Verify: *verify})
	if err != nil {
		return fail(stderr, "lineage", err)
	}
	if *asJSON {
		if err := writeJSON(stdout, r); err != nil {
			return fail(stderr, "lineage", err)
		}
	} else {
		printLineage(stdout, r)
	}
	for _, row := range r.Records {
		if row.Verified != nil && !*row.Verified {
			fmt.Fprintf(stderr, "fhi lineage: record %s: archived bytes do not match body_sha256\n", row.RecordID)
			return exitError
		}
	}
	return exitOK
}

func printLineage(w io.Writer, r *pipelines.LineageReport) {
	fmt.Fprintf(w, "%s · %s   (score run %s, transform run %s)\n", r.City, r.Indicator, r.ScoreRun, r.TransformRun)
	fmt.Fprintf(w, "  standardised score %.2f, rank %d; value scored %s\n", r.Score, r.Rank, optFloat(r.Raw))
	fmt.Fprintln(w, "  weights, indicator to total:")
	for _, lv := range r.Weights {
		fmt.Fprintf(w, "    %-42s local %.4f  effective %.4f  (%s)  score %6.2f  rank %d\n", lv.Node, lv.Local, lv.Effective, orDash(lv.Method), lv.Score, lv.Rank)
	}
	fmt.Fprintf(w, "  metric %s from %d records\n", optFloat(r.Metric), r.RecordCount)
	if !r.RecordsAvailable {
		fmt.Fprintf(w, "  records: transform run %s kept no lineage file; rebuild it with fhi transform --from-run <its collect runs> to list them\n", r.TransformRun)
		return
	}
	fmt.Fprintf(w, "  records (%d of %d):\n", len(r.Records), r.RecordCount)
	for _, row := range r.Records {
		check := ""
		if row.Verified != nil {
			check = "  bytes verified"
			if !*row.Verified {
				check = "  BYTES DO NOT MATCH"
			}
		}
		fmt.Fprintf(w, "    %s  %s  %s\n      %s\n      %s @ %d  sha256 %s  fetched %s%s\n",
			row.Source, row.Key, row.RecordID, row.URL, row.WARCFile, row.WARCOffset, row.BodySHA256, row.FetchedAt, check)
	}
}

func optFloat(v *float64) string {
	if v == nil {
		return "missing"
	}
	return strconv.FormatFloat(*v, 'g', 10, 64)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
