package collectors

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
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
	dir string
	w   *gowarc.WarcFileWriter
	mu  sync.Mutex // orders request/response pairs so a response's offset is known on return
}

// OpenArchive starts an archive in dir (created if missing); prefix is normally the run id.
// Files are written as *.open and renamed when closed, so a crash leaves no file that looks complete.
func OpenArchive(dir, prefix string) (*Archive, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating archive directory: %w", err)
	}
	names := &gowarc.PatternNameGenerator{
		Directory: dir,
		Prefix:    prefix,
		Pattern:   "%{prefix}s-%05{serial}d.%{ext}s",
		Extension: "warc",
	}
	w := gowarc.NewWarcFileWriter(
		gowarc.WithFileNameGenerator(names),
		gowarc.WithCompression(true),
		gowarc.WithMaxConcurrentWriters(1),
		gowarc.WithMaxFileSize(256<<20),
		gowarc.WithAddWarcConcurrentToHeader(true),
	)
	return &Archive{dir: dir, w: w}, nil
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

	reqRec, err := buildRecord(gowarc.Request, target, date, "application/http;msgtype=request", requestBytes(req))
	if err != nil {
		return Lineage{}, fmt.Errorf("archiving request %s: %w", target, err)
	}
	respRec, err := buildRecord(gowarc.Response, target, date, "application/http;msgtype=response", responseBytes(resp, body))
	if err != nil {
		return Lineage{}, fmt.Errorf("archiving response %s: %w", target, err)
	}
	respID := respRec.WarcHeader().GetId(gowarc.WarcRecordID)

	a.mu.Lock()
	defer a.mu.Unlock()
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

func buildRecord(kind gowarc.RecordType, target, date, contentType string, block []byte) (gowarc.WarcRecord, error) {
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
	writeHeaders(&buf, req.Header)
	buf.WriteString("\r\n")
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
	r, err := gowarc.NewWarcFileReader(path, offset)
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
