package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	_ "github.com/fhi-index/fhi/collectors/all" // every source
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // the command line was wrong
)

type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"run":       {"crawl the sources, transform, score and publish (starts the sample web unless --site is given)", cmdRun},
		"collect":   {"crawl sources into the lake: fhi collect [source…]", cmdCollect},
		"transform": {"clean raw records and compute per-city metrics in DuckDB", cmdTransform},
		"score":     {"score the metrics (or, with --input, score a CSV outside the lake)", cmdScore},
		"prune":     {"remove old runs' data, keeping the newest runs and what published scores depend on", cmdPrune},
		"publish":   {"publish a score run: the ranking fhi scores shows", cmdPublish},
		"scores":    {"print the published scores (--format table|csv|json)", cmdScores},
		"schedule":  {"run every stage on a cron schedule (nightly incremental crawls) until stopped", cmdSchedule},
		"quality":   {"what the latest runs set aside: failed and quarantined pages, quarantined rows", cmdQuality},
		"runs":      {"list stage runs with status, counts and durations", cmdRuns},
		"sources":   {"list the registered sources", cmdSources},
		"sampleweb": {"serve the simulated source sites, or export their ground truth", cmdSampleweb},
		"weights":   {"print the weight tree of the framework with AHP and PCA diagnostics", cmdWeights},
		"ahp":       {"weights, λmax, CI and CR of a pairwise-comparison matrix CSV", cmdAHP},
		"pca":       {"principal components and recipe weights of an indicator table CSV", cmdPCA},
		"diff":      {"how ranks moved between two score runs (by default the two newest)", cmdDiff},
		"import":    {"file a CSV or XLSX (a survey export, a yearbook table) into the lake as a source", cmdImport},
		"lint":      {"validate specs, a config file and a framework file without running anything", cmdLint},
		"lineage":   {"trace one city's score on one indicator back to the archived bytes", cmdLineage},
		"probe":     {"fetch one page and print what a source's spec extracts from it", cmdProbe},
	}
}

// run executes one fhi command and returns its exit code; main is the only caller that exits.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "fhi: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `fhi — the Fintech Hub Index pipeline (collect → transform → score → publish)

Usage: fhi <command> [flags]

Commands:
`)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprint(w, `
Every command that reads or writes the lake takes --lake DIR (default ./lake, or $FHI_LAKE).
Run "fhi <command> -h" for a command's flags. Start with: fhi run
`)
}

// newFlags makes a command's flag set whose usage (synopsis, the optional about text, flags) goes
// to stderr; -h is not an error.
func newFlags(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: fhi %s\n", synopsis)
		if about != "" {
			fmt.Fprintf(stderr, "\n%s\n", about)
		}
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, returning an exit code when the command should stop here.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

func lakeFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("FHI_LAKE")
	if def == "" {
		def = "lake"
	}
	return fs.String("lake", def, "lake directory (env FHI_LAKE)")
}

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// fail prints err for a user and returns the failure exit code.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "fhi %s: %v\n", cmd, err)
	return exitError
}
