package frontier

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/fhi-index/fhi/collectors/frontier/frontiertest"
	"github.com/google/go-cmp/cmp"
)

// A run begun with a plan keeps the first plan; open runs are listed oldest first until sealed or
// aborted; commits are followed from a position.
func TestPlanOpenRunsAndCommitsAfter(t *testing.T) {
	srv := frontiertest.Start(t, frontiertest.Options{})
	f := openFrontier(t, srv, Options{Prefix: "t", LeaseTTL: 5 * time.Second})
	ctx := t.Context()
	plan := json.RawMessage(`{"sources":{"p2p":{"run_id":"collect-1"}}}`)
	if _, err := f.Begin(ctx, "r1", plan, []Item{{Source: "p2p", URL: "http://a.test/1"}, {Source: "p2p", URL: "http://a.test/2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Begin(ctx, "r1", json.RawMessage(`{"other":1}`), []Item{{Source: "p2p", URL: "http://a.test/3"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Plan(ctx, "r1"); err != nil || string(got) != string(plan) {
		t.Errorf("Plan(r1) = %s, %v; want the first plan %s", got, err, plan)
	}
	if _, err := f.Begin(ctx, "r1", json.RawMessage(`{not json`), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("a plan that is not JSON: %v, want ErrInvalid", err)
	}
	time.Sleep(2 * time.Millisecond) // created times differ
	if _, err := f.Seed(ctx, "r2", []Item{{Source: "p2p", URL: "http://b.test/1"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Plan(ctx, "r2"); err != nil || got != nil {
		t.Errorf("Plan of a run seeded without one = %s, %v; want nil", got, err)
	}
	if _, err := f.Plan(ctx, "nope"); !errors.Is(err, ErrRunClosed) {
		t.Errorf("Plan of an unknown run: %v, want ErrRunClosed", err)
	}
	if got, err := f.OpenRuns(ctx); err != nil || !cmp.Equal(got, []string{"r1", "r2"}) {
		t.Errorf("OpenRuns = %v, %v; want [r1 r2]", got, err)
	}
	if err := f.Abort(ctx, "r2"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.OpenRuns(ctx); !cmp.Equal(got, []string{"r1"}) {
		t.Errorf("OpenRuns after aborting r2 = %v, want [r1]", got)
	}

	w := newWorker(t, f, "w1")
	l, err := w.Acquire(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	items, err := l.Claim(ctx, 10)
	if err != nil || len(items) != 3 {
		t.Fatalf("Claim: %d, %v", len(items), err)
	}
	for i, it := range items {
		if _, err := l.Commit(ctx, Batch{Done: []Work{it}, Meta: mustJSON(map[string]int{"i": i})}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := f.CommitsAfter(ctx, "r1", "")
	if err != nil || len(all) != 3 {
		t.Fatalf("CommitsAfter(\"\") = %d, %v; want 3", len(all), err)
	}
	rest, err := f.CommitsAfter(ctx, "r1", all[0].Seq)
	if err != nil || len(rest) != 2 || rest[0].ID != all[1].ID {
		t.Errorf("CommitsAfter(first) = %+v, %v; want the last two", rest, err)
	}
	if none, err := f.CommitsAfter(ctx, "r1", all[2].Seq); err != nil || len(none) != 0 {
		t.Errorf("CommitsAfter(last) = %+v, %v; want none", none, err)
	}
	if _, err := f.Seal(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.OpenRuns(ctx); len(got) != 0 {
		t.Errorf("OpenRuns after sealing = %v, want none", got)
	}
}
