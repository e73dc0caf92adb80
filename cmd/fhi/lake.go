package main

import (
	"fmt"
	"io"

	"github.com/fhi-index/fhi/pipelines"
)

// writeLake opens the lake for a command that writes it, taking the writer's lock. Stage runs
// also send their OpenLineage events to lineage.url when the config file sets one; events that
// could not be delivered are printed as warnings when the command ends (app.execute).
func (a *app) writeLake() (*pipelines.Lake, error) {
	lake, err := pipelines.OpenLake(a.lakePath)
	if err != nil {
		return nil, err
	}
	if a.configPath != "" {
		c, err := loadConfig(a.configPath)
		if err == nil && c.Lineage.URL != "" {
			err = lake.SendLineageTo(c.Lineage.URL)
		}
		if err != nil {
			lake.Close()
			return nil, err
		}
	}
	a.written = append(a.written, lake)
	return lake, nil
}

// readLake opens the lake for a command that only reads it: read-only, without the writer's lock,
// so it works while a run writes the lake, and creates nothing on a path that is no lake.
func (a *app) readLake() (*pipelines.Lake, error) { return pipelines.OpenLakeReadOnly(a.lakePath) }

// warnLineage prints the OpenLineage events a lake could not deliver (a backend down, a full
// disk under lake/lineage) as warnings on w. They never fail a stage nor change its exit code: the
// manifests are the record, and every event can be rebuilt from them. Identical failures (one per
// event when a backend is down) are printed once, with their count.
func warnLineage(w io.Writer, lake *pipelines.Lake) {
	err := lake.LineageErrors()
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	count := map[string]int{}
	var order []string
	for _, e := range errs {
		msg := e.Error()
		if count[msg] == 0 {
			order = append(order, msg)
		}
		count[msg]++
	}
	for _, msg := range order {
		times := ""
		if n := count[msg]; n > 1 {
			times = fmt.Sprintf(" (%d events)", n)
		}
		fmt.Fprintf(w, "fhi: warning: OpenLineage event not delivered%s: %s\n", times, msg)
	}
}
