package main

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/specs"
	"github.com/fhi-index/fhi/pipelines"
	"github.com/fhi-index/fhi/transform"
	"github.com/spf13/cobra"
)

func newLintCmd(a *app) *cobra.Command {
	var specDir, framework, sqlDirFlag string
	cmd := &cobra.Command{
		Use:   "lint [flags]",
		Short: "validate specs, a config file, a framework file and SQL steps without running anything",
		Long: `Validates the built-in specs, an edited spec directory, a config file, a framework file and the
transform's SQL — the built-in steps with an analyst's --sql-dir (or the config's
transform.sql_dir) laid over them: file names, reference CSVs cell by cell, every step run on empty
tables of every source's fields (the specs', and the columns of the lake's imports), and every
framework indicator matched to the step and sources that compute it. Exits 1 listing every
problem, 0 when all are valid.`,
		Example: `  fhi lint --spec-dir my-specs --config fhi.yaml
  fhi lint --sql-dir my-sql --framework my-framework.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var errs []error
			checked := 0
			all, err := specs.Embedded()
			errs = append(errs, err)
			checked += len(all)
			reg := collectors.NewRegistry()
			for _, s := range collectors.Default.Sources() {
				reg.Register(s)
			}
			if specDir != "" {
				dirSpecs, err := specs.LoadDir(specDir, reg)
				errs = append(errs, err)
				checked += len(dirSpecs)
			}
			// Each spec against what the transform reads from its source: a missing column fails
			// here, not three stages later.
			baseline, check := map[string][]string{}, map[string][]string{}
			for _, s := range collectors.Default.Sources() {
				baseline[s.Name] = s.Fields
			}
			for _, s := range reg.Sources() {
				check[s.Name] = s.Fields
			}
			errs = append(errs, transform.CheckSources(cmd.Context(), func() (*sql.DB, error) { return sql.Open("duckdb", "") }, baseline, check))
			if a.configPath != "" {
				c, err := loadConfigInto(a.configPath, reg)
				errs = append(errs, err)
				if c != nil {
					checked++
				}
			}
			var fw []byte // nil: the embedded framework
			if src, err := pipelines.ReadFramework(framework); err != nil {
				errs = append(errs, err)
			} else {
				fw = src.YAML
				if _, err := src.Parse(); err != nil {
					errs = append(errs, fmt.Errorf("framework: %w", err))
				} else {
					checked++
				}
			}
			dir := sqlDirFlag
			if dir == "" && a.configPath != "" {
				if c, err := loadConfigInto(a.configPath, reg); err == nil {
					dir = c.Transform.SQLDir
				}
			}
			sources := map[string][]string{}
			for _, s := range reg.Sources() {
				sources[s.Name] = s.Fields
			}
			imports, err := pipelines.ImportedSources(a.lakePath)
			errs = append(errs, err)
			for name, cols := range imports {
				sources[name] = cols
			}
			rep, err := transform.Lint(cmd.Context(), transform.LintOptions{SQLDir: dir, Sources: sources, Framework: fw})
			if err != nil {
				errs = append(errs, fmt.Errorf("transform: %w", err))
			}
			if rep != nil {
				checked += rep.Steps
				for _, w := range rep.Warnings {
					fmt.Fprintf(a.stdout, "warning: %s\n", w)
				}
				if len(rep.Skipped) > 0 {
					fmt.Fprintf(a.stdout, "not run: %s (a source they read has no spec and no import in %s)\n", strings.Join(rep.Skipped, ", "), a.lakePath)
				}
			}
			if err := errors.Join(errs...); err != nil {
				return fmt.Errorf("\n%w", err)
			}
			fmt.Fprintf(a.stdout, "ok: %d files and SQL steps valid\n", checked)
			return nil
		},
	}
	cmd.Flags().StringVar(&specDir, flagSpecDir, "", "directory of edited specs to check")
	cmd.Flags().StringVar(&framework, flagFramework, "", "framework YAML to check (default: the embedded one)")
	cmd.Flags().StringVar(&sqlDirFlag, flagSQLDir, "", "analysts' SQL directory to check (default: the config's transform.sql_dir)")
	return cmd
}
