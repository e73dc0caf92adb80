package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestExitCodes pins the exit-code contract schedulers rely on, and that a panic inside a command
// is reported as a failure (1), never as a bad command line (2), with the panic's message.
func TestExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		runE    func(*cobra.Command, []string) error
		args    []string
		want    int
		wantErr string
	}{
		{"success", func(*cobra.Command, []string) error { return nil }, nil, exitOK, ""},
		{"failure", func(*cobra.Command, []string) error { return errStub }, nil, exitError, "fhi probe-exit: stub failure"},
		{"usage", func(*cobra.Command, []string) error { return usagef("bad") }, nil, exitUsage, "Run 'fhi probe-exit --help'"},
		{"unknown flag", func(*cobra.Command, []string) error { return nil }, []string{"--nope"}, exitUsage, "unknown flag: --nope"},
		{"losses", func(*cobra.Command, []string) error { return lossesError{errStub} }, nil, exitLosses, "succeeded with losses: stub failure"},
		{"panic", func(*cobra.Command, []string) error { panic("kaboom") }, nil, exitError, "internal error: kaboom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			a := &app{stdout: &out, stderr: &errOut}
			root := newRootCmd(a)
			root.AddCommand(&cobra.Command{Use: "probe-exit", RunE: tt.runE})
			got := a.execute(t.Context(), root, append([]string{"probe-exit"}, tt.args...))
			if got != tt.want || !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", got, errOut.String(), tt.want, tt.wantErr)
			}
		})
	}
}

var errStub = stubError("stub failure")

type stubError string

func (e stubError) Error() string { return string(e) }

// TestEveryCommandHasHelp checks that every command documents itself and every flag has a usage line.
func TestEveryCommandHasHelp(t *testing.T) {
	root := newRootCmd(&app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Short == "" {
			t.Errorf("fhi %s has no short help", c.CommandPath())
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Usage == "" && f.Deprecated == "" {
				t.Errorf("%s --%s has no usage text", c.CommandPath(), f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
