package pipelines

import (
	"context"
	"errors"
	"fmt"

	"github.com/fhi-index/fhi/scoring"
)

// RunOptions configure a whole pipeline run.
type RunOptions struct {
	Collect   CollectOptions
	Transform TransformOptions
	Score     ScoreOptions
}

// RunResult holds the manifests of one pipeline run, stage by stage.
type RunResult struct {
	Collect   []*Manifest
	Transform *Manifest
	Score     *Manifest
	Publish   *Manifest
	Scores    *scoring.Result
}

// ErrPartialRun says a run published scores although some sources failed to collect: those
// sources' previous good data were used. The run still reports failure, so a scheduler alerts.
var ErrPartialRun = errors.New("pipelines: published with the previous data of the sources that failed")

// RunAll runs collect → transform → score → publish, each stage reading what the one before it just
// wrote. A source that fails to collect does not stop the others; the transform then uses its
// latest good run, and RunAll returns ErrPartialRun after publishing.
func (l *Lake) RunAll(ctx context.Context, opts RunOptions) (*RunResult, error) {
	res := &RunResult{}
	var err error
	res.Collect, err = l.Collect(ctx, opts.Collect)
	collectErr := err
	tOpts := opts.Transform
	for _, m := range res.Collect {
		if m.Status == StatusSucceeded {
			tOpts.FromRuns = append(tOpts.FromRuns, m.RunID)
		}
	}
	// A source that failed tonight keeps its previous good data; with none at all, or when
	// interrupted, there is nothing to go on with.
	if collectErr != nil && (ctx.Err() != nil || len(tOpts.FromRuns) == 0) {
		return res, collectErr
	}
	if res.Transform, err = l.Transform(ctx, tOpts); err != nil {
		return res, err
	}
	sOpts := opts.Score
	sOpts.FromRun = res.Transform.RunID
	if res.Score, res.Scores, err = l.Score(ctx, sOpts); err != nil {
		return res, err
	}
	if res.Publish, err = l.Publish(ctx, res.Score.RunID); err != nil {
		return res, fmt.Errorf("publishing: %w", err)
	}
	if collectErr != nil {
		return res, fmt.Errorf("%w: %w", ErrPartialRun, collectErr)
	}
	return res, nil
}
