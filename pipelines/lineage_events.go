package pipelines

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/fhi-index/fhi/pipelines/openlineage"
)

// LineageNamespace is the OpenLineage job namespace of fhi's stage runs.
const LineageNamespace = "fhi"

// lineageTimeout bounds one HTTP delivery, so a dead lineage backend cannot stall a night.
const lineageTimeout = 5 * time.Second

// fhiRunFacetURL documents the custom run facet "fhi_run" (the manifest's own id and status).
const fhiRunFacetURL = "https://github.com/fhi-index/fhi/blob/main/README.md#openlineage-events"

// lineageEvents delivers a lake's OpenLineage events: always to lake/lineage/events.jsonl, and to
// an HTTP backend when one is configured. Delivery never fails a stage — the manifests are the
// record, and every event can be rebuilt from them (run UUIDs derive from run ids) — so errors are
// kept for the caller to report (Lake.LineageErrors).
type lineageEvents struct {
	mu      sync.Mutex
	targets []openlineage.Emitter
	errs    []error
}

func (l *Lake) events() *lineageEvents {
	if l.lineage == nil {
		l.lineage = &lineageEvents{targets: []openlineage.Emitter{&openlineage.File{Path: l.LineageEventsPath()}}}
	}
	return l.lineage
}

// LineageEventsPath is the JSON Lines file every OpenLineage event of the lake is appended to.
func (l *Lake) LineageEventsPath() string { return filepath.Join(l.Root, "lineage", "events.jsonl") }

// SendLineageTo also posts every event to an OpenLineage HTTP backend (lineage.url in fhi.yaml),
// e.g. Marquez at http://localhost:5000.
func (l *Lake) SendLineageTo(baseURL string) error {
	h, err := openlineage.NewHTTP(baseURL, lineageTimeout)
	if err != nil {
		return err
	}
	ev := l.events()
	ev.mu.Lock()
	ev.targets = append(ev.targets, h)
	ev.mu.Unlock()
	return nil
}

// LineageErrors returns (and forgets) the delivery failures since the last call.
func (l *Lake) LineageErrors() error {
	ev := l.events()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	err := errors.Join(ev.errs...)
	ev.errs = nil
	return err
}

// emitLineage sends the event of m's current state: START while running, then COMPLETE, FAIL
// or ABORT.
func (l *Lake) emitLineage(m *Manifest) {
	e := l.lineageEvent(m)
	ev := l.events()
	ctx, cancel := context.WithTimeout(context.Background(), lineageTimeout)
	defer cancel()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, t := range ev.targets {
		if err := t.Emit(ctx, e); err != nil {
			ev.errs = append(ev.errs, err)
		}
	}
}

func (l *Lake) producer(m *Manifest) string {
	v := m.Code.Version
	if m.Code.Revision != "" {
		v = m.Code.Revision
	}
	return "https://github.com/fhi-index/fhi/tree/" + url.PathEscape(v)
}

// lineageEvent builds the OpenLineage event of a manifest.
func (l *Lake) lineageEvent(m *Manifest) openlineage.RunEvent {
	producer := l.producer(m)
	base := func(schema string) openlineage.BaseFacet {
		return openlineage.BaseFacet{Producer: producer, SchemaURL: schema}
	}
	e := openlineage.RunEvent{
		EventType: openlineage.Start, EventTime: m.StartedAt,
		Run: openlineage.Run{RunID: openlineage.RunUUID(m.RunID), Facets: map[string]any{
			"fhi_run": map[string]any{"_producer": producer, "_schemaURL": fhiRunFacetURL, "runId": m.RunID, "status": m.Status, "upstreamRuns": m.Upstream},
		}},
		Job: openlineage.Job{Namespace: LineageNamespace, Name: jobName(m), Facets: map[string]any{
			"jobType": openlineage.JobTypeFacet{BaseFacet: base(openlineage.JobTypeFacetURL), ProcessingType: "BATCH", Integration: "FHI", JobType: strings.ToUpper(m.Stage)},
		}},
		Inputs: []openlineage.InputDataset{}, Outputs: []openlineage.OutputDataset{},
		Producer: producer, SchemaURL: openlineage.SchemaURL,
	}
	if m.FinishedAt != nil {
		e.EventTime = *m.FinishedAt
		switch m.Status {
		case StatusSucceeded:
			e.EventType = openlineage.Complete
		case StatusInterrupted:
			e.EventType = openlineage.Abort
		default:
			e.EventType = openlineage.Fail
			e.Run.Facets["errorMessage"] = openlineage.ErrorMessageFacet{BaseFacet: base(openlineage.ErrorMessageFacetURL),
				Message: m.Error, ProgrammingLanguage: "GO"}
		}
	}
	if m.Stage == StageCollect && m.Params["base_url"] != "" {
		if u, err := url.Parse(m.Params["base_url"]); err == nil && u.Host != "" {
			name := u.Path
			if name == "" {
				name = "/"
			}
			e.Inputs = append(e.Inputs, openlineage.InputDataset{Dataset: openlineage.Dataset{Namespace: u.Scheme + "://" + u.Host, Name: name}})
		}
	}
	for _, f := range m.Inputs {
		e.Inputs = append(e.Inputs, openlineage.InputDataset{Dataset: l.fileDataset(f, producer),
			InputFacets: map[string]any{"inputStatistics": openlineage.StatisticsFacet{BaseFacet: base(openlineage.InputStatisticsFacetURL), Size: ptr(f.Bytes)}}})
	}
	for _, t := range stageTables[m.Stage].reads {
		e.Inputs = append(e.Inputs, openlineage.InputDataset{Dataset: l.tableDataset(t, producer)})
	}
	if e.EventType != openlineage.Complete {
		return e // outputs exist once a run completes
	}
	for _, f := range m.Outputs {
		out := openlineage.OutputDataset{Dataset: l.fileDataset(f, producer),
			OutputFacets: map[string]any{"outputStatistics": openlineage.StatisticsFacet{BaseFacet: base(openlineage.OutputStatisticsFacetURL), Size: ptr(f.Bytes)}}}
		if strings.HasSuffix(f.Path, ".parquet") {
			if rows, ok := parquetRows(l.Abs(f.Path)); ok {
				out.OutputFacets["outputStatistics"] = openlineage.StatisticsFacet{BaseFacet: base(openlineage.OutputStatisticsFacetURL), RowCount: &rows, Size: ptr(f.Bytes)}
			}
		}
		e.Outputs = append(e.Outputs, out)
	}
	tables := make([]string, 0, len(m.Tables))
	for t := range m.Tables {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	schemas := l.tableSchemas(tables)
	for _, t := range tables {
		ds := l.tableDataset(t, producer)
		if fields := schemas[t]; len(fields) > 0 {
			ds.Facets = map[string]any{"schema": openlineage.SchemaFacet{BaseFacet: base(openlineage.SchemaFacetURL), Fields: fields}}
		}
		rows := m.Tables[t]
		e.Outputs = append(e.Outputs, openlineage.OutputDataset{Dataset: ds,
			OutputFacets: map[string]any{"outputStatistics": openlineage.StatisticsFacet{BaseFacet: base(openlineage.OutputStatisticsFacetURL), RowCount: &rows}}})
	}
	return e
}

// stageTables names the database tables a stage reads without listing them as input files.
var stageTables = map[string]struct{ reads []string }{
	StageScore:   {reads: []string{"metric_history"}},
	StagePublish: {reads: []string{"score_values", "score_weights", "score_runs"}},
}

func jobName(m *Manifest) string {
	if m.Source != "" {
		return m.Stage + "." + m.Source
	}
	return m.Stage
}

func ptr[T any](v T) *T { return &v }

// fileDataset names a lake file as the OpenLineage naming convention names local files
// (namespace file, name the absolute path), with its Parquet schema when it is Parquet.
func (l *Lake) fileDataset(f FileRef, producer string) openlineage.Dataset {
	ds := openlineage.Dataset{Namespace: "file", Name: l.Abs(f.Path)}
	if strings.HasSuffix(f.Path, ".parquet") {
		if fields := parquetFields(l.Abs(f.Path)); len(fields) > 0 {
			ds.Facets = map[string]any{"schema": openlineage.SchemaFacet{BaseFacet: openlineage.BaseFacet{Producer: producer, SchemaURL: openlineage.SchemaFacetURL}, Fields: fields}}
		}
	}
	return ds
}

// tableDataset names a table of the lake's DuckDB database: namespace duckdb://<database file>.
func (l *Lake) tableDataset(table, _ string) openlineage.Dataset {
	return openlineage.Dataset{Namespace: "duckdb://" + l.DBPath(), Name: "main." + table}
}

func parquetFields(path string) []openlineage.SchemaField {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil
	}
	defer r.Close()
	s := r.MetaData().Schema
	out := make([]openlineage.SchemaField, 0, s.NumColumns())
	for i := 0; i < s.NumColumns(); i++ {
		c := s.Column(i)
		typ := c.PhysicalType().String()
		if lt := c.LogicalType(); lt != nil && !lt.IsNone() {
			typ = lt.String()
		}
		out = append(out, openlineage.SchemaField{Name: c.Path(), Type: typ})
	}
	return out
}

func parquetRows(path string) (int64, bool) {
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return 0, false
	}
	defer r.Close()
	return r.NumRows(), true
}

// tableSchemas reads the columns of the named tables from the database; none when it cannot.
func (l *Lake) tableSchemas(tables []string) map[string][]openlineage.SchemaField {
	out := map[string][]openlineage.SchemaField{}
	if len(tables) == 0 {
		return out
	}
	db, err := l.openDB()
	if err != nil {
		return out
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY table_name, column_index`)
	if err != nil {
		return out
	}
	defer rows.Close()
	want := map[string]bool{}
	for _, t := range tables {
		want[t] = true
	}
	for rows.Next() {
		var t, c string
		var typ sql.NullString
		if rows.Scan(&t, &c, &typ) == nil && want[t] {
			out[t] = append(out[t], openlineage.SchemaField{Name: c, Type: typ.String})
		}
	}
	return out
}
