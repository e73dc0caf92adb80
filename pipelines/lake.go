package pipelines

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrLakeBusy is returned when another fhi process holds the lake.
var ErrLakeBusy = errors.New("pipelines: lake is in use by another fhi process")

// Lake is an opened lake directory.
type Lake struct {
	Root    string
	lock    *os.File
	lineage *lineageEvents // OpenLineage delivery (lineage_events.go)
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
		return nil, fmt.Errorf("%w (%s)", ErrLakeBusy, abs)
	}
	return &Lake{Root: abs, lock: f}, nil
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

// ArchiveDir holds one source's WARC files.
func (l *Lake) ArchiveDir(source string) string { return filepath.Join(l.Root, "archive", source) }

func (l *Lake) runsDir() string      { return filepath.Join(l.Root, "runs") }
func (l *Lake) publishedDir() string { return filepath.Join(l.Root, "published") }

// Rel returns path relative to the lake root, for manifests that stay valid when a lake is moved.
func (l *Lake) Rel(path string) string {
	if r, err := filepath.Rel(l.Root, path); err == nil {
		return r
	}
	return path
}

// Abs resolves a lake-relative path.
func (l *Lake) Abs(rel string) string { return filepath.Join(l.Root, rel) }

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
