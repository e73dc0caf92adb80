package main

import (
	"context"
	"fmt"
	"io"
)

// cmdDiff implements "fhi diff [RUN_A RUN_B]": how ranks moved between two score runs.
func cmdDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("diff", "diff [--node total] [--json] [SCORE_RUN_A SCORE_RUN_B]",
		"Compares two score runs — by default the two newest, e.g. last night and the night before —\non one node (the total, or any sub-index or indicator id): each city's rank and score in both\nand how far it moved.", stderr)
	lakePath := lakeFlag(fs)
	node := fs.String("node", "total", "node to compare: total, a sub-index or an indicator id")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 && fs.NArg() != 2 {
		fs.Usage()
		return exitUsage
	}
	lake, ok := openLake(stderr, "diff", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	a, b, changes, err := lake.ScoreDiff(ctx, fs.Arg(0), fs.Arg(1), *node)
	if err != nil {
		return fail(stderr, "diff", err)
	}
	if *asJSON {
		if err := writeJSON(stdout, map[string]any{"run_a": a, "run_b": b, "node": *node, "changes": changes}); err != nil {
			return fail(stderr, "diff", err)
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "%s: %s → %s\n", *node, a, b)
	rows := make([][]string, 0, len(changes))
	for _, c := range changes {
		move := "="
		switch {
		case c.RankChange > 0:
			move = fmt.Sprintf("↑%d", c.RankChange)
		case c.RankChange < 0:
			move = fmt.Sprintf("↓%d", -c.RankChange)
		}
		rows = append(rows, []string{fmt.Sprint(c.RankB), c.City, move, fmt.Sprint(c.RankA), fmt.Sprintf("%.1f", c.ScoreA), fmt.Sprintf("%.1f", c.ScoreB)})
	}
	printAligned(stdout, []string{"rank", "city", "move", "was", "score was", "score"}, rows)
	return exitOK
}
