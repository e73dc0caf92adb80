package main

import (
	"fmt"

	"github.com/fhi-index/fhi/collectors/sampleweb"
	"github.com/spf13/cobra"
)

// samplewebFlags are the world options shared by fhi sampleweb and fhi sampleweb truth.
type samplewebFlags struct {
	seed   int64
	scale  float64
	day    int
	faults string
}

func (sf *samplewebFlags) options() (sampleweb.Options, error) {
	f, err := sampleweb.ParseFaults(sf.faults)
	if err != nil {
		return sampleweb.Options{}, usageError{fmt.Errorf("--faults: %w", err)}
	}
	if sf.scale <= 0 {
		return sampleweb.Options{}, usagef("--scale must be > 0, got %v", sf.scale)
	}
	return sampleweb.Options{Seed: sf.seed, Scale: sf.scale, Day: sf.day, Faults: f}, nil
}

func newSamplewebCmd(a *app) *cobra.Command {
	sf := &samplewebFlags{}
	var addr string
	cmd := &cobra.Command{
		Use:   "sampleweb [flags]",
		Short: "serve the simulated source sites, or export their ground truth",
		Long: `Serves the simulated source sites until interrupted, printing each site's base URL.

Faults SPEC: comma-separated, e.g. "5xx=0.05,slow=0.01,slowdelay=500ms,drop=0.01,ratelimit=200,malformed,hostile,shift" or "all".`,
		Example: `  fhi sampleweb --addr 127.0.0.1:8080
  fhi sampleweb truth --out truth/`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := sf.options()
			if err != nil {
				return err
			}
			s, err := sampleweb.Start(addr, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "sample web at %s (seed %d, scale %g, day %d, faults %q)\n", s.URL(), sf.seed, sf.scale, sf.day, opts.Faults.String())
			for _, site := range s.Sites() {
				fmt.Fprintf(a.stdout, "%-13s %s\n", site.Name, site.BaseURL)
			}
			<-cmd.Context().Done()
			if err := s.Close(); err != nil {
				return fmt.Errorf("closing: %w", err)
			}
			return nil
		},
	}
	pf := cmd.PersistentFlags()
	pf.Int64Var(&sf.seed, "seed", 1, "world seed")
	pf.Float64Var(&sf.scale, "scale", 1, "volume scale: 1 = the 2017 volumes, 0.1 = a tenth")
	pf.IntVar(&sf.day, "day", 0, "days of evolution after the 2017 crawl")
	pf.StringVar(&sf.faults, "faults", "", "fault spec")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address (127.0.0.1:0 picks a free port)")

	var out string
	truth := &cobra.Command{
		Use:   "truth --out DIR [flags]",
		Short: "write the world's ground truth (indicators.csv, one CSV per entity kind, counts.json)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out DIR is required")
			}
			opts, err := sf.options()
			if err != nil {
				return err
			}
			w, err := sampleweb.NewWorld(opts)
			if err != nil {
				return err
			}
			if err := w.WriteTruth(out); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "truth written to %s\n", out)
			return nil
		},
	}
	truth.Flags().StringVar(&out, "out", "", "output directory (required)")
	cmd.AddCommand(truth)
	return cmd
}
