package pipelines

import (
	"context"
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

// RunAll runs collect → transform → score → publish, each stage reading what the one before it just
// wrote.
func (l *Lake) RunAll(ctx context.Context, opts RunOptions) (*RunResult, error) {
	res := &RunResult{}
	var err error
	if res.Collect, err = l.Collect(ctx, opts.Collect); err != nil {
		return res, err
	}
	tOpts := opts.Transform
	for _, m := range res.Collect {
		tOpts.FromRuns = append(tOpts.FromRuns, m.RunID)
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
	return res, nil
}
