package pipelines

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fhi-index/fhi/collectors"
	"github.com/fhi-index/fhi/scoring"
)

// SourcePending is the state of a planned source whose collect has not started.
const SourcePending = "pending"

// RunPlan is a pipeline run's state, kept in its manifest (stage "run") and rewritten as it goes:
// which sources it collects and how far each got, then the run of every later stage. It is what
// RunAll with Resume finishes.
type RunPlan struct {
	Sources []PlannedSource `json:"sources"`
	// Incremental, AllowDrop and AllowPartial are the options the run started with; a resumed run
	// keeps them.
	Incremental  bool        `json:"incremental,omitempty"`
	AllowDrop    bool        `json:"allow_drop,omitempty"`
	AllowPartial bool        `json:"allow_partial,omitempty"`
	TransformRun string      `json:"transform_run,omitempty"`
	ScoreRun     string      `json:"score_run,omitempty"`
	PublishRun   string      `json:"publish_run,omitempty"`
	ResumedAt    []time.Time `json:"resumed_at,omitempty"`
}

// PlannedSource is one source of a pipeline run.
type PlannedSource struct {
	Source  string `json:"source"`
	BaseURL string `json:"base_url,omitempty"`
	// State is pending, running, succeeded, failed or interrupted.
	State      string `json:"state"`
	CollectRun string `json:"collect_run,omitempty"`
	Error      string `json:"error,omitempty"`
}

// RunOptions configure a whole pipeline run.
type RunOptions struct {
	Collect   CollectOptions
	Transform TransformOptions
	Score     ScoreOptions
	// Resume finishes the latest unfinished pipeline run instead of starting one: its unfinished
	// sources are resumed (their archived pages replayed), the ones it never started are
	// collected, and its own collect runs are transformed, scored and published — the scores an
	// uninterrupted run publishes. Collect.Resume means the same.
	Resume bool
	// AllowPartial scores and publishes although a source the framework needs has never had a
	// good run (its indicators are left out and listed as missing).
	AllowPartial bool
}

// RunResult holds the manifests of one pipeline run, stage by stage.
type RunResult struct {
	// Run is the pipeline run's own manifest; its Plan says what happened to every source.
	Run       *Manifest
	Collect   []*Manifest
	Transform *Manifest
	Score     *Manifest
	Publish   *Manifest
	Scores    *scoring.Result
	// Losses are what the run set aside while succeeding: URLs that failed for good, quarantined
	// pages and rows. Non-empty on a nil error means "succeeded with losses" (LossesError).
	Losses []Loss
}

// ErrPartialRun says a run published scores although some sources failed to collect: those
// sources' previous good data were used (or, with AllowPartial, none). The run still reports
// failure, so a scheduler alerts.
var ErrPartialRun = errors.New("pipelines: published, but some sources failed to collect")

// ErrNothingToResume is RunAll's answer to Resume in a lake whose pipeline runs all finished.
var ErrNothingToResume = errors.New("pipelines: no unfinished pipeline run to resume")

// RunAll runs collect → transform → score → publish as one pipeline run, recorded in a manifest of
// its own (stage "run") that says which sources it planned and how far each got. A source that
// fails to collect does not stop the others; the transform then uses its latest good run, and
// RunAll returns an ErrPartialRun error after publishing. With Resume it finishes the latest
// unfinished pipeline run instead.
func (l *Lake) RunAll(ctx context.Context, opts RunOptions) (res *RunResult, err error) {
	if err := l.writable(); err != nil {
		return &RunResult{}, err
	}
	res = &RunResult{}
	var jobs []collectJob
	if opts.Resume || opts.Collect.Resume {
		res.Run, jobs, err = l.resumePipelineRun(opts)
	} else {
		res.Run, jobs, err = l.beginPipelineRun(opts)
	}
	if err != nil {
		return res, err
	}
	pr := res.Run
	plan := pr.Plan
	defer func() {
		if ferr := l.finishRun(pr, err, ctx.Err() != nil); ferr != nil && err == nil {
			err = ferr
		}
	}()

	// Collect: every source the plan has not finished, each recorded in the plan as it starts
	// and ends (sources on different hosts at once, hence the lock).
	var mu sync.Mutex
	index := map[string]int{}
	for i, ps := range plan.Sources {
		index[ps.Source] = i
	}
	hook := func(source string, m *Manifest, err error) {
		mu.Lock()
		defer mu.Unlock()
		ps := &plan.Sources[index[source]]
		ps.CollectRun, ps.State, ps.Error = m.RunID, m.Status, ""
		if err != nil {
			ps.Error = err.Error()
		}
		_ = l.writeManifest(pr) // the collect run's own manifest is the record; the plan follows it
	}
	cOpts := opts.Collect
	// A pipeline run over a re-parse (fhi run --from-archive) keeps re-parsing when resumed.
	cOpts.Resume, cOpts.FromArchive = false, pr.Params["from_archive"]
	cOpts.Incremental, cOpts.AllowDrop = plan.Incremental, plan.AllowDrop || opts.Collect.AllowDrop
	_, collectErr := l.runCollectJobs(ctx, jobs, cOpts, hook)
	if ctx.Err() != nil {
		return res, collectErr
	}
	tOpts := opts.Transform
	var failed []string
	for _, ps := range plan.Sources {
		m, err := l.Run(ps.CollectRun)
		if err != nil {
			failed = append(failed, ps.Source)
			continue
		}
		res.Collect = append(res.Collect, m)
		if m.Status == StatusSucceeded {
			tOpts.FromRuns = append(tOpts.FromRuns, m.RunID)
		} else {
			failed = append(failed, ps.Source)
		}
	}
	if collectErr == nil && len(failed) > 0 {
		collectErr = fmt.Errorf("collecting %s did not succeed", strings.Join(failed, ", "))
	}
	if len(tOpts.FromRuns) == 0 {
		return res, fmt.Errorf("no source was collected, nothing is transformed: %w", collectErr)
	}
	if err := l.writeManifest(pr); err != nil {
		return res, err
	}

	// Transform, score and publish, each done once: a resumed run keeps what already succeeded.
	if res.Transform = l.reuse(plan.TransformRun, StageTransform); res.Transform == nil {
		plan.ScoreRun, plan.PublishRun = "", ""
		res.Transform, err = l.Transform(ctx, tOpts)
		if res.Transform != nil {
			plan.TransformRun = res.Transform.RunID
			_ = l.writeManifest(pr)
		}
		if err != nil {
			return res, err
		}
	}
	sOpts := opts.Score
	sOpts.FromRun = res.Transform.RunID
	sOpts.AllowPartial = sOpts.AllowPartial || opts.AllowPartial || plan.AllowPartial
	if res.Score = l.reuse(plan.ScoreRun, StageScore); res.Score == nil {
		plan.PublishRun = ""
		res.Score, res.Scores, err = l.Score(ctx, sOpts)
		if res.Score != nil {
			plan.ScoreRun = res.Score.RunID
			_ = l.writeManifest(pr)
		}
		if err != nil {
			return res, err
		}
	}
	res.Publish, err = l.Publish(ctx, res.Score.RunID)
	if res.Publish != nil {
		plan.PublishRun = res.Publish.RunID
	}
	if err != nil {
		return res, fmt.Errorf("publishing: %w", err)
	}
	res.Losses = append(collectLosses(res.Collect), transformLosses(res.Transform)...)
	if collectErr != nil {
		return res, l.partialRunError(res.Transform, failed, collectErr)
	}
	return res, nil
}

// reuse returns the named run of stage if it succeeded (a resumed pipeline run does not redo it).
func (l *Lake) reuse(runID, stage string) *Manifest {
	if runID == "" {
		return nil
	}
	m, err := l.successfulRun(runID, stage)
	if err != nil {
		return nil
	}
	return m
}

// partialRunError says which failed sources were transformed with which earlier run, and which
// with none.
func (l *Lake) partialRunError(transformRun *Manifest, failed []string, collectErr error) error {
	used := map[string]string{}
	for _, id := range transformRun.Upstream {
		if m, err := l.Run(id); err == nil {
			used[m.Source] = id
		}
	}
	var parts []string
	for _, s := range failed {
		if id := used[s]; id != "" {
			parts = append(parts, fmt.Sprintf("%s kept its previous data (run %s)", s, id))
		} else {
			parts = append(parts, fmt.Sprintf("%s has no data at all", s))
		}
	}
	return fmt.Errorf("%w: %s — fix them and run `fhi run` again: %w", ErrPartialRun, strings.Join(parts, "; "), collectErr)
}

// beginPipelineRun plans a new pipeline run and records it.
func (l *Lake) beginPipelineRun(opts RunOptions) (*Manifest, []collectJob, error) {
	co := opts.Collect
	co.Resume = false
	jobs, _, err := l.collectJobs(co)
	if err != nil {
		return nil, nil, err
	}
	m, err := l.beginRun(StageRun, "", nil)
	if err != nil {
		return nil, nil, err
	}
	m.Plan = &RunPlan{Incremental: co.Incremental, AllowDrop: co.AllowDrop, AllowPartial: opts.AllowPartial || opts.Score.AllowPartial}
	if co.FromArchive != "" {
		m.Params = map[string]string{"from_archive": co.FromArchive}
	}
	for _, j := range jobs {
		m.Plan.Sources = append(m.Plan.Sources, PlannedSource{Source: j.src.Name, BaseURL: j.baseURL, State: SourcePending})
	}
	return m, jobs, l.writeManifest(m)
}

// unfinishedPipelineRun returns the newest pipeline run that never published and is not running.
func (l *Lake) unfinishedPipelineRun() (*Manifest, error) {
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	for i := len(runs) - 1; i >= 0; i-- {
		m := runs[i]
		if m.Stage != StageRun || m.Plan == nil {
			continue
		}
		switch {
		case m.Status == StatusRunning:
			return nil, fmt.Errorf("pipeline run %s is still running (pid %d): follow it with `fhi status`", m.RunID, m.PID)
		case m.Status == StatusSucceeded || m.Plan.PublishRun != "":
			return nil, fmt.Errorf("%w: the latest, %s, finished (%s) — start a new one with `fhi run`", ErrNothingToResume, m.RunID, m.Status)
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: this lake has none — start one with `fhi run`", ErrNothingToResume)
}

// resumePipelineRun claims the latest unfinished pipeline run and lists the collect jobs left: its
// unfinished sources' runs to finish, and the sources it never started.
func (l *Lake) resumePipelineRun(opts RunOptions) (*Manifest, []collectJob, error) {
	pr, err := l.unfinishedPipelineRun()
	if err != nil {
		return nil, nil, err
	}
	plan := pr.Plan
	if len(opts.Collect.Sources) > 0 {
		var planned []string
		for _, ps := range plan.Sources {
			planned = append(planned, ps.Source)
		}
		want := slices.Clone(opts.Collect.Sources)
		sort.Strings(want)
		if !slices.Equal(want, planned) {
			return nil, nil, fmt.Errorf("pipeline run %s planned %s; resume it without naming sources, or start a new run", pr.RunID, strings.Join(planned, ", "))
		}
	}
	reg := opts.Collect.Registry
	var jobs []collectJob
	for i := range plan.Sources {
		ps := &plan.Sources[i]
		var cm *Manifest
		if ps.CollectRun != "" {
			if cm, err = l.Run(ps.CollectRun); err != nil && !errors.Is(err, ErrRunNotFound) {
				return nil, nil, err
			}
		}
		if cm != nil {
			ps.State = cm.Status
			if cm.Status == StatusSucceeded {
				continue // killed after the source finished: its run stands
			}
		} else {
			ps.CollectRun, ps.State = "", SourcePending
		}
		job, err := l.plannedJob(reg, *ps, opts.Collect.BaseURLs)
		if err != nil {
			return nil, nil, err
		}
		if cm != nil && cm.PrunedAt == nil {
			if cm.Status == StatusRunning {
				return nil, nil, fmt.Errorf("collect run %s of %s is still running (pid %d)", cm.RunID, cm.Source, cm.PID)
			}
			job.resume = cm
		}
		jobs = append(jobs, job)
	}
	now := time.Now().UTC()
	pr.Status, pr.PID, pr.Error, pr.FinishedAt = StatusRunning, os.Getpid(), "", nil
	plan.ResumedAt = append(plan.ResumedAt, now)
	plan.AllowPartial = plan.AllowPartial || opts.AllowPartial || opts.Score.AllowPartial
	return pr, jobs, l.writeManifest(pr)
}

// plannedJob resolves a planned source: today's base URL for it if one is given (the sample web
// comes back on another port), else the one planned.
func (l *Lake) plannedJob(reg *collectors.Registry, ps PlannedSource, baseURLs map[string]string) (collectJob, error) {
	if reg == nil {
		reg = collectors.Default
	}
	src, err := reg.Lookup(ps.Source)
	if err != nil {
		return collectJob{}, err
	}
	u := baseURLs[ps.Source]
	if u == "" {
		u = ps.BaseURL
	}
	return collectJob{src: src, baseURL: u}, nil
}
