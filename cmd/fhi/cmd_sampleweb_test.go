package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCmdSampleweb(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStderr string
	}{
		{"help", []string{"-h"}, 0, ""},
		{"bad flag", []string{"--nope"}, 2, "unknown flag: --nope"},
		{"bad faults", []string{"--faults", "teapot"}, 2, "unknown fault"},
		{"bad scale", []string{"--scale", "-1"}, 2, "--scale"},
		{"truth without out", []string{"truth"}, 2, "--out"},
		{"truth", []string{"truth", "--out", dir, "--scale", "0.05"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(t.Context(), prepend("sampleweb", tt.args), &stdout, &stderr)
			if got != tt.want {
				t.Fatalf("exit = %d, want %d; stderr: %s", got, tt.want, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "indicators.csv")); err != nil {
		t.Errorf("truth: %v", err)
	}
}

func TestCmdSamplewebServe(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"sampleweb", "--addr", "127.0.0.1:0", "--scale", "0.05"}, &stdout, &stderr)
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit = %d; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "/p2p") {
		t.Errorf("stdout lacks the site URLs: %q", stdout.String())
	}
}
