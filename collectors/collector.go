package collectors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"sync"
	"time"
)

// ErrUnknownSource is returned by [Registry.Lookup] for a name no source registered.
var ErrUnknownSource = errors.New("collectors: unknown source")

// A Collector fetches one source through crawl and emits its records; it returns promptly once ctx
// is done. A page it cannot parse is quarantined with crawl.Quarantine, never dropped silently.
type Collector interface {
	Collect(ctx context.Context, crawl *Crawl) error
}

// Config points a source at its site.
type Config struct {
	// BaseURL is the site's root, e.g. "http://127.0.0.1:8080/p2p" for the sample web.
	BaseURL string
}

// Source describes one registered source.
type Source struct {
	// Name is the source's one name: its package, registry key, config key and lake directory.
	Name        string
	Description string
	// Site is the sample-web site this source crawls by default.
	Site string
	// Fields are the raw fields every record of this source may carry, in column order.
	Fields []string
	// AllowedHosts are hosts besides the base URL's the source fetches from (exact, host:port or
	// *.example.com).
	AllowedHosts []string
	// Charset, if set, overrides the charset the site's pages declare.
	Charset string
	// AlwaysFetch, if set, tells list pages (fetched every run, they reveal new and changed items)
	// from detail pages (revisited on an adaptive schedule by incremental runs).
	AlwaysFetch func(u *url.URL) bool
	// New builds a collector for one run.
	New func(Config) (Collector, error)
	// Probe, if set, shows what the source extracts from one page (fhi probe): for fixing a spec
	// against a changed page.
	Probe func(pageURL *url.URL, body []byte) (Probe, error)
	// ProbeRequest, if set, is the request a crawl sends for a page URL (an AJAX list's POST form
	// and headers), so that fhi probe sends the same.
	ProbeRequest func(pageURL *url.URL) (Request, error)
}

// Probe is what a source extracts from one page.
type Probe struct {
	Page     string              `json:"page"` // which kind of page the URL was taken for
	Items    []map[string]string `json:"items"`
	Keys     []string            `json:"keys"`
	Links    []string            `json:"links"`
	Problems []string            `json:"problems"`
}

// Registry maps source names to sources. The package-level registry is filled by init functions;
// tests build their own with [NewRegistry].
type Registry struct {
	mu      sync.RWMutex
	sources map[string]Source
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{sources: map[string]Source{}} }

// Register adds s. It panics on a duplicate or incomplete source: that is a programming error
// caught the moment the binary starts.
func (r *Registry) Register(s Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.Name == "" || s.New == nil || len(s.Fields) == 0 {
		panic(fmt.Sprintf("collectors: registering incomplete source %q", s.Name))
	}
	if _, dup := r.sources[s.Name]; dup {
		panic(fmt.Sprintf("collectors: source %q registered twice", s.Name))
	}
	r.sources[s.Name] = s
}

// Replace adds s or replaces the source of the same name: an edited spec file overrides the
// embedded one.
func (r *Registry) Replace(s Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.Name == "" || s.New == nil || len(s.Fields) == 0 {
		panic(fmt.Sprintf("collectors: registering incomplete source %q", s.Name))
	}
	r.sources[s.Name] = s
}

// Lookup returns the source called name.
func (r *Registry) Lookup(name string) (Source, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.sources[name]
	if !ok {
		return Source{}, fmt.Errorf("%w %q (known: %v)", ErrUnknownSource, name, r.namesLocked())
	}
	return s, nil
}

// Sources returns every registered source, sorted by name.
func (r *Registry) Sources() []Source {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Source, 0, len(r.sources))
	for _, s := range r.sources {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Registry) namesLocked() []string {
	names := make([]string, 0, len(r.sources))
	for n := range r.sources {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Default is the registry that sources join from their init functions.
var Default = NewRegistry()

// Register adds s to the default registry.
func Register(s Source) { Default.Register(s) }

// Lineage says where a record came from: enough to find the exact bytes it was extracted from.
type Lineage struct {
	URL        string
	FetchedAt  time.Time
	HTTPStatus int
	BodySHA256 string // hex SHA-256 of the response body as archived
	// WARCFile is the archive file relative to the archive root it was written under,
	// WARCOffset the byte offset of the response record's gzip member in it.
	WARCFile     string
	WARCOffset   int64
	WARCRecordID string
}

// Record is one extracted item with its lineage.
type Record struct {
	// Key is the item's natural key within its source (a platform id, a deal URL).
	Key string
	// Fields holds raw values as the page shows them; an absent key is a missing field (null).
	Fields map[string]string
	Lineage
}

// RecordID is the stable identity of a record: a hash of its source and natural key, equal across
// runs so records can be followed from run to run.
func RecordID(source, key string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + key))
	return hex.EncodeToString(sum[:16])
}

// A RecordWriter takes records; it must be safe for concurrent use.
type RecordWriter interface {
	Write(ctx context.Context, r Record) error
}
