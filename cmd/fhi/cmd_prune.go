package main

import (
	"context"
	"fmt"
	"io"

	"github.com/fhi-index/fhi/pipelines"
)

// cmdPrune implements "fhi prune --keep N": remove the data of old runs, keeping what the newest
// runs and the published scores depend on.
func cmdPrune(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("prune", "prune --keep N [--dry-run] [--json]",
		"Removes old runs' raw partitions, WARC files, lineage files and database rows, keeping the\nnewest N successful runs of each stage (per source for collect), the newest N published scores\nand everything they depend on — including older WARC files an incremental run still points at.\nManifests stay, marked pruned. Try --dry-run first.", stderr)
	lakePath := lakeFlag(fs)
	keep := fs.Int("keep", 0, "successful runs to keep per stage and source (required, ≥ 1)")
	dryRun := fs.Bool("dry-run", false, "list what would be removed, remove nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *keep < 1 {
		fmt.Fprintln(stderr, "fhi prune: --keep N is required and must be ≥ 1")
		return exitUsage
	}
	lake, ok := openLake(stderr, "prune", *lakePath)
	if !ok {
		return exitError
	}
	defer lake.Close()
	rep, err := lake.Prune(ctx, pipelines.PruneOptions{Keep: *keep, DryRun: *dryRun})
	if err != nil {
		return fail(stderr, "prune", err)
	}
	if *asJSON {
		if err := writeJSON(stdout, rep); err != nil {
			return fail(stderr, "prune", err)
		}
		return exitOK
	}
	verb := "removed"
	if *dryRun {
		verb = "would remove"
	}
	for _, f := range rep.Files {
		fmt.Fprintln(stdout, f)
	}
	fmt.Fprintf(stdout, "%s %d runs, %d files, %.1f MB\n", verb, len(rep.Runs), len(rep.Files), float64(rep.Bytes)/1e6)
	return exitOK
}
