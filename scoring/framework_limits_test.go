package scoring

import (
	"errors"
	"testing"
	"time"

	"github.com/fhi-index/fhi/internal/yamlsafe"
)

// TestParseFrameworkAliasCycle: a 9-line framework whose root contains itself once made lint and
// score grow without bound; it must fail at once.
func TestParseFrameworkAliasCycle(t *testing.T) {
	const cyclic = `name: x
root: &r
  id: total
  weighting: {method: equal}
  children:
    - *r
    - *r
    - {id: a}
    - {id: b}
`
	done := make(chan error, 1)
	go func() { _, err := ParseFramework([]byte(cyclic)); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, yamlsafe.ErrLimit) {
			t.Errorf("ParseFramework of a cyclic framework: %v, want yamlsafe.ErrLimit", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ParseFramework did not return within 5 s")
	}
}
