package pipelines

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// startFullSampleWeb serves a sample web and returns collect options for every source, crawled as
// fhi run crawls it.
func startFullSampleWeb(t *testing.T, scale float64) CollectOptions {
	t.Helper()
	opts := startSampleWeb(t, scale)
	opts.Sources = nil // every source with a site
	return opts
}

// scoreRunID is the score run id the published scores.csv names in its score_run column: the one
// thing two runs over the same data publish differently.
var scoreRunID = regexp.MustCompile(`score-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}`)

// publishedCSV is the published scores.csv with its score run id masked.
func publishedCSV(t *testing.T, lake *Lake) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(lake.publishedDir(), "scores.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return scoreRunID.ReplaceAll(b, []byte("score-RUN"))
}

// cancelWhenArchiving cancels ctx once source's archive holds at least minBytes: an interruption in
// the middle of that source's crawl (or, if it finished too fast to be seen, right after it).
func cancelWhenArchiving(ctx context.Context, cancel context.CancelFunc, lake *Lake, source string, minBytes int64) {
	go func() {
		for ctx.Err() == nil {
			files, _ := filepath.Glob(filepath.Join(lake.ArchiveDir(source), "*.warc.gz*"))
			for _, f := range files {
				if fi, err := os.Stat(f); err == nil && fi.Size() >= minBytes {
					cancel()
					return
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
}

// TestRunAllResume interrupts a pipeline run early, midway and late in its collect stage; RunAll
// with Resume finishes the interrupted sources, collects the ones never started, and publishes
// scores byte-identical to an uninterrupted run's.
func TestRunAllResume(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls every source four times")
	}
	opts := startFullSampleWeb(t, 0.1)
	whole := openTestLake(t)
	if _, err := whole.RunAll(t.Context(), RunOptions{Collect: opts}); err != nil {
		t.Fatal(err)
	}
	want := publishedCSV(t, whole)

	for _, point := range []struct{ name, source string }{{"early", "baidu_heat"}, {"mid", "jobs"}, {"late", "vc"}} {
		t.Run(point.name, func(t *testing.T) {
			lake := openTestLake(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			cancelWhenArchiving(ctx, cancel, lake, point.source, 4096)
			res, err := lake.RunAll(ctx, RunOptions{Collect: opts})
			if err == nil {
				t.Fatal("the interrupted run succeeded")
			}
			if res.Run.Status != StatusInterrupted || res.Publish != nil {
				t.Fatalf("interrupted pipeline run: status %s, published %v", res.Run.Status, res.Publish != nil)
			}
			var pending, unfinished int
			for _, ps := range res.Run.Plan.Sources {
				switch ps.State {
				case SourcePending:
					pending++
				case StatusInterrupted:
					unfinished++
				}
			}
			t.Logf("interrupted at %s: %d sources pending, %d interrupted", point.source, pending, unfinished)
			if point.name != "late" && pending == 0 {
				t.Errorf("no source was left unstarted: %+v", res.Run.Plan.Sources)
			}

			resumed, err := lake.RunAll(t.Context(), RunOptions{Resume: true, Collect: opts})
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if resumed.Run.RunID != res.Run.RunID || resumed.Run.Status != StatusSucceeded || len(resumed.Run.Plan.ResumedAt) != 1 {
				t.Errorf("resume made pipeline run %s (%s), want %s finished", resumed.Run.RunID, resumed.Run.Status, res.Run.RunID)
			}
			for _, ps := range resumed.Run.Plan.Sources {
				if ps.State != StatusSucceeded || !slices.Contains(resumed.Transform.Upstream, ps.CollectRun) {
					t.Errorf("source %s: %s, run %s; want succeeded and transformed", ps.Source, ps.State, ps.CollectRun)
				}
			}
			if got := publishedCSV(t, lake); !bytes.Equal(got, want) {
				t.Errorf("resumed run published scores differing from an uninterrupted run's:\n%s\nwant:\n%s", got, want)
			}
			if _, err := lake.RunAll(t.Context(), RunOptions{Resume: true, Collect: opts}); !errors.Is(err, ErrNothingToResume) {
				t.Errorf("a second resume: %v, want ErrNothingToResume", err)
			}
		})
	}
}

// TestCollectResumeIgnoresFinishedSources: fhi collect --resume finishes the unfinished source and
// succeeds although another source's latest run succeeded.
func TestCollectResumeIgnoresFinishedSources(t *testing.T) {
	opts := startFullSampleWeb(t, 0.1)
	lake := openTestLake(t)
	finished := opts
	finished.Sources = []string{"city_stats"}
	if _, err := lake.Collect(t.Context(), finished); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cancelWhenArchiving(ctx, cancel, lake, "p2p", 4096)
	interrupted := opts
	interrupted.Sources = []string{"p2p"}
	if _, err := lake.Collect(ctx, interrupted); err == nil {
		t.Fatal("interrupted collect succeeded")
	}
	opts.Sources = []string{"city_stats", "p2p"}
	res, err := lake.Collect(t.Context(), CollectOptions{Resume: true, BaseURLs: opts.BaseURLs, Crawl: opts.Crawl})
	if err != nil {
		t.Fatalf("collect --resume: %v", err)
	}
	if len(res.Runs) != 1 || res.Runs[0].Source != "p2p" || res.Runs[0].Status != StatusSucceeded {
		t.Errorf("resumed %+v, want p2p succeeded", res.Runs)
	}
	res, err = lake.Collect(t.Context(), CollectOptions{Resume: true, Sources: opts.Sources, BaseURLs: opts.BaseURLs, Crawl: opts.Crawl})
	if err != nil || len(res.Runs) != 0 || !slices.Equal(res.NothingToResume, opts.Sources) {
		t.Errorf("a second collect --resume: %v, %+v; want nothing to resume and no error", err, res)
	}
}

// TestScoreRefusesMissingSources: a ranking must not quietly lack the indicators of a source that
// was never collected. Score and publish refuse, naming the sources, unless AllowPartial; the
// pipeline run says which sources have no data at all.
func TestScoreRefusesMissingSources(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.05)
	res, err := lake.RunAll(t.Context(), RunOptions{Collect: opts})
	var missing *MissingSourcesError
	if !errors.As(err, &missing) || !errors.Is(err, ErrMissingSources) || res.Publish != nil {
		t.Fatalf("RunAll of p2p alone: %v, want a *MissingSourcesError and nothing published", err)
	}
	if slices.Contains(missing.Sources, "p2p") || !slices.Contains(missing.Sources, "vc") || !strings.Contains(err.Error(), "--allow-partial") {
		t.Errorf("missing sources %v (%v): want every framework source but p2p, and the way out", missing.Sources, err)
	}
	if _, _, err := lake.Score(t.Context(), ScoreOptions{}); !errors.Is(err, ErrMissingSources) {
		t.Errorf("Score alone: %v, want ErrMissingSources", err)
	}
	sm, _, err := lake.Score(t.Context(), ScoreOptions{AllowPartial: true})
	if err != nil {
		t.Fatal(err)
	}
	if sm.Params["allow_partial"] != "true" || !strings.Contains(sm.Params["missing_sources"], "vc") {
		t.Errorf("score manifest params %v: want the decision and the missing sources recorded", sm.Params)
	}
	if _, err := lake.Publish(t.Context(), sm.RunID); err != nil {
		t.Errorf("publishing a score run made with AllowPartial: %v", err)
	}
	need, err := FrameworkSources()
	if err != nil || len(need) != 16 || !slices.Contains(need, "survey") {
		t.Errorf("FrameworkSources = %v, %v; want the 16 sources the transform steps read", need, err)
	}
}

// TestCollectGroupsByHost: sources on different hosts crawl at the same time; sources on one host
// one after another, so politeness per host holds across sources.
func TestCollectGroupsByHost(t *testing.T) {
	a, b := startFullSampleWeb(t, 0.05), startFullSampleWeb(t, 0.05)
	slow := func(o CollectOptions) CollectOptions {
		o.Crawl.Parallelism, o.Crawl.Delay = 1, 5*time.Millisecond
		return o
	}
	overlap := func(ms []*Manifest) bool {
		return ms[0].StartedAt.Before(*ms[1].FinishedAt) && ms[1].StartedAt.Before(*ms[0].FinishedAt)
	}
	var mu sync.Mutex
	reported := map[string]bool{}
	progress := func(p SourceProgress) {
		mu.Lock()
		defer mu.Unlock()
		reported[p.Source] = true
	}

	oneHost := slow(a)
	oneHost.Sources, oneHost.Progress = []string{"city_stats", "city_reports"}, progress // both on the city site
	res, err := openTestLake(t).Collect(t.Context(), oneHost)
	if err != nil {
		t.Fatal(err)
	}
	if overlap(res.Runs) {
		t.Error("two sources of one host crawled at the same time")
	}
	if !reported["city_stats"] || !reported["city_reports"] {
		t.Errorf("progress named %v, want both sources", reported)
	}

	twoHosts := slow(a)
	twoHosts.Sources = []string{"city_stats", "city_reports"}
	twoHosts.BaseURLs["city_reports"] = b.BaseURLs["city_reports"]
	res, err = openTestLake(t).Collect(t.Context(), twoHosts)
	if err != nil {
		t.Fatal(err)
	}
	if !overlap(res.Runs) {
		t.Errorf("sources on two hosts crawled one after another: %s–%s and %s–%s",
			res.Runs[0].StartedAt, res.Runs[0].FinishedAt, res.Runs[1].StartedAt, res.Runs[1].FinishedAt)
	}
	if res.Runs[0].Source != "city_reports" || res.Runs[1].Source != "city_stats" {
		t.Errorf("runs not in source order: %s, %s", res.Runs[0].Source, res.Runs[1].Source)
	}
	if hostKey(collectJob{baseURL: "HTTP://Example.org/p2p"}, false) != hostKey(collectJob{baseURL: "http://example.org:80/vc"}, false) {
		t.Error("the default port and case make two hosts of one")
	}
}

// TestLossesAreReported: a run where some URLs failed for good still succeeds, and says so: its
// Losses name the source and the count, and LossesErr turns them into the error fhi exits 3 on.
func TestLossesAreReported(t *testing.T) {
	_, opts := serveSampleWeb(t, sampleweb.Options{Seed: 1, Scale: 0.1, Faults: sampleweb.Faults{ServerErrorRate: 0.05}})
	opts.Sources = []string{"p2p"}
	opts.Crawl.Retry.MaxAttempts = 1 // every 5xx is for good
	lake := openTestLake(t)
	res, err := lake.RunAll(t.Context(), RunOptions{Collect: opts, AllowPartial: true})
	if err != nil {
		t.Fatalf("RunAll with failing URLs: %v", err)
	}
	if len(res.Losses) != 1 || res.Losses[0].Source != "p2p" || res.Losses[0].FailedURLs == 0 {
		t.Fatalf("losses %+v, want p2p's failed URLs", res.Losses)
	}
	lerr := LossesErr(res.Losses)
	if !errors.Is(lerr, ErrSucceededWithLosses) || !strings.Contains(lerr.Error(), "failed for good") || !strings.Contains(lerr.Error(), "fhi quality") {
		t.Errorf("LossesErr: %v", lerr)
	}
	if LossesErr(nil) != nil {
		t.Error("LossesErr(nil) is not nil")
	}
}
