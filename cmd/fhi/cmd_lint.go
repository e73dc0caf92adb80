package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/specs"
	"github.com/fhi-index/fhi/data"
	"github.com/fhi-index/fhi/scoring"
	"github.com/spf13/cobra"
)

func newLintCmd(a *app) *cobra.Command {
	var specDir, framework string
	cmd := &cobra.Command{
		Use:   "lint [flags]",
		Short: "validate specs, a config file and a framework file without running anything",
		Long: `Validates the built-in specs, an edited spec directory, a config file and a framework file; exits
1 listing every problem, 0 when all are valid.`,
		Example: `  fhi lint --spec-dir my-specs --config fhi.yaml`,
		Args:    noArgs,
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
			if a.configPath != "" {
				c, err := loadConfigInto(a.configPath, reg)
				errs = append(errs, err)
				if c != nil {
					checked++
				}
			}
			fw := data.FrameworkYAML
			if framework != "" {
				b, err := os.ReadFile(framework)
				errs = append(errs, err)
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
				return fmt.Errorf("\n%w", err)
			}
			fmt.Fprintf(a.stdout, "ok: %d files valid\n", checked)
			return nil
		},
	}
	cmd.Flags().StringVar(&specDir, flagSpecDir, "", "directory of edited specs to check")
	cmd.Flags().StringVar(&framework, flagFramework, "", "framework YAML to check (default: the embedded one)")
	return cmd
}
