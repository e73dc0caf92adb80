package collectors

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ArchiveFile is a finished WARC file of an archive, durable on disk.
type ArchiveFile struct {
	Name   string // base name in the archive's directory
	Bytes  int64
	SHA256 string
}

// Cut closes the archive's current file and returns, synced to disk, every file finished since
// the last Cut: a batch boundary of a worker, whose commit must name only durable files. The
// archive goes on writing into a new file.
func (a *Archive) Cut() ([]ArchiveFile, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.w.Rotate(); err != nil {
		return nil, fmt.Errorf("closing the archive file of %s: %w", a.dir, err)
	}
	paths, err := filepath.Glob(filepath.Join(a.dir, a.prefix+"-*.warc.gz"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	if a.cut == nil {
		a.cut = map[string]bool{}
	}
	var out []ArchiveFile
	for _, p := range paths {
		name := filepath.Base(p)
		if a.cut[name] || !strings.HasPrefix(name, a.prefix+"-") {
			continue
		}
		f, err := hashSynced(p)
		if err != nil {
			return nil, err
		}
		a.cut[name] = true
		out = append(out, f)
	}
	return out, nil
}

// hashSynced fsyncs the file at path and returns its size and SHA-256.
func hashSynced(path string) (ArchiveFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return ArchiveFile{}, fmt.Errorf("syncing %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return ArchiveFile{}, fmt.Errorf("syncing %s: %w", path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ArchiveFile{}, fmt.Errorf("hashing %s: %w", path, err)
	}
	return ArchiveFile{Name: filepath.Base(path), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// HashFile syncs the file at path to disk and returns its size and SHA-256: what a commit
// records of each file it names.
func HashFile(path string) (ArchiveFile, error) { return hashSynced(path) }

// Dir is the directory the archive writes into.
func (a *Archive) Dir() string { return a.dir }
