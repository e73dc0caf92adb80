package sampleweb

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A client that has read a whole answer may ask again at once, even while the handler that sent
// it has not returned yet: sequential requests must never count as two at once. The handler here
// writes a large answer (more than the server buffers, so it would leave at once) and then
// lingers before returning.
func TestInFlightCountsSequentialRequestsOnce(t *testing.T) {
	s := &Server{}
	c := s.CountInFlight()
	body := bytes.Repeat([]byte("x"), 256<<10)
	h := s.counted(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Length", "262144")
		_, _ = rw.Write(body)
		if r.URL.Path == "/first" {
			time.Sleep(300 * time.Millisecond)
		}
	}))
	ts := httptest.NewServer(h)
	defer ts.Close()
	get := func(path string) {
		// A connection per request, as a crawler with several in flight has: the next request
		// does not queue behind the lingering handler on a kept-alive connection.
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != int64(len(body)) {
			t.Fatalf("%s: read %d bytes, %v", path, n, err)
		}
	}
	get("/first")
	get("/second")
	if got := c.Max()[ts.Listener.Addr().String()]; got != 1 {
		t.Errorf("two requests one after the other counted %d at once, want 1", got)
	}
	if c.Requests() != 2 {
		t.Errorf("counted %d requests, want 2", c.Requests())
	}
}
