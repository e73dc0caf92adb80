package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/pipelines"
)

// cmdScores implements "fhi scores": print a score run (the published one by default).
func cmdScores(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("scores", "scores [--format table|csv|json] [--level 0|1|2|3] [--run SCORE_RUN] [--top N]", "", stderr)
	lakePath := lakeFlag(fs)
	format := fs.String("format", "table", "output format: table, csv or json")
	runID := fs.String("run", "", "score run to show (default: the published one)")
	top := fs.Int("top", 0, "table format: show only the first N cities (0 = all)")
	level := fs.Int("level", 0, "columns after the total: 1 level-1 sub-indices, 2 level-2, 3 standardised indicators (0 = levels 1 and 2)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *level < 0 || *level > 3 {
		fmt.Fprintf(stderr, "fhi scores: --level %d: want 0, 1, 2 or 3\n", *level)
		return exitUsage
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		fmt.Fprintf(stderr, "fhi scores: --format %q: want table, csv or json\n", *format)
		return exitUsage
	}
	lake, ok := openLake(stderr, "scores", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	t, err := lake.ScoresAtLevel(ctx, *runID, *level)
	if err != nil {
		return fail(stderr, "scores", err)
	}
	switch *format {
	case "csv":
		err = pipelines.WriteScoresCSV(stdout, t)
	case "json":
		err = writeJSON(stdout, t)
	default:
		printScoresTable(stdout, t, *top)
	}
	if err != nil {
		return fail(stderr, "scores", err)
	}
	return exitOK
}

// printScoresTable prints the ranking with every score column, and rank intervals when present.
func printScoresTable(w io.Writer, t *pipelines.ScoreTable, top int) {
	header := append([]string{"rank", "city"}, t.Columns...)
	if t.Draws > 0 { // the score run had --mc-draws
		header = append(header, "median rank", "5–95% rank")
	}
	var rows [][]string
	for i, r := range t.Rows {
		if top > 0 && i >= top {
			break
		}
		row := []string{fmt.Sprint(r.Rank), r.City}
		for _, s := range r.Scores {
			row = append(row, fmt.Sprintf("%.1f", s))
		}
		if t.Draws > 0 {
			row = append(row, fmt.Sprintf("%.1f", r.MedianRank), fmt.Sprintf("%d–%d", r.P05Rank, r.P95Rank))
		}
		rows = append(rows, row)
	}
	printAligned(w, header, rows)
}

// cmdRuns implements "fhi runs": the lake's run history from the manifests.
func cmdRuns(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("runs", "runs [--stage S] [--json]", "", stderr)
	lakePath := lakeFlag(fs)
	stage := fs.String("stage", "", "only runs of this stage (collect, transform, score, publish)")
	asJSON := fs.Bool("json", false, "print the manifests as JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	lake, ok := openLake(stderr, "runs", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	runs, err := lake.Runs()
	if err != nil {
		return fail(stderr, "runs", err)
	}
	var shown []*pipelines.Manifest
	for _, m := range runs {
		if *stage == "" || m.Stage == *stage {
			shown = append(shown, m)
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, shown); err != nil {
			return fail(stderr, "runs", err)
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTAGE\tSOURCE\tSTATUS\tROWS\tDURATION\tSTARTED\tUPSTREAM\tERROR")
	for _, m := range shown {
		errText := m.Error
		if len(errText) > 80 {
			errText = errText[:77] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", m.RunID, m.Stage, m.Source, m.Status, m.Rows,
			m.Duration().Round(time.Millisecond), m.StartedAt.Format(time.RFC3339), strings.Join(m.Upstream, ","), errText)
	}
	tw.Flush()
	return exitOK
}

// cmdSources implements "fhi sources": the registered sources and each one's last run.
func cmdSources(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("sources", "sources", "", stderr)
	lakePath := lakeFlag(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var lake *pipelines.Lake
	if fi, err := os.Stat(*lakePath); err == nil && fi.IsDir() {
		if l, err := pipelines.OpenLake(*lakePath); err == nil {
			lake = l
			defer lake.Close()
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSAMPLE SITE\tFIELDS\tLAST HOST\tLAST RUN\tDESCRIPTION")
	for _, s := range collectors.Default.Sources() {
		last, host := "-", "-"
		if lake != nil {
			if m, err := lake.LatestRun(pipelines.StageCollect, s.Name); err == nil && m != nil {
				last = fmt.Sprintf("%s (%s, %d records)", m.RunID, m.Status, m.Rows)
				if u, err := url.Parse(m.Params["base_url"]); err == nil && u.Host != "" {
					host = u.Host
				}
			} else if err != nil && !errors.Is(err, pipelines.ErrRunNotFound) {
				return fail(stderr, "sources", err)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Name, s.Site, len(s.Fields), host, last, s.Description)
	}
	tw.Flush()
	return exitOK
}

// cmdWeights implements "fhi weights": the weight tree scoring the latest metrics would use.
func cmdWeights(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("weights", "weights [--from-run TRANSFORM_RUN] [--framework F.yaml]", "", stderr)
	lakePath := lakeFlag(fs)
	from := fs.String("from-run", "", "transform run whose metrics the PCA weights come from (default: the latest)")
	framework := fs.String("framework", "", "framework YAML (default: the embedded data/framework.yaml)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var fwYAML []byte
	if *framework != "" {
		b, err := os.ReadFile(*framework)
		if err != nil {
			return fail(stderr, "weights", err)
		}
		fwYAML = b
	}
	lake, ok := openLake(stderr, "weights", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	res, err := lake.Weights(ctx, *from, fwYAML)
	if err != nil {
		return fail(stderr, "weights", err)
	}
	printWeights(stdout, res)
	return exitOK
}
