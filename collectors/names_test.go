package collectors

import (
	"errors"
	"strings"
	"testing"
)

func TestValidSourceName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"p2p", true},
		{"city_stats", true},
		{"a" + strings.Repeat("b", 62), true},
		{"a" + strings.Repeat("b", 63), false},
		{"", false},
		{"P2P", false},
		{"2p2", false},
		{"../../x", false},
		{"p2p/..", false},
		{"p2p;drop", false},
		{"p-2-p", false},
		{"_p2p", false},
		{"p2p\n", false},
	}
	for _, tt := range tests {
		err := ValidSourceName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidSourceName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && (!errors.Is(err, ErrSourceName) || !strings.Contains(err.Error(), "lowercase")) {
			t.Errorf("ValidSourceName(%q): error %q does not state the rule", tt.name, err)
		}
	}
}
