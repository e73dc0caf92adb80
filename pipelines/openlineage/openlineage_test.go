package openlineage

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

func testEvent(t EventType) RunEvent {
	return RunEvent{EventType: t, EventTime: time.Date(2026, 11, 26, 3, 15, 2, 0, time.UTC),
		Run: Run{RunID: RunUUID("collect-20261126T031502Z-9f3c")}, Job: Job{Namespace: "fhi", Name: "collect.p2p"},
		Inputs: []InputDataset{}, Outputs: []OutputDataset{}, Producer: "https://github.com/fhi-index/fhi", SchemaURL: SchemaURL}
}

func TestRunUUID(t *testing.T) {
	a, b := RunUUID("collect-20261126T031502Z-9f3c"), RunUUID("collect-20261126T031502Z-9f3d")
	if a == b || a != RunUUID("collect-20261126T031502Z-9f3c") {
		t.Errorf("RunUUID not a stable, distinct mapping: %s %s", a, b)
	}
	u, err := uuid.Parse(a)
	if err != nil || u.Version() != 5 {
		t.Errorf("RunUUID = %s: want a version-5 UUID (err %v)", a, err)
	}
}

func TestHTTPTransport(t *testing.T) {
	var mu sync.Mutex
	var got []RunEvent
	var paths, types []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev RunEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got, paths, types = append(got, ev), append(paths, r.URL.Path), append(types, r.Header.Get("Content-Type"))
		mu.Unlock()
		w.WriteHeader(http.StatusCreated) // Marquez answers 201
	}))
	defer srv.Close()
	h, err := NewHTTP(srv.URL, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, et := range []EventType{Start, Complete} {
		if err := h.Emit(t.Context(), testEvent(et)); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 2 || got[0].EventType != Start || got[1].EventType != Complete || got[0].Run.RunID != got[1].Run.RunID {
		t.Fatalf("backend got %+v, want START then COMPLETE of one run", got)
	}
	if paths[0] != DefaultEndpoint || types[0] != "application/json" {
		t.Errorf("posted to %s as %s, want %s as application/json", paths[0], types[0], DefaultEndpoint)
	}
}

func TestHTTPTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "namespace unknown", http.StatusUnprocessableEntity)
	}))
	defer srv.Close()
	h, err := NewHTTP(srv.URL+"/custom/lineage", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Emit(t.Context(), testEvent(Start)); !errors.Is(err, ErrHTTPStatus) {
		t.Errorf("a 422 answer gave %v, want ErrHTTPStatus", err)
	}
	srv.Close()
	if err := h.Emit(t.Context(), testEvent(Start)); err == nil {
		t.Error("a closed backend gave no error")
	}
	for _, bad := range []string{"", "localhost:5000", "ftp://x", "http://"} {
		if _, err := NewHTTP(bad, time.Second); err == nil {
			t.Errorf("NewHTTP(%q) accepted", bad)
		}
	}
}

func TestFileTransportAppendsLines(t *testing.T) {
	f := &File{Path: filepath.Join(t.TempDir(), "lineage", "events.jsonl")}
	for _, et := range []EventType{Start, Fail} {
		if err := f.Emit(t.Context(), testEvent(et)); err != nil {
			t.Fatal(err)
		}
	}
	in, err := os.Open(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var types []EventType
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var ev RunEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		types = append(types, ev.EventType)
	}
	if len(types) != 2 || types[0] != Start || types[1] != Fail {
		t.Errorf("file holds %v, want [START FAIL]", types)
	}
}
