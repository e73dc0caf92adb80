package pipelines

import (
	"fmt"
	"sort"
	"time"

	"github.com/fhi-index/fhi/collectors"
)

// Progress is a running collect run's progress as its manifest records it: rewritten (atomically,
// like every manifest) every CollectOptions.ProgressEvery, so another process can follow a crawl.
type Progress struct {
	UpdatedAt time.Time        `json:"updated_at"`
	Stats     collectors.Stats `json:"stats"`
	// ExpectedRequests and ExpectedRecords are the source's previous good run's counts: an
	// estimate of the total, 0 when there is none.
	ExpectedRequests int64 `json:"expected_requests,omitempty"`
	ExpectedRecords  int64 `json:"expected_records,omitempty"`
}

// SourceProgress is how far one source's collect has got: what CollectOptions.Progress receives
// while it crawls, and what Lake.Status reads back from another process.
type SourceProgress struct {
	Source string `json:"source"`
	RunID  string `json:"run_id,omitempty"`
	// State is pending (not started), running, succeeded, failed, interrupted or abandoned.
	State     string           `json:"state"`
	Stats     collectors.Stats `json:"stats"`
	StartedAt time.Time        `json:"started_at,omitzero"`
	Elapsed   time.Duration    `json:"elapsed_ns"`
	// ExpectedRequests and ExpectedRecords come from the previous good run (0: unknown).
	ExpectedRequests int64 `json:"expected_requests,omitempty"`
	ExpectedRecords  int64 `json:"expected_records,omitempty"`
	// UpdatedAt is when the numbers were taken; in Status, how fresh the manifest is.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	Done      bool      `json:"done"`
}

// RecordsPerSecond is the average rate so far.
func (p SourceProgress) RecordsPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Stats.Records) / p.Elapsed.Seconds()
}

// RequestsPerSecond is the average request rate so far.
func (p SourceProgress) RequestsPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Stats.Requests) / p.Elapsed.Seconds()
}

// StageState is one stage of a pipeline run.
type StageState struct {
	Stage     string     `json:"stage"`
	State     string     `json:"state"` // pending, running, succeeded, failed, interrupted, abandoned
	RunID     string     `json:"run_id,omitempty"`
	StartedAt time.Time  `json:"started_at,omitzero"`
	Finished  *time.Time `json:"finished_at,omitempty"`
}

// LakeStatus is what is happening in a lake: the pipeline run in progress (or else the latest one),
// its stages, and per-source progress. Standalone collect runs (fhi collect) that are running appear
// in Sources too.
type LakeStatus struct {
	// Running is true while a pipeline run or a collect run is in progress.
	Running bool `json:"running"`
	// Run is the pipeline run shown: the running one, or else the latest; nil in a lake without one.
	Run     *Manifest        `json:"run,omitempty"`
	Stages  []StageState     `json:"stages,omitempty"`
	Sources []SourceProgress `json:"sources,omitempty"`
}

// Status reads the lake's state from its manifests alone: it takes no lock and works on a lake
// opened read-only while another process runs.
func (l *Lake) Status() (*LakeStatus, error) {
	runs, err := l.Runs()
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Manifest, len(runs))
	for _, m := range runs {
		byID[m.RunID] = m
	}
	st := &LakeStatus{}
	for i := len(runs) - 1; i >= 0; i-- {
		if m := runs[i]; m.Stage == StageRun {
			if st.Run == nil || m.Status == StatusRunning {
				st.Run = m
			}
			if m.Status == StatusRunning {
				break
			}
		}
	}
	shown := map[string]bool{}
	if pr := st.Run; pr != nil && pr.Plan != nil {
		st.Running = pr.Status == StatusRunning
		collect := StageState{Stage: StageCollect, State: SourcePending, StartedAt: pr.StartedAt}
		states := map[string]int{}
		for _, ps := range pr.Plan.Sources {
			sp := SourceProgress{Source: ps.Source, RunID: ps.CollectRun, State: ps.State}
			if cm := byID[ps.CollectRun]; cm != nil {
				sp = progressOf(cm)
				shown[cm.RunID] = true
			}
			states[sp.State]++
			st.Sources = append(st.Sources, sp)
		}
		switch {
		case states[StatusRunning] > 0 || (states[SourcePending] > 0 && pr.Status == StatusRunning && pr.Plan.TransformRun == ""):
			collect.State = StatusRunning
		case states[SourcePending] > 0 || states[StatusInterrupted] > 0 || states[StatusAbandoned] > 0:
			collect.State = StatusInterrupted
		case states[StatusFailed] > 0:
			collect.State = StatusFailed
		default:
			collect.State = StatusSucceeded
		}
		st.Stages = append(st.Stages, collect)
		for _, s := range []struct{ stage, id string }{{StageTransform, pr.Plan.TransformRun}, {StageScore, pr.Plan.ScoreRun}, {StagePublish, pr.Plan.PublishRun}} {
			ss := StageState{Stage: s.stage, State: SourcePending, RunID: s.id}
			if m := byID[s.id]; m != nil {
				ss.State, ss.StartedAt, ss.Finished = m.Status, m.StartedAt, m.FinishedAt
			}
			st.Stages = append(st.Stages, ss)
		}
	}
	// A collect run in progress outside any pipeline run (fhi collect).
	for _, m := range runs {
		if m.Stage == StageCollect && m.Status == StatusRunning && !shown[m.RunID] {
			st.Running = true
			st.Sources = append(st.Sources, progressOf(m))
		}
	}
	sort.SliceStable(st.Sources, func(i, j int) bool { return st.Sources[i].Source < st.Sources[j].Source })
	return st, nil
}

// progressOf reads a collect run's progress from its manifest: the periodic record while it runs,
// the final statistics once it finished.
func progressOf(m *Manifest) SourceProgress {
	sp := SourceProgress{Source: m.Source, RunID: m.RunID, State: m.Status, StartedAt: m.StartedAt, Done: m.FinishedAt != nil}
	switch {
	case m.Progress != nil:
		p := m.Progress
		sp.Stats, sp.ExpectedRequests, sp.ExpectedRecords, sp.UpdatedAt = p.Stats, p.ExpectedRequests, p.ExpectedRecords, p.UpdatedAt
		sp.Elapsed = p.UpdatedAt.Sub(m.StartedAt)
	case m.Details != nil:
		if d, err := decodeCollectDetails(m); err == nil {
			sp.Stats = d.Stats
		}
		sp.Stats.Records = max(sp.Stats.Records, m.Rows)
	}
	if m.FinishedAt != nil {
		sp.Elapsed, sp.UpdatedAt = m.FinishedAt.Sub(m.StartedAt), *m.FinishedAt
	}
	return sp
}

// String is one line for logs: "p2p: 1,204 requests, 1,180 records (51%), 38.2 records/s, 31s".
func (p SourceProgress) String() string {
	s := fmt.Sprintf("%s: %d requests, %d records", p.Source, p.Stats.Requests, p.Stats.Records)
	if p.ExpectedRecords > 0 && !p.Done {
		s += fmt.Sprintf(" (%d%% of the last run's %d)", min(100, 100*p.Stats.Records/p.ExpectedRecords), p.ExpectedRecords)
	}
	return s + fmt.Sprintf(", %.1f records/s, %s", p.RecordsPerSecond(), p.Elapsed.Round(time.Second))
}
