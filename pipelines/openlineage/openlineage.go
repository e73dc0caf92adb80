// Package openlineage writes OpenLineage run events (spec 2-0-2, https://openlineage.io/spec/) so
// that lineage tools such as Marquez can follow fhi's stage runs and the datasets they read and
// write. It holds the event model, the standard facets fhi fills, and two transports: a JSON
// Lines file and HTTP. It knows nothing of lakes: package pipelines builds the events.
package openlineage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// SchemaURL is the JSON-pointer URL of the RunEvent definition these events conform to.
const SchemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

// Facet schema URLs (OpenLineage spec facets).
const (
	SchemaFacetURL           = "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
	OutputStatisticsFacetURL = "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet"
	InputStatisticsFacetURL  = "https://openlineage.io/spec/facets/1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet"
	ErrorMessageFacetURL     = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet"
	JobTypeFacetURL          = "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet"
	ParentRunFacetURL        = "https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet"
)

// EventType is the run-state transition an event reports. A run emits one START and then one of
// COMPLETE, FAIL or ABORT.
type EventType string

// Event types.
const (
	Start    EventType = "START"
	Complete EventType = "COMPLETE"
	Fail     EventType = "FAIL"
	Abort    EventType = "ABORT"
)

// RunEvent is one OpenLineage run event.
type RunEvent struct {
	EventType EventType       `json:"eventType"`
	EventTime time.Time       `json:"eventTime"`
	Run       Run             `json:"run"`
	Job       Job             `json:"job"`
	Inputs    []InputDataset  `json:"inputs"`
	Outputs   []OutputDataset `json:"outputs"`
	Producer  string          `json:"producer"`
	SchemaURL string          `json:"schemaURL"`
}

// Run identifies a run; RunID must be a UUID.
type Run struct {
	RunID  string         `json:"runId"`
	Facets map[string]any `json:"facets,omitempty"`
}

// Job identifies a job by namespace and name.
type Job struct {
	Namespace string         `json:"namespace"`
	Name      string         `json:"name"`
	Facets    map[string]any `json:"facets,omitempty"`
}

// Dataset identifies a dataset by namespace (its data source) and name (its place in it).
type Dataset struct {
	Namespace string         `json:"namespace"`
	Name      string         `json:"name"`
	Facets    map[string]any `json:"facets,omitempty"`
}

// InputDataset is a dataset a run read.
type InputDataset struct {
	Dataset
	InputFacets map[string]any `json:"inputFacets,omitempty"`
}

// OutputDataset is a dataset a run wrote.
type OutputDataset struct {
	Dataset
	OutputFacets map[string]any `json:"outputFacets,omitempty"`
}

// BaseFacet is what every facet carries: who wrote it and which schema it follows.
type BaseFacet struct {
	Producer  string `json:"_producer"`
	SchemaURL string `json:"_schemaURL"`
}

// SchemaField is one column of a SchemaFacet.
type SchemaField struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// SchemaFacet lists a dataset's columns (facet "schema").
type SchemaFacet struct {
	BaseFacet
	Fields []SchemaField `json:"fields"`
}

// StatisticsFacet counts rows and bytes (facets "outputStatistics" and "inputStatistics").
type StatisticsFacet struct {
	BaseFacet
	RowCount  *int64 `json:"rowCount,omitempty"`
	Size      *int64 `json:"size,omitempty"`
	FileCount *int64 `json:"fileCount,omitempty"`
}

// ErrorMessageFacet says why a run failed (run facet "errorMessage").
type ErrorMessageFacet struct {
	BaseFacet
	Message             string `json:"message"`
	ProgrammingLanguage string `json:"programmingLanguage"`
	StackTrace          string `json:"stackTrace,omitempty"`
}

// JobTypeFacet says what kind of job it is (job facet "jobType").
type JobTypeFacet struct {
	BaseFacet
	ProcessingType string `json:"processingType"`
	Integration    string `json:"integration"`
	JobType        string `json:"jobType,omitempty"`
}

// ParentRunFacet links a run to the run that caused it (run facet "parent").
type ParentRunFacet struct {
	BaseFacet
	Run struct {
		RunID string `json:"runId"`
	} `json:"run"`
	Job struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"job"`
}

// runIDSpace is the UUID namespace of fhi run ids.
var runIDSpace = uuid.MustParse("6f2c8a52-5d0e-4d7b-9a43-0c1f6a9e1b7d")

// RunUUID maps an fhi run id (collect-20261126T031502Z-9f3c) to the UUID OpenLineage requires:
// a name-based (version 5) UUID, so every event of a run, and any tool recomputing it from a
// manifest, gets the same one.
func RunUUID(runID string) string { return uuid.NewSHA1(runIDSpace, []byte(runID)).String() }

// An Emitter delivers events; it returns once the event is stored or sent, or ctx is done.
type Emitter interface {
	Emit(ctx context.Context, ev RunEvent) error
}

// File appends each event as one JSON line to a file, creating it and its directory.
type File struct {
	Path string
	mu   sync.Mutex
}

// Emit appends ev to the file with one write, and syncs it.
func (f *File) Emit(_ context.Context, ev RunEvent) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding lineage event: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
		return fmt.Errorf("writing lineage event: %w", err)
	}
	out, err := os.OpenFile(f.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("writing lineage event: %w", err)
	}
	// One write of the whole line: an appending reader never sees half an event from us.
	if _, err := out.Write(append(b, '\n')); err != nil {
		out.Close()
		return fmt.Errorf("writing lineage event to %s: %w", f.Path, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return fmt.Errorf("syncing %s: %w", f.Path, err)
	}
	return out.Close()
}

// DefaultEndpoint is the path an OpenLineage HTTP backend (Marquez) takes events on, used when
// the configured URL has no path.
const DefaultEndpoint = "/api/v1/lineage"

// HTTP posts each event as JSON to a lineage backend.
type HTTP struct {
	URL    string // e.g. http://localhost:5000 (Marquez) or a full endpoint URL
	Client *http.Client
	// APIKey, when set, is sent as a bearer token.
	APIKey string
}

// ErrHTTPStatus is wrapped by HTTP.Emit when the backend answers with a non-2xx status.
var ErrHTTPStatus = errors.New("openlineage: backend refused the event")

// NewHTTP returns an HTTP transport for base, with a client that gives up after timeout.
func NewHTTP(base string, timeout time.Duration) (*HTTP, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("lineage.url %q: want an http(s) URL such as http://localhost:5000", base)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = DefaultEndpoint
	}
	return &HTTP{URL: u.String(), Client: &http.Client{Timeout: timeout}}, nil
}

// Emit posts ev; a non-2xx answer is an error naming the status and the start of the body.
func (h *HTTP) Emit(ctx context.Context, ev RunEvent) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding lineage event: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("sending lineage event to %s: %w", h.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+h.APIKey)
	}
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sending lineage event to %s: %w", h.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("sending lineage event to %s: %w: %s %s", h.URL, ErrHTTPStatus, resp.Status, strings.TrimSpace(string(body)))
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}
