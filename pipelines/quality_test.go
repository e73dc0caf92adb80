package pipelines

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/collectors/sampleweb"
)

// TestQuality: pages whose layout changed show up as quarantined pages of the collect run, with
// the URL and the reason.
func TestQuality(t *testing.T) {
	lake := openTestLake(t)
	if q, err := lake.Quality(t.Context()); err != nil || len(q) != 0 {
		t.Fatalf("empty lake: %v, %v", q, err)
	}
	world, err := sampleweb.NewWorld(sampleweb.Options{Seed: 1, Scale: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	site := sampleweb.NewHandler(world, sampleweb.Faults{})
	// Every platform page whose id ends in 7 comes back redesigned: the parser must notice.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.HasPrefix(r.URL.Path, "/p2p/platforms/") && strings.HasSuffix(r.URL.Path, "7") {
			body = bytes.Replace(body, []byte(`class="platform"`), []byte(`class="platform-v2"`), 1)
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" && k != "Etag" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	defer srv.Close()
	opts := startSampleWeb(t, 0.1)
	opts.BaseURLs["p2p"] = srv.URL + "/p2p"
	if _, err := lake.RunAll(t.Context(), RunOptions{Collect: opts, AllowPartial: true}); err != nil {
		t.Fatal(err)
	}
	q, err := lake.Quality(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var quarantined int64
	for _, r := range q {
		if r.Stage == StageCollect && r.Source == "p2p" && strings.HasPrefix(r.Reason, "quarantine") {
			quarantined += r.Count
			if !strings.HasSuffix(strings.Fields(r.Example)[0], "7:") || !strings.Contains(r.Example, "layout not recognised") {
				t.Errorf("example %q does not show the URL and the reason", r.Example)
			}
		}
	}
	if quarantined < 10 {
		t.Errorf("%d quarantined pages reported, want the ~10%% redesigned ones: %+v", quarantined, q)
	}
}
