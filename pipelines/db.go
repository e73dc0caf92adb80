package pipelines

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" database/sql driver
)

// openDB opens the lake's DuckDB database. A writing lake opens fhi.duckdb itself (DuckDB allows
// one writing process per file; the lake lock already guarantees that). A read-only lake opens the
// readers' snapshot, read-only: DuckDB keeps every other process off a file a writer has open, and
// a reader holding fhi.duckdb would in turn keep the nightly writer out.
func (l *Lake) openDB() (*sql.DB, error) {
	if !l.readOnly {
		return openDuckDB(l.DBPath(), false)
	}
	// The writer may switch snapshots and remove the old one between reading the pointer and
	// opening the file; the next read of the pointer names the new one.
	var lastErr error
	for range 3 {
		path, err := l.currentSnapshot()
		if errors.Is(err, errNoSnapshot) {
			return l.openLegacyDB()
		}
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); err != nil {
			lastErr = err
			continue
		}
		db, err := openDuckDB(path, true)
		if err == nil {
			return db, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// openLegacyDB reads a lake whose writer has published no snapshot yet (a lake from an older fhi):
// its database, read-only, which works only while no writer holds it.
func (l *Lake) openLegacyDB() (*sql.DB, error) {
	if _, err := os.Stat(l.DBPath()); err != nil {
		// No stage has written the database: in particular, nothing is published.
		return nil, ErrNotPublished
	}
	db, err := openDuckDB(l.DBPath(), true)
	if err != nil {
		return nil, fmt.Errorf("%w — the lake has no readers' snapshot yet; the writer publishes one after its next transform, score or publish", err)
	}
	return db, nil
}

// hasDB reports whether openDB has anything to open.
func (l *Lake) hasDB() bool {
	if l.readOnly {
		if _, err := l.currentSnapshot(); err == nil {
			return true
		}
	}
	_, err := os.Stat(l.DBPath())
	return err == nil
}

func openDuckDB(path string, readOnly bool) (*sql.DB, error) {
	dsn := path
	if readOnly {
		dsn += "?access_mode=read_only"
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return db, nil
}

// Readers' snapshots: after every committed transform, score, publish and prune the writer copies
// the closed database to snapshots/fhi-<tag>.duckdb and then switches the pointer file
// snapshots/CURRENT to it (both by rename), so a reader opens one consistent database or the one
// before, never a half-written one, and never touches the file the writer holds. The current and
// the previous snapshot are kept; older ones are removed (a reader that still has one open keeps
// reading it: the file lives until it is closed).
const (
	snapshotsDir    = "snapshots"
	snapshotPointer = "CURRENT"
	snapshotsKept   = 2
)

var errNoSnapshot = errors.New("pipelines: no snapshot published")

func (l *Lake) snapshotDir() string { return filepath.Join(l.Root, snapshotsDir) }

// currentSnapshot returns the path of the snapshot the pointer names.
func (l *Lake) currentSnapshot() (string, error) {
	b, err := os.ReadFile(filepath.Join(l.snapshotDir(), snapshotPointer))
	if errors.Is(err, os.ErrNotExist) {
		return "", errNoSnapshot
	}
	if err != nil {
		return "", fmt.Errorf("reading the snapshot pointer: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, "fhi-") || !strings.HasSuffix(name, ".duckdb") || filepath.Base(name) != name {
		return "", fmt.Errorf("snapshot pointer %s names %q, not a snapshot — delete the pointer; the writer's next stage publishes a new one",
			filepath.Join(l.snapshotDir(), snapshotPointer), name)
	}
	return filepath.Join(l.snapshotDir(), name), nil
}

// publishSnapshot copies the database (which must have no open connection in this process) for
// readers and switches the pointer to the copy. A lake without a database has nothing to publish.
func (l *Lake) publishSnapshot(tag string) error {
	if _, err := os.Stat(l.DBPath()); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	// A write-ahead log left by a crash holds committed data the main file lacks: fold it in.
	if _, err := os.Stat(l.DBPath() + ".wal"); err == nil {
		db, err := openDuckDB(l.DBPath(), false)
		if err != nil {
			return fmt.Errorf("checkpointing before the readers' snapshot: %w", err)
		}
		_, err = db.Exec("CHECKPOINT")
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("checkpointing before the readers' snapshot: %w", err)
		}
	}
	dir := l.snapshotDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("publishing the readers' snapshot: %w", err)
	}
	name := fmt.Sprintf("fhi-%s-%s.duckdb", time.Now().UTC().Format("20060102T150405.000000000Z"), tag)
	if err := copyFileAtomic(l.DBPath(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("publishing the readers' snapshot: %w", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, snapshotPointer), []byte(name+"\n")); err != nil {
		return fmt.Errorf("publishing the readers' snapshot: %w", err)
	}
	return l.removeOldSnapshots(name)
}

// removeOldSnapshots keeps the current snapshot and the one before it. Names sort by their time.
func (l *Lake) removeOldSnapshots(current string) error {
	paths, err := filepath.Glob(filepath.Join(l.snapshotDir(), "fhi-*.duckdb"))
	if err != nil {
		return err
	}
	sort.Strings(paths)
	var older []string
	for _, p := range paths {
		if filepath.Base(p) < current {
			older = append(older, p)
		}
	}
	for len(older) > snapshotsKept-1 {
		if err := os.Remove(older[0]); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing old snapshot: %w", err)
		}
		older = older[1:]
	}
	return nil
}

// copyFileAtomic copies src to dst through a synced temporary file and a rename. On Linux the
// copy is copy_file_range (a reflink on filesystems that have them), not a pass through user space.
func copyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	_, err = io.Copy(tmp, in)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// DuckDBVersion is the version of the DuckDB library linked in, e.g. "v1.5.0 (source 3a3967aa81)",
// for fhi version.
func DuckDBVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var version, source string
	if err := db.QueryRowContext(ctx, `SELECT library_version, source_id FROM pragma_version()`).Scan(&version, &source); err != nil {
		return "", fmt.Errorf("reading the DuckDB version: %w", err)
	}
	return version + " (source " + source + ")", nil
}
