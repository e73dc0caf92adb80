package pipelines

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/fhi-index/fhi/transform"
)

// FrameworkSources lists the sources the framework's indicators are computed from. Today that is
// every source a transform step declares it reads ("-- requires:"); when the indicator → source
// definitions move into the framework file, this is the one function to change.
func FrameworkSources() ([]string, error) {
	steps, err := transform.Steps()
	if err != nil {
		return nil, fmt.Errorf("reading the transform steps: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, st := range steps {
		for _, r := range st.Requires {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// ErrMissingSources matches a *MissingSourcesError.
var ErrMissingSources = errors.New("pipelines: sources the framework needs have no data")

// MissingSourcesError is score's and publish's refusal to rank cities on a transform that lacks
// sources the framework needs — sources that have never had a good collect run. Scoring without
// them would publish a ranking missing their indicators.
type MissingSourcesError struct {
	Sources      []string
	TransformRun string
}

func (e *MissingSourcesError) Error() string {
	return fmt.Sprintf("transform run %s has no data from %s: these sources have never had a good collect run — collect them (fhi collect %s), or pass --allow-partial to score without their indicators",
		e.TransformRun, strings.Join(e.Sources, ", "), strings.Join(e.Sources, " "))
}

func (e *MissingSourcesError) Is(target error) bool { return target == ErrMissingSources }

// missingSources lists the framework sources a transform run read no collect run of.
func (l *Lake) missingSources(transformRun *Manifest) ([]string, error) {
	need, err := FrameworkSources()
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, id := range transformRun.Upstream {
		m, err := l.Run(id)
		if err != nil {
			return nil, err
		}
		have[m.Source] = true
	}
	var missing []string
	for _, s := range need {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	return missing, nil
}

// checkCoverage refuses a transform run that lacks framework sources, unless allowPartial. It
// returns the missing sources either way, for the score run's manifest.
func (l *Lake) checkCoverage(transformRun *Manifest, allowPartial bool) ([]string, error) {
	missing, err := l.missingSources(transformRun)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 && !allowPartial {
		return missing, &MissingSourcesError{Sources: missing, TransformRun: transformRun.RunID}
	}
	return missing, nil
}

// checkPublishable refuses to publish a score run of a transform that lacks framework sources,
// unless that score run was made with AllowPartial: the decision is the score's, recorded in its
// manifest.
func (l *Lake) checkPublishable(scoreRun *Manifest) error {
	if scoreRun.Params["allow_partial"] == "true" || len(scoreRun.Upstream) == 0 {
		return nil
	}
	tr, err := l.Run(scoreRun.Upstream[0])
	if err != nil {
		return err
	}
	_, err = l.checkCoverage(tr, false)
	return err
}
