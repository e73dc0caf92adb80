package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier"
	"github.com/spf13/cobra"
)

func newFrontierCmd(a *app) *cobra.Command {
	var frontierURL string
	cmd := &cobra.Command{
		Use:   "frontier status|abort",
		Short: "the shared frontier of distributed crawls: its workers, runs, queues and leases",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&frontierURL, flagFrontier, "", usageFrontier)

	var asJSON bool
	status := &cobra.Command{
		Use:   "status [RUN]",
		Short: "live workers and every run the frontier keeps (or one run, with its queues)",
		Example: `  fhi frontier status --frontier redis://10.0.0.5:6379/0
  fhi frontier status --frontier redis://10.0.0.5:6379/0 --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := openFrontier(cmd.Context(), frontierURL, frontier.Options{})
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := f.Status(cmd.Context())
			if err != nil {
				return err
			}
			if len(args) == 1 {
				rs, err := f.RunStatus(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				st.Runs = []frontier.RunStatus{rs}
			}
			if asJSON {
				return writeJSON(a.stdout, st)
			}
			printFrontierStatus(a.stdout, f.Addr(), st, len(args) == 1, time.Now())
			return nil
		},
	}
	status.Flags().BoolVar(&asJSON, flagJSON, false, "print JSON")

	abort := &cobra.Command{
		Use:   "abort RUN",
		Short: "give a distributed run up: its queues and commits are deleted, its workers stop",
		Long: `Aborts a frontier run whose coordinator died or that should not finish: its queues, seen set and
commits are deleted, the leases held for it released, and its workers stop at their next claim or
commit. Its collect runs in the lake stay as they are (abandoned or interrupted); a new fhi run
crawls again. A sealed run cannot be aborted.`,
		Example: `  fhi frontier abort crawl-20261126T020000Z-ab12 --frontier redis://10.0.0.5:6379/0`,
		Args:    exactArgs("RUN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := openFrontier(cmd.Context(), frontierURL, frontier.Options{})
			if err != nil {
				return err
			}
			defer f.Close()
			if err := f.Abort(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "frontier run %s aborted\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(status, abort)
	return cmd
}

// printFrontierStatus prints the frontier's state for a person; queues for a single run.
func printFrontierStatus(w io.Writer, addr string, st frontier.Status, queues bool, now time.Time) {
	fmt.Fprintf(w, "frontier %s: %d live workers, %d runs\n", addr, len(st.Workers), len(st.Runs))
	if len(st.Workers) > 0 {
		var rows [][]string
		for _, ws := range st.Workers {
			rows = append(rows, []string{ws.ID, ws.Machine, strconv.Itoa(ws.PID), now.Sub(ws.Started).Round(time.Second).String(), now.Sub(ws.Seen).Round(time.Second).String() + " ago"})
		}
		fmt.Fprintln(w)
		printLeft(w, []string{"WORKER", "MACHINE", "PID", "UP", "SEEN"}, rows)
	}
	for _, rs := range st.Runs {
		fmt.Fprintf(w, "\nrun %s: %s — %d queued, %d pending, %d seen, %d commits\n", rs.Run, rs.State, rs.Queued, rs.Pending, rs.Seen, rs.Commits)
		if rs.Lost > 0 {
			fmt.Fprintf(w, "  %d entries were deleted by hand while pending\n", rs.Lost)
		}
		if len(rs.Leases) > 0 {
			var rows [][]string
			for _, l := range rs.Leases {
				rows = append(rows, []string{"  " + l.Host, l.Worker, strconv.FormatInt(l.Token, 10), l.TTL.Round(time.Millisecond).String()})
			}
			printLeft(w, []string{"  LEASED HOST", "WORKER", "TOKEN", "TTL"}, rows)
		}
		if len(rs.Workers) > 0 {
			var rows [][]string
			for _, wc := range rs.Workers {
				c := wc.Counts
				rows = append(rows, []string{"  " + wc.Worker, fmt.Sprint(c["commits"]), fmt.Sprint(c["done"]), fmt.Sprint(c["requests"]), fmt.Sprint(c["records"]), fmt.Sprint(c["failed"])})
			}
			printLeft(w, []string{"  WORKER", "COMMITS", "DONE", "REQUESTS", "RECORDS", "FAILED"}, rows)
		}
		if queues && len(rs.Queues) > 0 {
			var rows [][]string
			for _, q := range rs.Queues {
				rows = append(rows, []string{"  " + q.Source, q.Host, fmt.Sprint(q.Queued), fmt.Sprint(q.Pending)})
			}
			printLeft(w, []string{"  SOURCE", "HOST", "QUEUED", "PENDING"}, rows)
		}
	}
}

// openRunsStatus reads the frontier's live workers and open runs, for fhi status.
func openRunsStatus(ctx context.Context, rawURL string) (frontier.Status, string, error) {
	f, err := openFrontier(ctx, rawURL, frontier.Options{})
	if err != nil {
		return frontier.Status{}, "", err
	}
	defer f.Close()
	st, err := f.Status(ctx)
	if err != nil {
		return st, f.Addr(), err
	}
	open := st.Runs[:0]
	for _, r := range st.Runs {
		if r.State == "open" {
			open = append(open, r)
		}
	}
	st.Runs = open
	return st, f.Addr(), nil
}
