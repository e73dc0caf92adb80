// Package specs holds the declarative source specs (one YAML file per source, see package spec for
// the format), embeds them and registers each as a source. LoadDir lays a team's edited copies over
// them without a rebuild.
package specs

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/spec"
)

//go:embed *.yaml
var files embed.FS

func init() {
	all, err := parseFS(files)
	if err != nil {
		panic(err) // an embedded spec that does not parse is a build defect; TestEmbeddedSpecs catches it
	}
	for _, s := range all {
		collectors.Register(s.Source())
	}
}

// Embedded returns the specs compiled into the binary, sorted by source name.
func Embedded() ([]*spec.Spec, error) {
	all, err := parseFS(files)
	if err != nil {
		return nil, err
	}
	return all, nil
}

// LoadDir parses every *.yaml in dir and registers each over any source of the same name in reg.
// The error reports every file that does not parse; the others are registered all the same.
func LoadDir(dir string, reg *collectors.Registry) ([]*spec.Spec, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("spec directory %s: not a directory", dir)
	}
	all, err := parseFS(os.DirFS(dir))
	for _, s := range all {
		reg.Replace(s.Source()) // the valid files, so that lint checks them further
	}
	return all, err
}

func parseFS(fsys fs.FS) ([]*spec.Spec, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	// Every file is parsed, so one pass reports every problem of every file.
	var out []*spec.Spec
	var errs []error
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading spec %s: %w", n, err))
			continue
		}
		s, err := spec.Parse(filepath.Base(n), b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errors.Join(errs...)
}
