package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/fhi-index/fhi/collectors/sampleweb"
)

const sampleWebUsage = `usage:
  fhi sampleweb [--addr 127.0.0.1:8080] [--seed N] [--scale F] [--day N] [--faults SPEC]
      serve the simulated source sites until interrupted, printing each site's base URL
  fhi sampleweb truth --out DIR [--seed N] [--scale F] [--day N] [--faults hostile]
      write the world's ground truth (indicators.csv, one CSV per entity kind, counts.json)

faults SPEC: comma-separated, e.g. "5xx=0.05,slow=0.01,slowdelay=500ms,drop=0.01,ratelimit=200,malformed,hostile,shift" or "all"
`

// cmdSampleweb runs "fhi sampleweb": it serves the sample web until ctx is done, or with the
// "truth" subcommand exports its ground truth. It returns the process exit code.
func cmdSampleweb(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	truth := len(args) > 0 && args[0] == "truth"
	if truth {
		args = args[1:]
	}
	fs := flag.NewFlagSet("fhi sampleweb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, sampleWebUsage); fs.PrintDefaults() }
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (127.0.0.1:0 picks a free port)")
	seed := fs.Int64("seed", 1, "world seed")
	scale := fs.Float64("scale", 1, "volume scale: 1 = the 2017 volumes, 0.1 = a tenth")
	day := fs.Int("day", 0, "days of evolution after the 2017 crawl")
	faults := fs.String("faults", "", "fault spec")
	out := fs.String("out", "", "truth: output directory")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fhi sampleweb: unexpected argument %q; run fhi sampleweb -h\n", fs.Arg(0))
		return 2
	}
	f, err := sampleweb.ParseFaults(*faults)
	if err != nil {
		fmt.Fprintf(stderr, "fhi sampleweb: --faults: %v\n", err)
		return 2
	}
	if *scale <= 0 {
		fmt.Fprintf(stderr, "fhi sampleweb: --scale must be > 0, got %v\n", *scale)
		return 2
	}
	opts := sampleweb.Options{Seed: *seed, Scale: *scale, Day: *day, Faults: f}
	if truth {
		if *out == "" {
			fmt.Fprintln(stderr, "fhi sampleweb truth: --out DIR is required")
			return 2
		}
		w, err := sampleweb.NewWorld(opts)
		if err != nil {
			fmt.Fprintf(stderr, "fhi sampleweb truth: %v\n", err)
			return 1
		}
		if err := w.WriteTruth(*out); err != nil {
			fmt.Fprintf(stderr, "fhi sampleweb truth: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "truth written to %s\n", *out)
		return 0
	}
	s, err := sampleweb.Start(*addr, opts)
	if err != nil {
		fmt.Fprintf(stderr, "fhi sampleweb: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "sample web at %s (seed %d, scale %g, day %d, faults %q)\n", s.URL(), *seed, *scale, *day, f.String())
	for _, site := range s.Sites() {
		fmt.Fprintf(stdout, "%-13s %s\n", site.Name, site.BaseURL)
	}
	<-ctx.Done()
	if err := s.Close(); err != nil {
		fmt.Fprintf(stderr, "fhi sampleweb: closing: %v\n", err)
		return 1
	}
	return 0
}
