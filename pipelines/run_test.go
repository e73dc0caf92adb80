package pipelines

import (
	"errors"
	"slices"
	"testing"
)

// TestRunAllKeepsGoingWhenASourceFails: one broken source does not stop the night. The other
// sources are collected, the broken one's previous good run is used, scores are published, and
// RunAll still reports ErrPartialRun so a scheduler alerts.
func TestRunAllKeepsGoingWhenASourceFails(t *testing.T) {
	lake := openTestLake(t)
	opts := startSampleWeb(t, 0.1)
	good := opts.BaseURLs["crowdfunding"]
	opts.Sources = []string{"p2p", "crowdfunding"}
	first, err := lake.RunAll(t.Context(), RunOptions{Collect: opts})
	if err != nil {
		t.Fatal(err)
	}
	var goodCrowdfunding string
	for _, m := range first.Collect {
		if m.Source == "crowdfunding" {
			goodCrowdfunding = m.RunID
		}
	}

	// The second night the crowdfunding site has moved: its collect fails the health gate.
	opts.BaseURLs["crowdfunding"] = good[:len(good)-len("/crowdfunding")] + "/moved"
	second, err := lake.RunAll(t.Context(), RunOptions{Collect: opts})
	if !errors.Is(err, ErrPartialRun) || !errors.Is(err, ErrNoRecords) {
		t.Fatalf("RunAll with a broken source: %v, want ErrPartialRun wrapping ErrNoRecords", err)
	}
	if second.Publish == nil || second.Publish.Status != StatusSucceeded {
		t.Fatal("nothing was published")
	}
	if !slices.Contains(second.Transform.Upstream, goodCrowdfunding) {
		t.Errorf("transform read %v, want the previous good crowdfunding run %s", second.Transform.Upstream, goodCrowdfunding)
	}

	// With no good run of anything, nothing is published.
	empty := openTestLake(t)
	broken := opts
	broken.Sources = []string{"crowdfunding"}
	res, err := empty.RunAll(t.Context(), RunOptions{Collect: broken})
	if err == nil || errors.Is(err, ErrPartialRun) || res.Publish != nil {
		t.Errorf("RunAll with only a broken source: %v, published %v", err, res.Publish)
	}
}
