package transform

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

//go:embed sql/*.sql
var stepFS embed.FS

// Step is one SQL file.
type Step struct {
	Name     string   // file name, e.g. 020_p2p_metrics.sql; steps run in name order
	Requires []string // sources the step reads ("-- requires: p2p, vc")
	SQL      string
	Origin   string // sql/<name> for an embedded step, else the file's path
}

// Stem returns the step's name without .sql, as data/framework.yaml's indicators name it.
func (s Step) Stem() string { return strings.TrimSuffix(s.Name, ".sql") }

// stepName is the form of a step file name: three digits give its place in the run order.
var stepName = regexp.MustCompile(`^[0-9]{3}_[a-z0-9_]+\.sql$`)

// Steps returns the embedded steps in run order.
func Steps() ([]Step, error) { return StepsWith("") }

// StepsWith returns the embedded steps with sqlDir's laid over them: a file there with an embedded
// step's name replaces it, any other NNN_name.sql is added in its place in the order.
func StepsWith(sqlDir string) ([]Step, error) {
	byName := map[string]Step{}
	names, err := fs.Glob(stepFS, "sql/*.sql")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		b, err := stepFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		byName[path.Base(n)] = Step{Name: path.Base(n), Requires: requires(string(b)), SQL: string(b), Origin: n}
	}
	if sqlDir != "" {
		if fi, err := os.Stat(sqlDir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("SQL directory %s: not a directory", sqlDir)
		}
		files, err := filepath.Glob(filepath.Join(sqlDir, "*.sql"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			base := filepath.Base(f)
			if !stepName.MatchString(base) {
				return nil, fmt.Errorf("SQL step %s: name must be NNN_name.sql (three digits set its place in the run order, e.g. 100_yearbook.sql)", f)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("reading SQL step: %w", err)
			}
			byName[base] = Step{Name: base, Requires: requires(string(b)), SQL: string(b), Origin: f}
		}
	}
	steps := make([]Step, 0, len(byName))
	for _, s := range byName {
		steps = append(steps, s)
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Name < steps[j].Name })
	return steps, nil
}

// requires reads "-- requires: a, b" lines from a step's header comment.
func requires(sqlText string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(sqlText))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--") {
			break
		}
		if rest, ok := strings.CutPrefix(strings.TrimSpace(strings.TrimPrefix(line, "--")), "requires:"); ok {
			for _, s := range strings.Split(rest, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
