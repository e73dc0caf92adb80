package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/fhi-index/fhi/internal/yamlsafe"
)

func TestParseRefusesAliasBombAndTypeNames(t *testing.T) {
	bomb := "source: p2p\nstart: &s [" + strings.Repeat("x, ", 10) + "x]\npages: [" + strings.Repeat("*s, ", 40) + "*s]\n"
	if _, err := Parse("bomb.yaml", []byte(bomb)); !errors.Is(err, yamlsafe.ErrLimit) || !strings.Contains(err.Error(), "bomb.yaml") {
		t.Errorf("Parse of an alias bomb: %v, want yamlsafe.ErrLimit naming the file", err)
	}
	_, err := Parse("typed.yaml", []byte("source: p2p\npages: {a: 1}\n"))
	if err == nil || strings.Contains(err.Error(), "spec.") || strings.Contains(err.Error(), "[]") || !strings.Contains(err.Error(), "want a list") {
		t.Errorf("Parse with a mapping for pages: %v, want a message in YAML terms", err)
	}
}
