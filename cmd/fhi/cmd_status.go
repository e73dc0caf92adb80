package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	var frontierURL string
	cmd := &cobra.Command{
		Use:   "status [flags]",
		Short: "what the lake is doing: the running night's stages and each source's progress",
		Long: `Shows the pipeline run in progress (or else the latest one): each stage's state and, per source,
requests, records, rate, elapsed time and the previous run's count as the expected total. It reads
manifests only — a running crawl rewrites its manifest with its progress every 2 s — so it answers
while a night holds the lake, from another shell or machine sharing the lake.`,
		Example: `  fhi status
  fhi status --json
  fhi status --frontier redis://10.0.0.5:6379/0`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lake, err := a.readLake()
			if err != nil {
				return err
			}
			defer lake.Close()
			st, err := lake.Status()
			if err != nil {
				return err
			}
			if frontierURL == "" {
				frontierURL = os.Getenv(envFrontier)
			}
			if frontierURL == "" {
				if asJSON {
					return writeJSON(a.stdout, st)
				}
				printStatus(a.stdout, st, time.Now())
				return nil
			}
			// A distributed crawl: its workers, leases and queues are in the frontier.
			fst, addr, err := openRunsStatus(cmd.Context(), frontierURL)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, struct {
					*pipelines.LakeStatus
					Frontier frontier.Status `json:"frontier"`
				}{st, fst})
			}
			printStatus(a.stdout, st, time.Now())
			fmt.Fprintln(a.stdout)
			printFrontierStatus(a.stdout, addr, fst, false, time.Now())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, flagJSON, false, "print JSON")
	cmd.Flags().StringVar(&frontierURL, flagFrontier, "", "also show the shared frontier's workers, leases and queued and pending requests (Redis `URL`; env FHI_FRONTIER)")
	return cmd
}

// printStatus prints a LakeStatus for a person at a terminal.
func printStatus(w io.Writer, st *pipelines.LakeStatus, now time.Time) {
	switch {
	case st.Run == nil && len(st.Sources) == 0:
		fmt.Fprintln(w, "nothing has run in this lake yet: start with fhi run")
		return
	case st.Run != nil:
		state := st.Run.Status
		if st.Running {
			state = "running"
		}
		fmt.Fprintf(w, "pipeline run %s: %s (started %s, %s)\n", st.Run.RunID, state,
			st.Run.StartedAt.Local().Format(time.DateTime), st.Run.Duration().Round(time.Second))
		var rows [][]string
		for _, s := range st.Stages {
			rows = append(rows, []string{s.Stage, s.State, s.RunID})
		}
		printLeft(w, []string{"STAGE", "STATE", "RUN"}, rows)
		fmt.Fprintln(w)
	default:
		fmt.Fprintln(w, "collect runs in progress:")
	}
	var rows [][]string
	for _, p := range st.Sources {
		s := p.Stats
		expected, left := "-", "-"
		if p.ExpectedRequests > 0 {
			expected = fmt.Sprint(p.ExpectedRequests)
			if done := s.Requests + s.Replayed; !p.Done && done < p.ExpectedRequests && p.Elapsed > 0 && done > 0 {
				rate := float64(done) / p.Elapsed.Seconds()
				left = (time.Duration(float64(p.ExpectedRequests-done)/rate) * time.Second).Round(time.Second).String()
			}
		}
		updated := "-"
		if !p.UpdatedAt.IsZero() {
			updated = now.Sub(p.UpdatedAt).Round(time.Second).String() + " ago"
		}
		rows = append(rows, []string{p.Source, p.State, fmt.Sprint(s.Requests + s.Replayed), expected, fmt.Sprint(s.Records),
			fmt.Sprintf("%.1f", p.RecordsPerSecond()), p.Elapsed.Round(time.Second).String(), left,
			fmt.Sprint(s.Failed + s.Quarantined), updated})
	}
	if len(rows) > 0 {
		printLeft(w, []string{"SOURCE", "STATE", "REQUESTS", "EXPECTED", "RECORDS", "REC/S", "ELAPSED", "LEFT", "LOST", "UPDATED"}, rows)
	}
}
