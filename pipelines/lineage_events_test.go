package pipelines

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// checkRunEvent checks an event against the required fields of the OpenLineage spec 2-0-2
// (OpenLineage.json: BaseEvent requires eventTime, producer, schemaURL; RunEvent run and job;
// Run runId, a UUID; Job and Dataset namespace and name; every facet _producer and _schemaURL)
// and the event types it allows.
func checkRunEvent(t *testing.T, line string) map[string]any {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("event is not JSON: %v\n%s", err, line)
	}
	str := func(m map[string]any, k string) string {
		s, _ := m[k].(string)
		if s == "" {
			t.Errorf("event lacks %s: %s", k, line)
		}
		return s
	}
	obj := func(m map[string]any, k string) map[string]any {
		o, ok := m[k].(map[string]any)
		if !ok {
			t.Errorf("event lacks object %s: %s", k, line)
			return map[string]any{}
		}
		return o
	}
	facets := func(where string, m map[string]any, key string) {
		fs, _ := m[key].(map[string]any)
		for name, f := range fs {
			fm, _ := f.(map[string]any)
			if fm["_producer"] == nil || !strings.HasPrefix(stringOf(fm["_schemaURL"]), "https://") {
				t.Errorf("%s facet %s lacks _producer or an https _schemaURL: %v", where, name, f)
			}
		}
	}
	str(ev, "eventTime")
	str(ev, "producer")
	if u := str(ev, "schemaURL"); !strings.HasPrefix(u, "https://openlineage.io/spec/") {
		t.Errorf("schemaURL %q is not the spec's", u)
	}
	switch et := str(ev, "eventType"); et {
	case "START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER":
	default:
		t.Errorf("eventType %q is not in the spec's enum", et)
	}
	run := obj(ev, "run")
	if _, err := uuid.Parse(str(run, "runId")); err != nil {
		t.Errorf("run.runId is not a UUID: %v", err)
	}
	facets("run", run, "facets")
	job := obj(ev, "job")
	str(job, "namespace")
	str(job, "name")
	facets("job", job, "facets")
	for _, side := range []string{"inputs", "outputs"} {
		list, _ := ev[side].([]any)
		for _, d := range list {
			dm, _ := d.(map[string]any)
			str(dm, "namespace")
			str(dm, "name")
			facets(side, dm, "facets")
			facets(side, dm, "inputFacets")
			facets(side, dm, "outputFacets")
		}
	}
	return ev
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

func readEvents(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		out = append(out, checkRunEvent(t, sc.Text()))
	}
	return out
}

func TestLineageEvents(t *testing.T) {
	var mu sync.Mutex
	var posted int
	marquez := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		checkRunEvent(t, string(b))
		mu.Lock()
		posted++
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer marquez.Close()
	lake := openTestLake(t)
	if err := lake.SendLineageTo(marquez.URL); err != nil {
		t.Fatal(err)
	}
	opts := startSampleWeb(t, 0.2)
	res, err := lake.RunAll(t.Context(), RunOptions{Collect: opts})
	if err != nil {
		t.Fatal(err)
	}
	// A failing stage: a site that yields nothing fails the health gate.
	dead := httptest.NewServer(http.NotFoundHandler())
	defer dead.Close()
	opts.BaseURLs = map[string]string{"p2p": dead.URL}
	if _, err := lake.Collect(t.Context(), opts); err == nil {
		t.Fatal("collecting from a site that serves nothing succeeded")
	}
	if err := lake.LineageErrors(); err != nil {
		t.Errorf("delivery errors: %v", err)
	}

	events := readEvents(t, lake.LineageEventsPath())
	state := map[string]string{} // run UUID → last event type
	byJob := map[string]map[string]any{}
	for _, ev := range events {
		run := ev["run"].(map[string]any)
		id, et := run["runId"].(string), ev["eventType"].(string)
		switch et {
		case "START":
			if state[id] != "" {
				t.Errorf("run %s started twice", id)
			}
		default:
			if state[id] != "START" {
				t.Errorf("run %s: %s without a START before it", id, et)
			}
		}
		state[id] = et
		if et != "START" {
			byJob[ev["job"].(map[string]any)["name"].(string)+" "+et] = ev
		}
	}
	for id, last := range state {
		if last == "START" {
			t.Errorf("run %s never finished", id)
		}
	}
	mu.Lock()
	if posted != len(events) {
		t.Errorf("the HTTP backend got %d events, the file holds %d", posted, len(events))
	}
	mu.Unlock()
	for _, job := range []string{"collect.p2p COMPLETE", "transform COMPLETE", "score COMPLETE", "publish COMPLETE", "collect.p2p FAIL"} {
		if byJob[job] == nil {
			t.Errorf("no %s event", job)
		}
	}
	if ev := byJob["collect.p2p FAIL"]; ev != nil {
		msg, _ := ev["run"].(map[string]any)["facets"].(map[string]any)["errorMessage"].(map[string]any)["message"].(string)
		if !strings.Contains(msg, "no records") {
			t.Errorf("FAIL event's errorMessage %q does not say why", msg)
		}
	}
	// The collect run's output Parquet is the transform's input: the same dataset, with a schema
	// and a row count.
	if ev := byJob["collect.p2p COMPLETE"]; ev != nil {
		var parquet map[string]any
		for _, o := range ev["outputs"].([]any) {
			if om := o.(map[string]any); strings.HasSuffix(om["name"].(string), ".parquet") {
				parquet = om
			}
		}
		if parquet == nil {
			t.Fatal("collect COMPLETE lists no Parquet output")
		}
		stats := parquet["outputFacets"].(map[string]any)["outputStatistics"].(map[string]any)
		if rows, _ := stats["rowCount"].(float64); int64(rows) != res.Collect[0].Rows {
			t.Errorf("output rowCount %v, want the run's %d records", stats["rowCount"], res.Collect[0].Rows)
		}
		if parquet["facets"].(map[string]any)["schema"] == nil {
			t.Error("Parquet output has no schema facet")
		}
		found := false
		for _, in := range byJob["transform COMPLETE"]["inputs"].([]any) {
			found = found || in.(map[string]any)["name"] == parquet["name"]
		}
		if !found {
			t.Errorf("transform's inputs do not include the collect output %s", parquet["name"])
		}
	}
}
