package pipelines

import (
	"fmt"
	"sort"
)

// ParamSimulated is the manifest parameter that says a run's data came from fhi's sample web:
// "true" on a collect run that crawled it, and on every score run built on such a collect run.
// It is a recorded fact, not a guess from the host name: a real site may well be mirrored on
// loopback, and the sample web may be served on another address.
const ParamSimulated = "simulated"

// collectRunsBehind returns the collect runs that the runs named by upstream were built from,
// following upstream links down (score → transform → collect), sorted by source then run id.
func (l *Lake) collectRunsBehind(upstream []string) ([]*Manifest, error) {
	seen := map[string]bool{}
	var out []*Manifest
	var walk func(ids []string) error
	walk = func(ids []string) error {
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			m, err := l.Run(id)
			if err != nil {
				return fmt.Errorf("following the inputs of %s: %w", id, err)
			}
			if m.Stage == StageCollect {
				out = append(out, m)
				continue // an incremental collect run's upstream is an older crawl of the same site
			}
			if err := walk(m.Upstream); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(upstream); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Source != out[j].Source {
			return out[i].Source < out[j].Source
		}
		return out[i].RunID < out[j].RunID
	})
	return out, nil
}

// simulatedInputs reports whether any collect run behind upstream crawled the sample web.
func (l *Lake) simulatedInputs(upstream []string) (bool, error) {
	runs, err := l.collectRunsBehind(upstream)
	if err != nil {
		return false, err
	}
	for _, m := range runs {
		if m.Params[ParamSimulated] == "true" {
			return true, nil
		}
	}
	return false, nil
}

// markSimulated records on m (a score or publish run) whether its inputs were simulated.
func (l *Lake) markSimulated(m *Manifest) error {
	sim, err := l.simulatedInputs(m.Upstream)
	if err != nil {
		return err
	}
	if sim {
		if m.Params == nil {
			m.Params = map[string]string{}
		}
		m.Params[ParamSimulated] = "true"
	}
	return nil
}
