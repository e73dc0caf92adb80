package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestPrintAlignedCountsWideRunes(t *testing.T) {
	var b bytes.Buffer
	printAligned(&b, []string{"rank", "city", "total"}, [][]string{{"1", "北京", "89.3"}, {"13", "乌鲁木齐", "5.0"}, {"2", "Xi'an", "43.1"}})
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	want := []string{
		"rank      city  total",
		"   1      北京   89.3",
		"  13  乌鲁木齐    5.0",
		"   2     Xi'an   43.1",
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: got %q, want %q", i, lines[i], want[i])
		}
	}
}
