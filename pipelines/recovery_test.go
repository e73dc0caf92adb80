package pipelines

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// warcFiles lists a run's WARC files.
func warcFiles(t *testing.T, lake *Lake, m *Manifest) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(lake.ArchiveDir(m.Source), m.RunID+"-*.warc.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no WARC files of %s: %v", m.RunID, err)
	}
	return files
}

func truncateHalf(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// TestFromArchiveDamaged: a re-parse of an archive that cannot be read back as indexed fails,
// naming the WARC file and the offset, and publishes nothing.
func TestFromArchiveDamaged(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, lake *Lake, m *Manifest)
		want   string
	}{
		{"truncated WARC", func(t *testing.T, lake *Lake, m *Manifest) { truncateHalf(t, warcFiles(t, lake, m)[0]) }, ""},
		{"missing WARC", func(t *testing.T, lake *Lake, m *Manifest) {
			if err := os.Remove(warcFiles(t, lake, m)[0]); err != nil {
				t.Fatal(err)
			}
		}, "no such file"},
		{"body hash mismatch", func(t *testing.T, lake *Lake, m *Manifest) {
			path := filepath.Join(lake.RawDir(m.Source, m.RunID), "pages.json")
			b, _ := os.ReadFile(path)
			var pages []collectors.ArchivedPage
			if err := json.Unmarshal(b, &pages); err != nil {
				t.Fatal(err)
			}
			pages[len(pages)/2].BodySHA256 = strings.Repeat("0", 64)
			b, _ = json.Marshal(pages)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "the page index says 0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lake := openTestLake(t)
			opts := startSampleWeb(t, 0.1)
			first := collectOne(t, lake, opts)
			tt.damage(t, lake, first)
			res, err := lake.Collect(t.Context(), CollectOptions{FromArchive: first.RunID, Crawl: collectors.DefaultOptions()})
			if !errors.Is(err, collectors.ErrArchiveDamaged) {
				t.Fatalf("re-parse of a damaged archive: %v, want collectors.ErrArchiveDamaged", err)
			}
			if !strings.Contains(err.Error(), filepath.Join(lake.ArchiveDir("p2p"), first.RunID)+"-0000") || !strings.Contains(err.Error(), ".warc.gz at offset ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name the WARC file and offset (and %q)", err, tt.want)
			}
			if len(res.Runs) != 1 || res.Runs[0].Status != StatusFailed {
				t.Fatalf("re-parse runs %+v, want one failed run", res.Runs)
			}
			if parts, _ := filepath.Glob(filepath.Join(lake.Root, "raw", "p2p", "run=*")); len(parts) != 1 {
				t.Errorf("partitions %v, want only the first run's", parts)
			}
			if m, _ := lake.LatestRun(StageCollect, "p2p"); m.RunID != first.RunID {
				t.Errorf("latest good run is %s, want the first %s", m.RunID, first.RunID)
			}
		})
	}
}

// TestIncrementalOverDamagedArchive: when the copy a 304 Not Modified confirms cannot be read back,
// the page is downloaded again in full, and the run's records equal a full crawl's.
func TestIncrementalOverDamagedArchive(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.1)
	first := collectOne(t, lake, opts)
	truncateHalf(t, warcFiles(t, lake, first)[0])
	opts.Incremental = true
	second := collectOne(t, lake, opts)
	st := crawlStats(t, second)
	if st.NotModified == 0 || st.ByStatus["200"] == 0 {
		t.Errorf("incremental run over a damaged archive: %d not modified, %d full answers; want both", st.NotModified, st.ByStatus["200"])
	}
	if a, b := recordSet(t, lake, first), recordSet(t, lake, second); a != b {
		t.Error("the incremental run over a damaged archive lost records")
	}
	checkRawLineage(t, lake, second) // every record's bytes read back and hash right
}

// TestFromArchiveFullScale re-parses the full-scale p2p source at the politeness settings of a real
// site (2 requests at a time, 0.5–1 s apart): pages come from disk, so no delay applies and it
// takes seconds, not the hour the delays would add up to. Interrupted, it stops at once and stays
// resumable; resumed, it gives the records of the crawl.
func TestFromArchiveFullScale(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls the full-scale p2p source")
	}
	lake := openTestLake(t)
	crawled := collectOne(t, lake, startSampleWeb(t, 1))
	polite := collectors.DefaultOptions()
	pages := crawlDetails(t, crawled).Pages

	start := time.Now()
	reparse := collectOne(t, lake, CollectOptions{FromArchive: crawled.RunID, Crawl: polite})
	took := time.Since(start)
	t.Logf("re-parsed %d pages, %d records in %s (%.0f pages/s); the politeness delay alone would take %s",
		pages, reparse.Rows, took.Round(time.Millisecond), float64(pages)/took.Seconds(), time.Duration(pages)*750*time.Millisecond/2)
	if took > time.Minute {
		t.Errorf("re-parse took %s, want well under a minute", took)
	}
	if reparse.Rows != crawled.Rows {
		t.Errorf("re-parse has %d records, the crawl %d", reparse.Rows, crawled.Rows)
	}

	t.Run("interrupted, it stops within a second and resumes", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var cancelled time.Time
		res, err := lake.Collect(ctx, CollectOptions{FromArchive: crawled.RunID, Crawl: polite, Progress: func(p SourceProgress) {
			if p.Stats.Records > 200 && cancelled.IsZero() {
				cancelled = time.Now()
				cancel()
			}
		}})
		stopped := time.Since(cancelled)
		if err == nil || cancelled.IsZero() {
			t.Fatalf("interrupted re-parse: %v (cancelled: %v)", err, !cancelled.IsZero())
		}
		t.Logf("stopped %s after the interruption", stopped.Round(time.Millisecond))
		if stopped > time.Second {
			t.Errorf("re-parse took %s to stop after the interruption, want ≤ 1 s", stopped)
		}
		m := res.Runs[0]
		if m.Status != StatusInterrupted || crawlStats(t, m).Replayed == 0 {
			t.Fatalf("interrupted re-parse: status %s, %d replayed", m.Status, crawlStats(t, m).Replayed)
		}
		resumed, err := lake.Collect(t.Context(), CollectOptions{Resume: true, Crawl: polite})
		if err != nil || len(resumed.Runs) != 1 || resumed.Runs[0].RunID != m.RunID || resumed.Runs[0].Status != StatusSucceeded {
			t.Fatalf("resuming the re-parse: %v %+v", err, resumed)
		}
		if a, b := recordSet(t, lake, crawled), recordSet(t, lake, resumed.Runs[0]); a != b {
			t.Error("the resumed re-parse's records differ from the crawl's")
		}
	})
}
