package report

import (
	"testing"
	"time"
)

func TestHeatPeaks(t *testing.T) {
	week := func(day int, v float64) HeatWeek {
		return HeatWeek{Week: time.Date(2017, 1, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*day), Value: v}
	}
	tests := []struct {
		name         string
		weeks        []HeatWeek
		peak, second string // labels; "" for none
	}{
		{"no weeks", nil, "", ""},
		{"one week", []HeatWeek{week(0, 5)}, "2017年1月第1周", ""},
		// The second-highest week sits next to the peak: the second high is the best week far
		// enough away, not the peak's neighbour.
		{"second high away from the peak", []HeatWeek{week(0, 10), week(1, 50), week(2, 49), week(20, 30), week(21, 20)}, "2017年1月第2周", "2017年5月第4周"},
		{"ties keep the first", []HeatWeek{week(0, 7), week(30, 7)}, "2017年1月第1周", "2017年7月第5周"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			peak, second := heatPeaks(tt.weeks)
			if got := labelOf(peak); got != tt.peak {
				t.Errorf("peak %q, want %q", got, tt.peak)
			}
			if got := labelOf(second); got != tt.second {
				t.Errorf("second %q, want %q", got, tt.second)
			}
		})
	}
}

func labelOf(p *heatPeak) string {
	if p == nil {
		return ""
	}
	return p.Label
}
