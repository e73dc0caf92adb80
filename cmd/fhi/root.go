package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	_ "github.com/fhi-index/fhi/collectors/all" // every source
	"github.com/fhi-index/fhi/pipelines"
	"github.com/spf13/cobra"
)

// Exit codes, for schedulers and scripts.
const (
	exitOK     = 0
	exitError  = 1 // the command ran and failed
	exitUsage  = 2 // the command line was wrong
	exitLosses = 3 // the command succeeded, but set URLs or rows aside (fhi quality lists them)
)

// usageError is a wrong command line: exit 2, with a pointer to the command's help.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// app is what every command shares: where to write and the global flags.
type app struct {
	stdout, stderr io.Writer
	lakePath       string
	configPath     string
	// written are the lakes the command opened for writing: their undelivered OpenLineage
	// events are printed as warnings when it ends.
	written []*pipelines.Lake
}

// run executes one fhi command line and returns its exit code; main is the only caller that exits.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	return a.execute(ctx, newRootCmd(a), args)
}

// execute runs root on args and returns the exit code.
func (a *app) execute(ctx context.Context, root *cobra.Command, args []string) (code int) {
	root.SetArgs(args)
	stderr := a.stderr
	defer func() {
		// A bug must not look like a bad command line (exit 2) nor vanish: say what happened.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "fhi: internal error: %v\n%s\nThis is a bug in fhi: please report it with the command line and the lines above.\n", r, debug.Stack())
			code = exitError
		}
	}()
	cmd, err := root.ExecuteContextC(ctx)
	for _, l := range a.written {
		warnLineage(a.stderr, l)
	}
	return a.exit(cmd, err)
}

// exit prints err for a user once, prefixed by the command's name, and maps it to an exit code.
func (a *app) exit(cmd *cobra.Command, err error) int {
	if err == nil {
		return exitOK
	}
	name := "fhi"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "%s: %v\nRun '%s --help' for usage.\n", name, err, name)
		return exitUsage
	case errors.Is(err, pipelines.ErrSucceededWithLosses):
		// The run did its job and published; what it set aside is listed by fhi quality.
		fmt.Fprintf(a.stderr, "%s: %v\n", name, err)
		return exitLosses
	default:
		fmt.Fprintf(a.stderr, "%s: %v\n", name, err)
		return exitError
	}
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "fhi",
		Short: "the Fintech Hub Index pipeline (collect → transform → score → publish)",
		Long: `fhi crawls the index's sources into a lake of Parquet and WARC files, cleans and links them into
per-city metrics in DuckDB, scores them by the 2017 report's method and publishes the ranking.

Without --site (or a config file naming sites), crawling commands start the built-in sample web: a
deterministic simulation of the 2017 source sites on loopback. Its numbers are not real data.

Exit codes: 0 success; 1 failure; 2 bad command line; 3 succeeded with losses (URLs failed for
good or rows quarantined: fhi quality lists them).

Start with: fhi run`,
		// Unknown subcommands land here; with no argument the help is shown.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q (fhi help lists the commands)", args[0])
			}
			return nil
		},
		RunE:              func(cmd *cobra.Command, args []string) error { return cmd.Help() },
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.lakePath, flagLake, envOr("FHI_LAKE", "lake"), "lake directory (env FHI_LAKE)")
	pf.StringVar(&a.configPath, flagConfig, os.Getenv("FHI_CONFIG"), "config file: sites, spec_dir and crawl settings (env FHI_CONFIG); flags win over it")

	root.AddGroup(
		&cobra.Group{ID: groupPipeline, Title: "Pipeline stages:"},
		&cobra.Group{ID: groupRead, Title: "Reading the lake (never blocks a running night):"},
		&cobra.Group{ID: groupTools, Title: "Tools:"},
	)
	for _, c := range []*cobra.Command{
		newRunCmd(a), newCollectCmd(a), newTransformCmd(a), newScoreCmd(a), newPublishCmd(a), newScheduleCmd(a),
		newImportCmd(a), newPruneCmd(a), newWorkerCmd(a),
	} {
		c.GroupID = groupPipeline
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{
		newStatusCmd(a), newScoresCmd(a), newReportCmd(a), newRunsCmd(a), newSourcesCmd(a), newQualityCmd(a), newLineageCmd(a), newDiffCmd(a), newWeightsCmd(a), newAuditCmd(a),
		newSQLCmd(a),
	} {
		c.GroupID = groupRead
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{
		newLintCmd(a), newProbeCmd(a), newAHPCmd(a), newPCACmd(a), newSamplewebCmd(a), newFrontierCmd(a), newVersionCmd(a),
	} {
		c.GroupID = groupTools
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID(groupTools)
	root.SetCompletionCommandGroupID(groupTools)
	return root
}

const (
	groupPipeline = "pipeline"
	groupRead     = "read"
	groupTools    = "tools"
)

// Flag names shared by several commands: typed once.
const (
	flagLake      = "lake"
	flagConfig    = "config"
	flagFromRun   = "from-run"
	flagFramework = "framework"
	flagJSON      = "json"
	flagSpecDir   = "spec-dir"
	flagSources   = "sources"
	flagRun       = "run"
	// flagAllowPartial lets score and publish go on without a framework source that never had a
	// good run (pipelines.ErrMissingSources otherwise).
	flagAllowPartial  = "allow-partial"
	usageAllowPartial = "score and publish although a source the framework needs has never had a good collect run (its indicators are left out)"
)

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// exactArgs is cobra.ExactArgs naming what the arguments are, as a usage error.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef("want %d argument(s): %s; got %d", len(names), strings.Join(names, " "), len(args))
		}
		return nil
	}
}

// noArgs refuses positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}
