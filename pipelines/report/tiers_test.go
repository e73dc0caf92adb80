package report

import (
	"slices"
	"testing"
)

func TestTiering(t *testing.T) {
	tests := []struct {
		name     string
		scores   []float64
		breaks   []int
		distinct bool
	}{
		// Worked by hand: three clusters far apart split where the clusters meet.
		{"three clusters", []float64{90, 88, 87, 60, 58, 57, 56, 20, 19}, []int{3, 7}, true},
		// A leader far ahead is a tier of its own when the rest splits less clearly.
		{"two leaders", []float64{95, 93, 70, 68, 66, 40, 39, 38, 37}, []int{2, 5}, true},
		// Evenly spaced scores have no natural tiers: breaks exist, but they are not distinct.
		{"even", []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, nil, false},
		{"too few", []float64{5, 4}, []int{1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tiering(tt.scores, tierCount)
			if tt.breaks != nil && !slices.Equal(got, tt.breaks) {
				t.Errorf("breaks %v, want %v", got, tt.breaks)
			}
			if len(tt.scores) > tierCount && len(got) != tierCount-1 {
				t.Errorf("%d breaks, want %d", len(got), tierCount-1)
			}
			if d := tiersDistinct(tt.scores, got); d != tt.distinct {
				t.Errorf("distinct = %v, want %v", d, tt.distinct)
			}
		})
	}
}
