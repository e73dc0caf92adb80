package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestLineageWarnings runs a stage command against an OpenLineage backend that refuses every
// event: the stage succeeds with its usual exit code, and stderr says, once, which events were
// not delivered and why.
func TestLineageWarnings(t *testing.T) {
	var posted atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posted.Add(1)
		http.Error(w, "marquez is down for maintenance", http.StatusServiceUnavailable)
	}))
	defer backend.Close()
	dir := t.TempDir()
	config := writeFile(t, dir, "fhi.yaml", "lineage:\n  url: "+backend.URL+"\n")
	file := writeFile(t, dir, "yearbook.csv", "city,gdp_yi\n杭州,12556\n北京,28000\n")
	lake := filepath.Join(dir, "lake")

	code, _, errOut := fhi(t, "import", "--lake", lake, "--config", config, "--key", "city", "yearbook", file)
	if code != exitOK {
		t.Fatalf("fhi import exited %d, want %d although lineage delivery failed:\n%s", code, exitOK, errOut)
	}
	if posted.Load() != 2 {
		t.Errorf("the backend saw %d events, want START and COMPLETE", posted.Load())
	}
	want := "fhi: warning: OpenLineage event not delivered (2 events): sending lineage event to " + backend.URL
	if strings.Count(errOut, "warning: OpenLineage") != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "503 Service Unavailable marquez is down") {
		t.Errorf("stderr does not warn once about the refused events (want %q):\n%s", want, errOut)
	}

	// Without a backend nothing is posted and nothing is warned about.
	code, _, errOut = fhi(t, "import", "--lake", lake, "--key", "city", "yearbook", file)
	if code != exitOK || strings.Contains(errOut, "warning") {
		t.Errorf("fhi import without lineage.url: exit %d, stderr %q", code, errOut)
	}
}
