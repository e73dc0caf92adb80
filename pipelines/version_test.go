package pipelines

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestVersionHasRevision: under go test (as under go run) Go stamps no VCS settings; the code
// version still carries the checkout's revision.
func TestVersionHasRevision(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	v := CurrentCodeVersion()
	if v.Revision != strings.TrimSpace(string(head)) || v.RevisionFrom == "" || v.GoVersion == "" || v.Module != "github.com/fhi-index/fhi" {
		t.Errorf("CurrentCodeVersion() = %+v, want the module, revision %s and where it was read", v, head)
	}
	lake := openTestLake(t)
	m, err := lake.beginRun(StageTransform, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Code.Revision == "" {
		t.Errorf("a manifest's code version has no revision: %+v", m.Code)
	}
}

func TestDuckDBVersion(t *testing.T) {
	v, err := DuckDBVersion(t.Context())
	if err != nil || !regexp.MustCompile(`^v\d+\.\d+\.\d+ \(source \w+\)$`).MatchString(v) {
		t.Errorf("DuckDBVersion = %q, %v", v, err)
	}
}
