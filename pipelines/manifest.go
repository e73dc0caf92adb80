package pipelines

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// Stage names.
const (
	StageCollect   = "collect"
	StageTransform = "transform"
	StageScore     = "score"
	StagePublish   = "publish"
	// StageRun is a whole pipeline run (fhi run): its plan names the stage runs it made.
	StageRun = "run"
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

// ErrBadManifest marks a manifest that fhi did not write as it reads: an unknown stage or status, a
// source or run id breaking their rules, or a path leading out of the lake.
var ErrBadManifest = errors.New("pipelines: invalid manifest")

// FileRef names a file in the lake with its content hash.
type FileRef struct {
	Path   string `json:"path"` // relative to the lake root
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// CodeVersion identifies the build that ran a stage.
type CodeVersion struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"vcs_revision,omitempty"`
	Modified bool   `json:"vcs_modified,omitempty"`
	// RevisionFrom says where Revision was read: "build" (stamped by go build) or "git" (asked of
	// the source checkout at run time, for `go run` and builds with -buildvcs=false).
	RevisionFrom string `json:"vcs_revision_from,omitempty"`
	GoVersion    string `json:"go_version"`
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
	// Plan is a pipeline run's state (stage run only): its sources and the runs of every stage.
	Plan *RunPlan `json:"plan,omitempty"`
	// Progress is how far a collect run has got, rewritten every few seconds while it runs.
	Progress *Progress `json:"progress,omitempty"`
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

var codeVersion = sync.OnceValue(func() CodeVersion {
	cv := CodeVersion{Version: "(devel)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return cv
	}
	cv.Module, cv.Version, cv.GoVersion = bi.Main.Path, bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			cv.Revision, cv.RevisionFrom = s.Value, "build"
		case "vcs.modified":
			cv.Modified = s.Value == "true"
		}
	}
	if cv.Revision == "" {
		// Go stamps vcs.* only for go build and go install with -buildvcs on (go run, go test and
		// GOFLAGS=-buildvcs=false stamp nothing): ask the checkout this code was compiled from.
		cv.Revision, cv.Modified = gitRevision()
		if cv.Revision != "" {
			cv.RevisionFrom = "git"
		}
	}
	return cv
})

// gitRevision reads HEAD and whether tracked files changed in the module checkout this file was
// compiled in. It gives "" when that checkout is gone (a binary copied elsewhere, -trimpath) or git
// is missing.
func gitRevision() (string, bool) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", false
	}
	root := filepath.Dir(filepath.Dir(file)) // …/pipelines/manifest.go → module root
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "HEAD").Output()
	rev := strings.TrimSpace(string(out))
	if err != nil || len(rev) < 40 {
		return "", false
	}
	st, err := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--untracked-files=no").Output()
	return rev, err == nil && len(bytes.TrimSpace(st)) > 0
}

func (l *Lake) manifestPath(runID string) string {
	return filepath.Join(l.runsDir(), runID+".json")
}

// runIDRule is what newRunID makes: <stage>-<UTC start>-<4+ hex digits>. Nothing else may name a
// manifest, so a run id from a command line or a manifest can never name a path.
var runIDRule = regexp.MustCompile(`^(collect|transform|score|publish|run)-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4,16}$`)

func validRunID(id string) bool { return runIDRule.MatchString(id) }

// knownStages and knownStatuses are every value a manifest may hold.
var (
	knownStages   = map[string]bool{StageCollect: true, StageTransform: true, StageScore: true, StagePublish: true, StageRun: true}
	knownStatuses = map[string]bool{StatusRunning: true, StatusSucceeded: true, StatusFailed: true, StatusInterrupted: true, StatusAbandoned: true}
)

// validate checks a manifest read from runs/<id>.json before anything acts on it: prune deletes
// and resume rebuilds paths made from its source and run id.
func (m *Manifest) validate(fileID string) error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if m.RunID != fileID {
		bad("run_id %q differs from its file name %s.json", m.RunID, fileID)
	}
	if !knownStages[m.Stage] {
		bad("unknown stage %q", m.Stage)
	} else if !strings.HasPrefix(m.RunID, m.Stage+"-") {
		bad("run_id %q is not a %s run id", m.RunID, m.Stage)
	}
	if !knownStatuses[m.Status] {
		bad("unknown status %q", m.Status)
	}
	switch {
	case m.Stage == StageCollect:
		if err := collectors.ValidSourceName(m.Source); err != nil {
			bad("source: %v", err)
		}
	case m.Source != "":
		bad("a %s run has no source, got %q", m.Stage, m.Source)
	}
	for _, id := range m.Upstream {
		if !validRunID(id) {
			bad("upstream run %q is not a run id", id)
		}
	}
	// What a run wrote is inside the lake (prune removes it); what it read may be a file outside,
	// named by its absolute path (an analyst's SQL step) — never a relative path climbing out.
	for _, f := range m.Outputs {
		if !filepath.IsLocal(f.Path) {
			bad("file %q is not a path inside the lake", f.Path)
		}
	}
	for _, f := range m.Inputs {
		if !filepath.IsLocal(f.Path) && !filepath.IsAbs(f.Path) {
			bad("input %q is neither a path inside the lake nor an absolute path", f.Path)
		}
	}
	if p := m.Plan; p != nil {
		for _, s := range p.Sources {
			if err := collectors.ValidSourceName(s.Source); err != nil {
				bad("plan: source: %v", err)
			}
			if s.CollectRun != "" && !validRunID(s.CollectRun) {
				bad("plan: collect run %q of %s is not a run id", s.CollectRun, s.Source)
			}
		}
		for _, id := range []string{p.TransformRun, p.ScoreRun, p.PublishRun} {
			if id != "" && !validRunID(id) {
				bad("plan: run %q is not a run id", id)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w runs/%s.json: %s — fhi did not write it; move it out of the lake's runs/ directory", ErrBadManifest, fileID, strings.Join(errs, "; "))
	}
	return nil
}

// beginRun writes the manifest of a new run in status running.
func (l *Lake) beginRun(stage, source string, upstream []string) (*Manifest, error) {
	if err := l.writable(); err != nil {
		return nil, err
	}
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

// finishRun stamps the outcome and writes the manifest for good. A stage that committed to the
// database publishes the readers' snapshot first, so a reader that sees the run succeeded finds its
// rows; when that fails, so does the run.
func (l *Lake) finishRun(m *Manifest, err error, interrupted bool) error {
	var snapErr error
	if err == nil && (m.Stage == StageTransform || m.Stage == StageScore || m.Stage == StagePublish) {
		snapErr = l.publishSnapshot(m.RunID)
		err = snapErr
	}
	now := time.Now().UTC()
	m.FinishedAt = &now
	m.Progress = nil
	switch {
	case err == nil:
		m.Status = StatusSucceeded
	case interrupted:
		m.Status, m.Error = StatusInterrupted, err.Error()
	default:
		m.Status, m.Error = StatusFailed, err.Error()
	}
	if err := l.writeManifest(m); err != nil {
		return errors.Join(snapErr, err)
	}
	l.emitLineage(m) // OpenLineage COMPLETE, FAIL or ABORT
	return snapErr
}

func (l *Lake) writeManifest(m *Manifest) error {
	if err := l.writable(); err != nil {
		return err
	}
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
		return nil, fmt.Errorf("%w %s: %w", ErrBadManifest, l.manifestPath(runID), err)
	}
	if err := m.validate(runID); err != nil {
		return nil, err
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
		id := strings.TrimSuffix(name, ".json")
		if !validRunID(id) {
			return nil, fmt.Errorf("%w runs/%s: not a run id fhi makes — move the file out of the lake's runs/ directory", ErrBadManifest, name)
		}
		m, err := l.Run(id)
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
