package main

import (
	"fmt"

	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newDiffCmd(a *app) *cobra.Command {
	var node string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff [flags] [SCORE_RUN_A SCORE_RUN_B]",
		Short: "how ranks moved between two score runs (by default the two newest)",
		Long: `Compares two score runs — by default the two newest, e.g. last night and the night before — on one
node (the total, or any sub-index or indicator id): each city's rank and score in both and how far
it moved.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 && len(args) != 2 {
				return usagef("want no run ids or two, got %d", len(args))
			}
			return nil
		},
		ValidArgsFunction: a.completeRuns(pipelines.StageScore),
		RunE: func(cmd *cobra.Command, args []string) error {
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			var runA, runB string
			if len(args) == 2 {
				runA, runB = args[0], args[1]
			}
			ra, rb, changes, err := lake.ScoreDiff(cmd.Context(), runA, runB, node)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, map[string]any{"run_a": ra, "run_b": rb, "node": node, "changes": changes})
			}
			fmt.Fprintf(a.stdout, "%s: %s → %s\n", node, ra, rb)
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
			printAligned(a.stdout, []string{"rank", "city", "move", "was", "score was", "score"}, rows)
			return nil
		},
	}
	cmd.Flags().StringVar(&node, "node", "total", "node to compare: total, a sub-index or an indicator id")
	cmd.Flags().BoolVar(&asJSON, flagJSON, false, "print JSON")
	return cmd
}
