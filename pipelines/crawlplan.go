package pipelines

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/fhi-index/fhi/collectors"
)

// crawlPlan is what the workers of a distributed crawl read from the frontier (Frontier.Plan):
// which collect run each source's results belong to, where its site is, and the crawl settings.
// The settings travel with the run because politeness holds globally only if every worker applies
// the same; credentials never do (each worker reads its own, see collectors.HeadersFromEnv).
type crawlPlan struct {
	Version int `json:"version"`
	// Lake is the coordinator's path to the lake, for messages: each worker reaches the shared
	// lake through its own mount (--lake).
	Lake    string                  `json:"lake"`
	Sources map[string]plannedCrawl `json:"sources"`
	Crawl   collectors.Options      `json:"crawl"`
}

// plannedCrawl is one source of a distributed crawl.
type plannedCrawl struct {
	RunID        string   `json:"run_id"`
	BaseURL      string   `json:"base_url"`
	AllowedHosts []string `json:"allowed_hosts,omitempty"`
}

const crawlPlanVersion = 1

// portableCrawlOptions keeps what can cross to other processes: no credentials, no archive to
// replay, no revisit schedule (incremental runs stay on one machine).
func portableCrawlOptions(o collectors.Options) collectors.Options {
	o.Headers, o.Replay, o.Revalidate, o.Schedule, o.Offline = nil, nil, nil, nil, false
	return o
}

func decodeCrawlPlan(run string, b json.RawMessage) (*crawlPlan, error) {
	var p crawlPlan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("reading the plan of frontier run %s: %w", run, err)
	}
	if p.Version != crawlPlanVersion {
		return nil, fmt.Errorf("frontier run %s has a plan of version %d; this fhi reads version %d: run workers of the coordinator's version", run, p.Version, crawlPlanVersion)
	}
	for name, s := range p.Sources {
		if err := collectors.ValidSourceName(name); err != nil {
			return nil, fmt.Errorf("the plan of frontier run %s: %w", run, err)
		}
		if !validRunID(s.RunID) {
			return nil, fmt.Errorf("the plan of frontier run %s: source %s: %q is not a run id", run, name, s.RunID)
		}
	}
	if err := p.Crawl.Validate(); err != nil {
		return nil, fmt.Errorf("the plan of frontier run %s: crawl settings: %w", run, err)
	}
	return &p, nil
}

// Paths of a distributed crawl's files. Workers write under the run's temporary partition, each
// in a directory of its own (one writer per file), and their WARC files beside the others in the
// source's archive directory, named after the run, the worker and the slot:
//
//	raw/SRC/.tmp-run=RUN/workers/WORKER/bNNNNNN-00000.parquet  records of one batch
//	raw/SRC/.tmp-run=RUN/workers/WORKER/bNNNNNN.json           its failures and page index
//	archive/SRC/RUN-WORKER-SLOT-NNNNN.warc.gz                  its responses

func (l *Lake) workersDir(source, runID string) string {
	return filepath.Join(l.rawTempDir(source, runID), "workers")
}

func (l *Lake) workerDir(source, runID, worker string) string {
	return filepath.Join(l.workersDir(source, runID), worker)
}

// batchFiles is what one batch wrote for one source.
type batchFiles struct {
	Failures []collectors.Failure      `json:"failures"`
	Pages    []collectors.ArchivedPage `json:"pages"`
}

// commitPath is a file's name in a commit: relative to the lake root, slash-separated.
func (l *Lake) commitPath(p string) string { return filepath.ToSlash(l.Rel(p)) }

// committedFile resolves a file a commit names and checks it is one of source's files of the
// run: a commit is read from Redis and could name anything.
func (l *Lake) committedFile(source, runID, name string) (abs string, kind string, err error) {
	clean := path.Clean(name)
	if clean != name || strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "..") {
		return "", "", fmt.Errorf("file %q is not a clean lake path", name)
	}
	abs = l.Abs(filepath.FromSlash(clean))
	if !l.inside(abs) {
		return "", "", fmt.Errorf("file %q is outside the lake", name)
	}
	switch {
	case strings.HasPrefix(abs, l.workersDir(source, runID)+string(filepath.Separator)):
		switch {
		case strings.HasSuffix(abs, ".parquet"):
			return abs, "parquet", nil
		case strings.HasSuffix(abs, ".json"):
			return abs, "meta", nil
		}
	case filepath.Dir(abs) == l.ArchiveDir(source) && strings.HasPrefix(filepath.Base(abs), runID+"-") && strings.HasSuffix(abs, ".warc.gz"):
		return abs, "warc", nil
	}
	return "", "", fmt.Errorf("file %q is not a file of run %s of %s", name, runID, source)
}

// checkWorkerLake checks that this lake is the one the plan's runs were begun in: their temporary
// partitions are there. A worker pointed at another lake would write where nobody seals.
func (l *Lake) checkWorkerLake(run string, p *crawlPlan) error {
	for name, s := range p.Sources {
		if fi, err := os.Stat(l.workersDir(name, s.RunID)); err != nil || !fi.IsDir() {
			return fmt.Errorf("frontier run %s: this worker's lake %s has no %s: it is not the coordinator's lake (%s), or the run was sealed — point --lake at the lake the coordinator uses, through a shared filesystem",
				run, l.Root, l.Rel(l.workersDir(name, s.RunID)), p.Lake)
		}
	}
	return nil
}
