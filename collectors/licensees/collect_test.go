package licensees

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/collectors/sampleweb"
)

type memWriter struct {
	mu   sync.Mutex
	recs []collectors.Record
}

func (m *memWriter) Write(_ context.Context, r collectors.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
	return nil
}

// TestCollectSampleWeb crawls the sample web and checks one record per listed firm, as the
// world's own counts say.
func TestCollectSampleWeb(t *testing.T) {
	srv, err := sampleweb.Start("127.0.0.1:0", sampleweb.Options{Seed: 1, Scale: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	src, err := collectors.Default.Lookup("licensees")
	if err != nil {
		t.Fatal(err)
	}
	arch, err := collectors.OpenArchive(t.TempDir(), "run1")
	if err != nil {
		t.Fatal(err)
	}
	opts := collectors.DefaultOptions()
	opts.Parallelism, opts.Delay, opts.RandomDelay = 2, 0, 0
	opts.RequestTimeout = 5 * time.Second
	opts.Retry = collectors.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Second}
	w := &memWriter{}
	base := srv.URL() + "/licensees"
	crawl, err := collectors.NewCrawl(t.Context(), src, base, arch, w, opts)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := src.New(collectors.Config{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	if err := crawl.Run(coll); err != nil {
		t.Fatalf("crawl: %v", err)
	}
	if err := arch.Close(); err != nil {
		t.Fatal(err)
	}
	if f := crawl.Failures(); len(f) > 0 {
		t.Errorf("got failures %+v, want none", f)
	}
	got := map[string]int{}
	keys := map[string]bool{}
	for _, r := range w.recs {
		got[r.Fields["sector"]]++
		if keys[r.Key] {
			t.Errorf("duplicate key %q", r.Key)
		}
		keys[r.Key] = true
		if r.WARCFile == "" || r.BodySHA256 == "" {
			t.Errorf("record %q without lineage: %+v", r.Key, r.Lineage)
		}
	}
	counts := srv.World().Counts()
	for _, s := range Sectors {
		if want := counts["licensees/"+s]; got[s] != want || want == 0 {
			t.Errorf("%s: got %d records, want %d (truth counts.json)", s, got[s], want)
		}
	}
}
