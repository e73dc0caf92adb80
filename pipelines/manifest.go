package pipelines

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Stage names.
const (
	StageCollect   = "collect"
	StageTransform = "transform"
	StageScore     = "score"
	StagePublish   = "publish"
)

// Run statuses. A manifest still "running" whose process is gone reads as abandoned.
const (
	StatusRunning     = "running"
	StatusSucceeded   = "succeeded"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
	StatusAbandoned   = "abandoned"
)

// ErrRunNotFound is returned for a run id with no manifest.
var ErrRunNotFound = errors.New("pipelines: run not found")

// FileRef names a file in the lake with its content hash.
type FileRef struct {
	Path   string `json:"path"` // relative to the lake root
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// CodeVersion identifies the build that ran a stage.
type CodeVersion struct {
	Module    string `json:"module"`
	Version   string `json:"version"`
	Revision  string `json:"vcs_revision,omitempty"`
	Modified  bool   `json:"vcs_modified,omitempty"`
	GoVersion string `json:"go_version"`
}

// Manifest records one stage run.
type Manifest struct {
	RunID      string            `json:"run_id"`
	Stage      string            `json:"stage"`
	Source     string            `json:"source,omitempty"`
	Status     string            `json:"status"`
	Upstream   []string          `json:"upstream_runs"`
	Inputs     []FileRef         `json:"inputs"`
	Outputs    []FileRef         `json:"outputs"`
	Rows       int64             `json:"rows"`
	Tables     map[string]int64  `json:"tables,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	Details    json.RawMessage   `json:"details,omitempty"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt *time.Time        `json:"finished_at,omitempty"`
	Error      string            `json:"error,omitempty"`
	Code       CodeVersion       `json:"code"`
	PID        int               `json:"pid"`
	// PrunedAt is set when fhi prune removed the run's data; the manifest stays as history.
	PrunedAt *time.Time `json:"pruned_at,omitempty"`
}

// Duration is how long the run took, or has taken so far.
func (m *Manifest) Duration() time.Duration {
	if m.FinishedAt != nil {
		return m.FinishedAt.Sub(m.StartedAt)
	}
	return time.Since(m.StartedAt)
}

// newRunID makes ids that sort by start time within a stage: collect-20261126T031502Z-9f3c.
func newRunID(stage string, now time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%s-%s", stage, now.UTC().Format("20060102T150405Z"), hex.EncodeToString(b[:]))
}

func codeVersion() CodeVersion {
	cv := CodeVersion{Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return cv
	}
	cv.Module, cv.Version, cv.GoVersion = bi.Main.Path, bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			cv.Revision = s.Value
		case "vcs.modified":
			cv.Modified = s.Value == "true"
		}
	}
	return cv
}

func (l *Lake) manifestPath(runID string) string {
	return filepath.Join(l.runsDir(), runID+".json")
}

// validRunID keeps a user-supplied id from naming a path outside runs/.
func validRunID(id string) bool {
	return id != "" && !strings.ContainsAny(id, `/\`) && !strings.HasPrefix(id, ".")
}

// beginRun writes the manifest of a new run in status running.
func (l *Lake) beginRun(stage, source string, upstream []string) (*Manifest, error) {
	now := time.Now().UTC()
	m := &Manifest{
		RunID: newRunID(stage, now), Stage: stage, Source: source, Status: StatusRunning,
		Upstream: upstream, StartedAt: now, Code: codeVersion(), PID: os.Getpid(),
		Inputs: []FileRef{}, Outputs: []FileRef{},
	}
	if m.Upstream == nil {
		m.Upstream = []string{}
	}
	if err := l.writeManifest(m); err != nil {
		return m, err
	}
	l.emitLineage(m) // OpenLineage START
	return m, nil
}

// finishRun stamps the outcome and writes the manifest for good.
func (l *Lake) finishRun(m *Manifest, err error, interrupted bool) error {
	now := time.Now().UTC()
	m.FinishedAt = &now
	switch {
	case err == nil:
		m.Status = StatusSucceeded
	case interrupted:
		m.Status, m.Error = StatusInterrupted, err.Error()
	default:
		m.Status, m.Error = StatusFailed, err.Error()
	}
	if err := l.writeManifest(m); err != nil {
		return err
	}
	l.emitLineage(m) // OpenLineage COMPLETE, FAIL or ABORT
	return nil
}

func (l *Lake) writeManifest(m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding manifest %s: %w", m.RunID, err)
	}
	return WriteFileAtomic(l.manifestPath(m.RunID), append(b, '\n'))
}

// Run reads one run's manifest.
func (l *Lake) Run(runID string) (*Manifest, error) {
	if !validRunID(runID) {
		return nil, fmt.Errorf("%w: %q is not a run id", ErrRunNotFound, runID)
	}
	b, err := os.ReadFile(l.manifestPath(runID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (list runs with `fhi runs`)", ErrRunNotFound, runID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading manifest of %s: %w", runID, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding manifest %s: %w", l.manifestPath(runID), err)
	}
	if m.Status == StatusRunning && !processAlive(m.PID) {
		m.Status = StatusAbandoned
	}
	return &m, nil
}

// Runs lists every run, oldest first.
func (l *Lake) Runs() ([]*Manifest, error) {
	entries, err := os.ReadDir(l.runsDir())
	if err != nil {
		return nil, fmt.Errorf("listing runs: %w", err)
	}
	var out []*Manifest
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		m, err := l.Run(strings.TrimSuffix(name, ".json"))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].StartedAt.Equal(out[j].StartedAt) {
			return out[i].StartedAt.Before(out[j].StartedAt)
		}
		return out[i].RunID < out[j].RunID
	})
	return out, nil
}

// LatestRun returns the newest successful run of stage (and source, for collect), or nil.
func (l *Lake) LatestRun(stage, source string) (*Manifest, error) {
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	for i := len(runs) - 1; i >= 0; i-- {
		m := runs[i]
		if m.Stage == stage && m.Status == StatusSucceeded && m.PrunedAt == nil && (source == "" || m.Source == source) {
			return m, nil
		}
	}
	return nil, nil
}

// successfulRun returns the named run, checking that it is a successful run of stage.
func (l *Lake) successfulRun(runID, stage string) (*Manifest, error) {
	m, err := l.Run(runID)
	if err != nil {
		return nil, err
	}
	if m.Stage != stage {
		return nil, fmt.Errorf("run %s is a %s run, not a %s run", runID, m.Stage, stage)
	}
	if m.Status != StatusSucceeded {
		return nil, fmt.Errorf("run %s did not succeed (status %s): it cannot be used as input", runID, m.Status)
	}
	if m.PrunedAt != nil {
		return nil, fmt.Errorf("run %s was pruned on %s: its data are gone", runID, m.PrunedAt.Format(time.RFC3339))
	}
	return m, nil
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// fileRef hashes a lake file for a manifest.
func (l *Lake) fileRef(path string) (FileRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileRef{}, fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileRef{}, fmt.Errorf("hashing %s: %w", path, err)
	}
	return FileRef{Path: l.Rel(path), SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}

// CurrentCodeVersion is the version of the running binary, as manifests record it.
func CurrentCodeVersion() CodeVersion { return codeVersion() }
