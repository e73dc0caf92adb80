package pipelines

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrLakeBusy is returned when another fhi process holds the lake.
var ErrLakeBusy = errors.New("pipelines: lake is in use by another fhi process")

// ErrNotLake is returned by OpenLakeReadOnly for a path that holds no lake.
var ErrNotLake = errors.New("pipelines: not a lake")

// ErrReadOnly is returned by a writing stage on a lake opened with OpenLakeReadOnly.
var ErrReadOnly = errors.New("pipelines: lake is open read-only")

// Lake is an opened lake directory: for writing (OpenLake, one process at a time) or for reading
// (OpenLakeReadOnly, any number of processes, while a writer works).
type Lake struct {
	Root     string
	lock     *os.File
	readOnly bool
	lineage  *lineageEvents // OpenLineage delivery (lineage_events.go)
}

// OpenLake opens (creating if needed) the lake at root and takes its lock; Close releases it.
func OpenLake(root string) (*Lake, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolving lake path %q: %w", root, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("lake path %s is a file, not a directory: pass --lake a directory (it is created if missing)", abs)
	}
	for _, d := range []string{"raw", "archive", "runs", "published"} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o755); err != nil {
			return nil, fmt.Errorf("creating lake directory: %w", err)
		}
	}
	f, err := os.OpenFile(filepath.Join(abs, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lake lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w (%s): wait for it to finish (fhi status shows its progress); reading commands work meanwhile", ErrLakeBusy, abs)
	}
	l := &Lake{Root: abs, lock: f}
	// A lake from before readers' snapshots existed gets its first one now, so readers never
	// need the database file the writer holds.
	if _, err := l.currentSnapshot(); errors.Is(err, errNoSnapshot) {
		if err := l.publishSnapshot("open"); err != nil {
			f.Close()
			return nil, err
		}
	}
	return l, nil
}

// OpenLakeReadOnly opens the lake at root for reading: it takes no lock and creates nothing, so it
// works while another process writes the lake and on a read-only directory. Database reads go to
// the snapshot the writer last published (see publishSnapshot). A path that holds no lake is an
// ErrNotLake error.
func OpenLakeReadOnly(root string) (*Lake, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("resolving lake path %q: %w", root, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%w: %s does not exist — check --lake (or $FHI_LAKE); `fhi run` creates a lake", ErrNotLake, abs)
	case err != nil:
		return nil, fmt.Errorf("opening lake %s: %w", abs, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("%w: %s is a file, not a directory — check --lake", ErrNotLake, abs)
	}
	if fi, err := os.Stat(filepath.Join(abs, "runs")); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s has no runs/ directory — check --lake (or $FHI_LAKE); `fhi run` creates a lake", ErrNotLake, abs)
	}
	return &Lake{Root: abs, readOnly: true}, nil
}

// ReadOnly reports whether the lake was opened with OpenLakeReadOnly.
func (l *Lake) ReadOnly() bool { return l.readOnly }

// writable fails on a read-only lake; every stage that writes calls it first.
func (l *Lake) writable() error {
	if l.readOnly {
		return fmt.Errorf("%w (%s): open it with OpenLake to run a stage", ErrReadOnly, l.Root)
	}
	return nil
}

// Close releases the lake's lock.
func (l *Lake) Close() error {
	if l.lock == nil {
		return nil
	}
	err := l.lock.Close() // closing the descriptor drops the flock
	l.lock = nil
	return err
}

// DBPath is the DuckDB database file.
func (l *Lake) DBPath() string { return filepath.Join(l.Root, "fhi.duckdb") }

// RawDir is the partition of one collect run; rawTempDir is where it is written before the rename.
func (l *Lake) RawDir(source, runID string) string {
	return filepath.Join(l.Root, "raw", source, "run="+runID)
}

func (l *Lake) rawTempDir(source, runID string) string {
	return filepath.Join(l.Root, "raw", source, ".tmp-run="+runID)
}

// rejectedDir keeps the failures.json and pages.json of a collect run that published no partition
// (no records, or refused by the health gate), for fhi quality and for fixing the spec.
func (l *Lake) rejectedDir(source, runID string) string {
	return filepath.Join(l.Root, "raw", source, "rejected-run="+runID)
}

// ArchiveDir holds one source's WARC files.
func (l *Lake) ArchiveDir(source string) string { return filepath.Join(l.Root, "archive", source) }

func (l *Lake) runsDir() string      { return filepath.Join(l.Root, "runs") }
func (l *Lake) publishedDir() string { return filepath.Join(l.Root, "published") }

// Rel returns path relative to the lake root, for manifests that stay valid when a lake is moved.
// A file outside the lake (an analyst's SQL step, read as an input) keeps its absolute path.
func (l *Lake) Rel(path string) string {
	if r, err := filepath.Rel(l.Root, path); err == nil && filepath.IsLocal(r) {
		return r
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// Abs resolves a lake-relative path (an absolute one, a file outside the lake, stays as it is).
func (l *Lake) Abs(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(l.Root, rel)
}

// inside reports whether path is the lake root or below it: the last check before anything is
// deleted.
func (l *Lake) inside(path string) bool {
	rel, err := filepath.Rel(l.Root, filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// WriteFileAtomic writes data to path through a synced temporary file and a rename, so a reader
// never sees a partial file.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// CreateTemp makes the file private; lake files are meant to be shared and audited.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("renaming into %s: %w", path, err)
	}
	return nil
}
