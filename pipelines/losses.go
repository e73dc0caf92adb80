package pipelines

import (
	"errors"
	"fmt"
	"strings"
)

// Loss is what one stage run set aside while still succeeding: URLs that failed for good and pages
// it could not parse (collect), rows it could not clean (transform). `fhi quality` lists them.
type Loss struct {
	Stage            string `json:"stage"`
	Source           string `json:"source,omitempty"`
	Run              string `json:"run"`
	FailedURLs       int64  `json:"failed_urls,omitempty"`
	QuarantinedPages int64  `json:"quarantined_pages,omitempty"`
	QuarantinedRows  int64  `json:"quarantined_rows,omitempty"`
}

func (l Loss) String() string {
	var parts []string
	if l.FailedURLs > 0 {
		parts = append(parts, plural(l.FailedURLs, "URL")+" failed for good")
	}
	if l.QuarantinedPages > 0 {
		parts = append(parts, plural(l.QuarantinedPages, "page")+" quarantined")
	}
	if l.QuarantinedRows > 0 {
		parts = append(parts, plural(l.QuarantinedRows, "row")+" quarantined")
	}
	who := l.Stage
	if l.Source != "" {
		who = l.Source
	}
	return fmt.Sprintf("%s (run %s): %s", who, l.Run, strings.Join(parts, ", "))
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// collectLosses are the failures of the succeeded collect runs among ms (a failed run is a
// failure, not a loss).
func collectLosses(ms []*Manifest) []Loss {
	var out []Loss
	for _, m := range ms {
		if m.Status != StatusSucceeded || m.Details == nil {
			continue
		}
		d, err := decodeCollectDetails(m)
		if err != nil || d.Stats.Failed+d.Stats.Quarantined == 0 {
			continue
		}
		out = append(out, Loss{Stage: StageCollect, Source: m.Source, Run: m.RunID, FailedURLs: d.Stats.Failed, QuarantinedPages: d.Stats.Quarantined})
	}
	return out
}

// transformLosses is the rows a succeeded transform run quarantined.
func transformLosses(m *Manifest) []Loss {
	if m == nil || m.Status != StatusSucceeded || m.Tables["quarantine"] == 0 {
		return nil
	}
	return []Loss{{Stage: StageTransform, Run: m.RunID, QuarantinedRows: m.Tables["quarantine"]}}
}

// ErrSucceededWithLosses matches a *LossesError: the run succeeded, but set things aside. fhi exits
// 3 on it so a scheduler can alert without treating the night as failed.
var ErrSucceededWithLosses = errors.New("pipelines: succeeded with losses")

// LossesError reports the losses of a run that otherwise succeeded.
type LossesError struct{ Losses []Loss }

func (e *LossesError) Error() string {
	parts := make([]string, len(e.Losses))
	for i, l := range e.Losses {
		parts[i] = l.String()
	}
	return "succeeded with losses: " + strings.Join(parts, "; ") + " — `fhi quality` lists them by source and reason"
}

func (e *LossesError) Is(target error) bool { return target == ErrSucceededWithLosses }

// LossesErr is a *LossesError for losses, or nil when there are none: for a caller that maps
// outcomes to exit codes, `if err == nil { err = LossesErr(res.Losses) }`.
func LossesErr(losses []Loss) error {
	if len(losses) == 0 {
		return nil
	}
	return &LossesError{Losses: losses}
}
