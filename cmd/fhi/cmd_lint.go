package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/specs"
	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/scoring"
	"github.com/fhi-index/fhi/transform"
)

// cmdLint implements "fhi lint": check the specs, the config and the framework without running
// anything, reporting every problem at once.
func cmdLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("lint", "lint [--config F] [--spec-dir DIR] [--framework F.yaml]",
		"Validates the built-in specs, an edited spec directory, a config file and a framework file;\nexits 1 listing every problem, 0 when all are valid.", stderr)
	configPath := fs.String("config", os.Getenv("FHI_CONFIG"), "config file to check (env FHI_CONFIG)")
	specDir := fs.String("spec-dir", "", "directory of edited specs to check")
	framework := fs.String("framework", "", "framework YAML to check (default: the embedded one)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var errs []error
	checked := 0
	all, err := specs.Embedded()
	errs = append(errs, err)
	checked += len(all)
	reg := collectors.NewRegistry()
	for _, s := range collectors.Default.Sources() {
		reg.Register(s)
	}
	if *specDir != "" {
		dirSpecs, err := specs.LoadDir(*specDir, reg)
		errs = append(errs, err)
		checked += len(dirSpecs)
	}
	// Each spec against what the transform reads from its source: a missing column fails here,
	// not three stages later.
	baseline, check := map[string][]string{}, map[string][]string{}
	for _, s := range collectors.Default.Sources() {
		baseline[s.Name] = s.Fields
	}
	for _, s := range reg.Sources() {
		check[s.Name] = s.Fields
	}
	errs = append(errs, transform.CheckSources(ctx, func() (*sql.DB, error) { return sql.Open("duckdb", "") }, baseline, check))
	if *configPath != "" {
		c, err := loadConfigInto(*configPath, reg)
		errs = append(errs, err)
		if c != nil {
			checked++
		}
	}
	fw := data.FrameworkYAML
	if *framework != "" {
		b, err := os.ReadFile(*framework)
		if err != nil {
			errs = append(errs, err)
		}
		fw = b
	}
	if fw != nil {
		if _, err := scoring.ParseFramework(fw); err != nil {
			errs = append(errs, fmt.Errorf("framework: %w", err))
		} else {
			checked++
		}
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(stderr, "fhi lint:\n%v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "ok: %d files valid\n", checked)
	return exitOK
}
