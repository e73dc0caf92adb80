package collectors

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nlnwa/gowarc/v3"
)

// secretHeaders are never written to the archive: credentials come from the environment and must
// not end up in files a team shares for audit.
var secretHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization", "Set-Cookie", "X-Api-Key"}

// Archive writes every HTTP exchange of one run as WARC 1.1 records (ISO 28500), one gzip member
// per record, into files named <prefix>-NNNNN.warc.gz in one directory.
type Archive struct {
	dir    string
	prefix string
	w      *gowarc.WarcFileWriter
	mu     sync.Mutex      // orders request/response pairs so a response's offset is known on return
	cut    map[string]bool // files Cut has returned (archive_cut.go)
}

// OpenArchive starts an archive in dir (created if missing); prefix is normally the run id.
// Files are written as *.open and renamed when closed, so a crash leaves no file that looks complete.
func OpenArchive(dir, prefix string) (*Archive, error) { return OpenArchiveAt(dir, prefix, 0) }

// OpenArchiveAt is OpenArchive numbering its files after the first `existing` ones: a resumed run
// adds files beside those its first process wrote.
func OpenArchiveAt(dir, prefix string, existing int) (*Archive, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating archive directory: %w", err)
	}
	names := &gowarc.PatternNameGenerator{
		Directory: dir,
		Prefix:    prefix,
		Pattern:   "%{prefix}s-%05{serial}d.%{ext}s",
		Extension: "warc",
		Serial:    int32(existing),
	}
	gowarcOptions.Lock()
	defer gowarcOptions.Unlock()
	w := gowarc.NewWarcFileWriter(
		gowarc.WithFileNameGenerator(names),
		gowarc.WithCompression(true),
		gowarc.WithMaxConcurrentWriters(1),
		gowarc.WithMaxFileSize(256<<20),
		gowarc.WithAddWarcConcurrentToHeader(true),
	)
	return &Archive{dir: dir, prefix: prefix, w: w}, nil
}

// Close flushes and closes the current file.
func (a *Archive) Close() error {
	if err := a.w.Close(); err != nil {
		return fmt.Errorf("closing archive %s: %w", a.dir, err)
	}
	return nil
}

// WriteExchange archives one request and its response (status line, headers and the body as
// received) and returns the response's lineage. WARCFile is the file's base name.
func (a *Archive) WriteExchange(req *http.Request, resp *http.Response, body []byte, fetchedAt time.Time) (Lineage, error) {
	date := fetchedAt.UTC().Format(time.RFC3339Nano)
	target := req.URL.String()

	a.mu.Lock()
	defer a.mu.Unlock()
	reqRec, err := buildRecord(gowarc.Request, target, date, "application/http;msgtype=request", requestBytes(req))
	if err != nil {
		return Lineage{}, fmt.Errorf("archiving request %s: %w", target, err)
	}
	respRec, err := buildRecord(gowarc.Response, target, date, "application/http;msgtype=response", responseBytes(resp, body))
	if err != nil {
		return Lineage{}, fmt.Errorf("archiving response %s: %w", target, err)
	}
	respID := respRec.WarcHeader().GetId(gowarc.WarcRecordID)

	// Response first: its offset is what lineage points at, and WARC-Concurrent-To links the pair.
	results := a.w.Write(respRec, reqRec)
	if len(results) == 0 {
		return Lineage{}, fmt.Errorf("archiving %s: archive is closed", target)
	}
	for _, r := range results {
		if r.Err != nil {
			return Lineage{}, fmt.Errorf("archiving %s: %w", target, r.Err)
		}
	}
	sum := sha256.Sum256(body)
	return Lineage{
		URL:          target,
		FetchedAt:    fetchedAt.UTC(),
		HTTPStatus:   resp.StatusCode,
		BodySHA256:   hex.EncodeToString(sum[:]),
		WARCFile:     filepath.Base(results[0].FileName),
		WARCOffset:   results[0].FileOffset,
		WARCRecordID: respID,
	}, nil
}

// gowarcOptions serialises gowarc's constructors: each one builds default options, which writes a
// package global (uuid.EnableRandPool) — a data race when crawl workers archive and replay
// concurrently (found by go test -race).
var gowarcOptions sync.Mutex

func newWarcReader(path string, offset int64) (*gowarc.WarcFileReader, error) {
	gowarcOptions.Lock()
	defer gowarcOptions.Unlock()
	return gowarc.NewWarcFileReader(path, offset)
}

func buildRecord(kind gowarc.RecordType, target, date, contentType string, block []byte) (gowarc.WarcRecord, error) {
	gowarcOptions.Lock()
	defer gowarcOptions.Unlock()
	b := gowarc.NewRecordBuilder(kind,
		gowarc.WithAddMissingRecordId(true),
		gowarc.WithAddMissingContentLength(true),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha256"),
	)
	if _, err := b.Write(block); err != nil {
		return nil, err
	}
	b.AddWarcHeader(gowarc.WarcTargetURI, target)
	b.AddWarcHeader(gowarc.WarcDate, date)
	b.AddWarcHeader(gowarc.ContentType, contentType)
	rec, _, err := b.Build()
	return rec, err
}

func requestBytes(req *http.Request) []byte {
	var buf bytes.Buffer
	uri := req.URL.RequestURI()
	fmt.Fprintf(&buf, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, uri, req.URL.Host)
	var body []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	h := req.Header
	if len(body) > 0 {
		h = h.Clone()
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	writeHeaders(&buf, h)
	buf.WriteString("\r\n")
	buf.Write(body) // a POST form or JSON body is part of what was asked, and of the page's key
	return buf.Bytes()
}

func responseBytes(resp *http.Response, body []byte) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "HTTP/1.1 %d %s\r\n", resp.StatusCode, http.StatusText(resp.StatusCode))
	h := resp.Header.Clone()
	// Go's transport may have decoded the body; describe what is stored, not what was on the wire.
	h.Del("Content-Encoding")
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	writeHeaders(&buf, h)
	buf.WriteString("\r\n")
	buf.Write(body)
	return buf.Bytes()
}

func writeHeaders(buf *bytes.Buffer, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		if !isSecretHeader(k) && !isLineageHeader(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(buf, "%s: %s\r\n", k, v)
		}
	}
}

func isSecretHeader(k string) bool {
	for _, s := range secretHeaders {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}

// ArchivedResponse is one response read back from an archive.
type ArchivedResponse struct {
	URL      string
	RecordID string
	Status   int
	Header   http.Header
	Body     []byte
}

// ReadResponse reads the response record at offset in the WARC file at path — the coordinates a
// raw record's lineage gives — so an auditor can re-hash the exact bytes a value came from.
func ReadResponse(path string, offset int64) (*ArchivedResponse, error) {
	r, err := newWarcReader(path, offset)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer r.Close()
	rec, err := r.Next()
	if err != nil {
		return nil, fmt.Errorf("reading %s at offset %d: %w", path, offset, err)
	}
	defer rec.Close()
	wr := rec.WarcRecord
	if wr.Type() != gowarc.Response {
		return nil, fmt.Errorf("reading %s at offset %d: record is %s, not a response", path, offset, wr.Type())
	}
	block, ok := wr.Block().(gowarc.HttpResponseBlock)
	if !ok {
		return nil, fmt.Errorf("reading %s at offset %d: response block is not HTTP", path, offset)
	}
	payload, err := block.PayloadBytes()
	if err != nil {
		return nil, fmt.Errorf("reading payload in %s at offset %d: %w", path, offset, err)
	}
	body, err := io.ReadAll(payload)
	if err != nil {
		return nil, fmt.Errorf("reading payload in %s at offset %d: %w", path, offset, err)
	}
	out := &ArchivedResponse{
		URL:      wr.WarcHeader().Get(gowarc.WarcTargetURI),
		RecordID: wr.WarcHeader().GetId(gowarc.WarcRecordID),
		Status:   block.HttpStatusCode(),
		Body:     body,
	}
	if hdr := block.HttpHeader(); hdr != nil {
		out.Header = *hdr
	}
	return out, nil
}

// ArchivedPage locates one archived response: what a later run needs to replay it, or to ask the
// site whether it changed.
type ArchivedPage struct {
	URL          string    `json:"url"`
	File         string    `json:"warc_file"` // base name in the source's archive directory
	Offset       int64     `json:"warc_offset"`
	RecordID     string    `json:"warc_record_id"`
	Status       int       `json:"status"`
	FetchedAt    time.Time `json:"fetched_at"`
	BodySHA256   string    `json:"body_sha256"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	// Method and RequestBody are set for requests other than GET (an AJAX list's POST form).
	Method      string `json:"method,omitempty"`
	RequestBody string `json:"request_body,omitempty"`
	// Unchanged counts the visits in a row that found the page unchanged; Skipped the runs since
	// its last visit, which carried it forward from the archive (see Schedule).
	Unchanged int `json:"unchanged_visits,omitempty"`
	Skipped   int `json:"skipped_runs,omitempty"`
}

// Key is the page's key in a page index: see RequestKey.
func (p ArchivedPage) Key() string {
	return RequestKey(p.Method, PageKey(p.URL), []byte(p.RequestBody))
}

// RequestKey identifies a request in page indexes: its path and query for a GET (see PageKey), and
// the method and body too for anything else, since one AJAX URL answers a different page per body.
func RequestKey(method, requestURI string, body []byte) string {
	if method == "" || method == http.MethodGet {
		return requestURI
	}
	return method + " " + requestURI + "\n" + string(body)
}

// IndexArchive reads the WARC files of dir named in files (base names; *.open files of a killed
// run included) and returns the last response archived for each page, keyed by PageKey. A truncated record at the end
// of a file — a crash mid-write — ends that file's index without error.
func IndexArchive(dir string, files []string) (map[string]ArchivedPage, error) {
	index := map[string]ArchivedPage{}
	for _, name := range files {
		if err := indexFile(dir, name, index); err != nil {
			return nil, err
		}
	}
	return index, nil
}

func indexFile(dir, name string, index map[string]ArchivedPage) error {
	r, err := newWarcReader(filepath.Join(dir, name), 0)
	if err != nil {
		return fmt.Errorf("indexing %s: %w", name, err)
	}
	defer r.Close()
	final := strings.TrimSuffix(name, ".open")
	// A request record follows its response (WARC-Concurrent-To); a request other than GET makes
	// the response's key include the method and body.
	pending := map[string]ArchivedPage{}
	defer func() {
		for _, p := range pending {
			index[p.Key()] = p
		}
	}()
	for {
		rec, err := r.Next()
		if err != nil {
			return nil // EOF, or the torn tail of a crashed writer
		}
		wr := rec.WarcRecord
		if wr != nil && wr.Type() == gowarc.Request {
			to := wr.WarcHeader().GetId(gowarc.WarcConcurrentTo)
			if p, ok := pending[to]; ok {
				delete(pending, to)
				if block, ok := wr.Block().(gowarc.HttpRequestBlock); ok {
					if m, _, found := strings.Cut(string(block.ProtocolHeaderBytes()), " "); found && m != http.MethodGet {
						if payload, err := block.PayloadBytes(); err == nil {
							b, _ := io.ReadAll(payload)
							p.Method, p.RequestBody = m, string(b)
						}
					}
				}
				index[p.Key()] = p
			}
			wr.Close()
			continue
		}
		if wr == nil || wr.Type() != gowarc.Response {
			if wr != nil {
				wr.Close()
			}
			continue
		}
		block, ok := wr.Block().(gowarc.HttpResponseBlock)
		if !ok {
			wr.Close()
			continue
		}
		payload, err := block.PayloadBytes()
		if err != nil {
			wr.Close()
			return nil
		}
		h := sha256.New()
		if _, err := io.Copy(h, payload); err != nil {
			wr.Close()
			return nil
		}
		p := ArchivedPage{
			URL:        wr.WarcHeader().Get(gowarc.WarcTargetURI),
			File:       final,
			Offset:     rec.Offset,
			RecordID:   wr.WarcHeader().GetId(gowarc.WarcRecordID),
			Status:     block.HttpStatusCode(),
			BodySHA256: hex.EncodeToString(h.Sum(nil)),
		}
		if t, err := time.Parse(time.RFC3339Nano, wr.WarcHeader().Get(gowarc.WarcDate)); err == nil {
			p.FetchedAt = t.UTC()
		}
		if hdr := block.HttpHeader(); hdr != nil {
			p.ETag, p.LastModified = hdr.Get("ETag"), hdr.Get("Last-Modified")
		}
		wr.Close()
		if p.Status == http.StatusNotModified {
			continue // a revalidation answer carries no body; the page it confirmed is elsewhere
		}
		pending[p.RecordID] = p
	}
}

// PageKey is how archived pages are looked up: path and query only. A crawl fetches one host, and
// the sample web (or a mirror) may come back on another port without the pages changing.
func PageKey(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.RequestURI()
}

// lineage is the page's lineage as a raw record column set.
func (p ArchivedPage) lineage() Lineage {
	return Lineage{URL: p.URL, FetchedAt: p.FetchedAt, HTTPStatus: p.Status, BodySHA256: p.BodySHA256,
		WARCFile: p.File, WARCOffset: p.Offset, WARCRecordID: p.RecordID}
}
