package collectors

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Lineage travels from the archiving transport to colly's callbacks in response headers with this
// prefix. Any such header a server sends is removed first, so a site cannot forge lineage.
const lineageHeaderPrefix = "Fhi-Lineage-"

const (
	hdrURL      = lineageHeaderPrefix + "Url"
	hdrFetched  = lineageHeaderPrefix + "Fetched-At"
	hdrSHA      = lineageHeaderPrefix + "Body-Sha256"
	hdrFile     = lineageHeaderPrefix + "Warc-File"
	hdrOffset   = lineageHeaderPrefix + "Warc-Offset"
	hdrRecordID = lineageHeaderPrefix + "Warc-Record-Id"
	hdrAttempts = lineageHeaderPrefix + "Attempts"
)

func isLineageHeader(k string) bool {
	return strings.HasPrefix(http.CanonicalHeaderKey(k), lineageHeaderPrefix)
}

// FetchError is a request that failed for good: every attempt errored or answered a retryable status.
type FetchError struct {
	URL      string
	Status   int // last HTTP status, 0 when no response arrived
	Attempts int
	Err      error
}

func (e *FetchError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("fetching %s: HTTP %d after %d attempts", e.URL, e.Status, e.Attempts)
	}
	return fmt.Sprintf("fetching %s: %v after %d attempts", e.URL, e.Err, e.Attempts)
}

func (e *FetchError) Unwrap() error { return e.Err }

// RetryPolicy says when and how long to wait before trying a request again.
type RetryPolicy struct {
	MaxAttempts int           // per request, first try included
	BaseDelay   time.Duration // backoff is BaseDelay·2^(attempt−1) with full jitter
	MaxDelay    time.Duration // cap on any single wait, Retry-After included
}

// retryableStatus lists the answers that say "try later" rather than "no".
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

func retryableError(err error) bool {
	// The caller has checked that the run itself is not cancelled, so a deadline here is the
	// attempt's own timeout.
	return isTimeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// archivingTransport archives every attempt of every request and retries transient failures, so
// that colly sees one final response carrying its lineage.
type archivingTransport struct {
	base    http.RoundTripper
	archive *Archive
	retry   RetryPolicy
	stats   *counters
	maxBody int64
	timeout time.Duration // per attempt, body included
	// replay answers these URLs from the archive; offline refuses every other URL.
	replay  map[string]ArchivedPage
	offline bool
	// revalidate asks the site whether these pages changed (If-None-Match / If-Modified-Since)
	// and replays the archived copy on 304 Not Modified.
	revalidate map[string]ArchivedPage
	schedule   *Schedule
	throttle   *throttle
	// limit is the politeness of a host, shared by the crawls of the process.
	limit func(host string) *hostLimit
	// charset overrides the charset pages declare (the source's spec says the site mislabels them).
	charset string
	gate    func(host string) error // Options.Gate

	mu      sync.Mutex
	rng     *rand.Rand
	pages   map[string]ArchivedPage
	damaged error // the first archived page an offline crawl could not replay
}

// RoundTrip answers one request of the crawl: from the archive when the run replays the page,
// else from the network (politely, with retries), archiving every attempt. A panic below it
// becomes the request's error.
func (t *archivingTransport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	defer func() {
		if v := recover(); v != nil {
			resp, err = nil, &FetchError{URL: req.URL.String(), Attempts: 1, Err: fmt.Errorf("%w: %v", ErrPanic, v)}
		}
	}()
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		// Interrupted: answer the queued requests at once, from the archive or not.
		return nil, err
	}
	target := req.URL.String()
	body, err := requestBody(req)
	if err != nil {
		return nil, &FetchError{URL: target, Err: err}
	}
	key := RequestKey(req.Method, req.URL.RequestURI(), body)
	if p, ok := t.replay[key]; ok {
		if t.offline {
			if err := t.damagedArchive(); err != nil {
				return nil, &FetchError{URL: target, Err: err} // the run fails anyway: stop reading
			}
		}
		resp, err := t.serveArchived(req, p, 0)
		if err == nil || t.offline {
			if err != nil {
				t.noteDamage(err)
			}
			return resp, err
		}
		// A resumed run whose archived copy is unreadable fetches the page again.
	} else if t.offline {
		return nil, &FetchError{URL: target, Err: ErrNotArchived}
	}
	if p, ok := t.schedule.carry(req, key); ok {
		p.Skipped++
		if resp, err := t.serveArchived(req, p, 0); err == nil {
			t.stats.update(func(s *Stats) { s.Carried++ })
			return resp, nil
		}
		// The copy to carry forward cannot be read back (a damaged or missing WARC record): the
		// page is due after all.
	}
	if req.Header.Get(hdrRefresh) != "" {
		req = req.Clone(ctx)
		req.Header.Del(hdrRefresh)
	}
	known, revalidating := t.revalidate[key]
	return t.fetch(req, key, body, known, revalidating)
}

// fetch requests req (page key, request body) from the site, retrying transient failures; when
// revalidating it asks whether known changed and replays it on 304 Not Modified.
func (t *archivingTransport) fetch(req *http.Request, key string, body []byte, known ArchivedPage, revalidating bool) (*http.Response, error) {
	ctx := req.Context()
	target := req.URL.String()
	orig := req
	if revalidating {
		req = req.Clone(ctx)
		if known.ETag != "" {
			req.Header.Set("If-None-Match", known.ETag)
		}
		if known.LastModified != "" {
			req.Header.Set("If-Modified-Since", known.LastModified)
		}
	}
	var limit *hostLimit
	if t.limit != nil {
		limit = t.limit(req.URL.Host)
	}
	for attempt := 1; ; attempt++ {
		t.stats.update(func(s *Stats) {
			s.Requests++
			if attempt > 1 {
				s.Retries++
			}
		})
		if err := t.throttle.wait(ctx, req.URL.Host); err != nil {
			return nil, err
		}
		release := func() {}
		if limit != nil {
			var err error
			if release, err = limit.acquire(ctx); err != nil {
				return nil, err
			}
		}
		if t.gate != nil {
			if err := t.gate(req.URL.Host); err != nil {
				release()
				return nil, &FetchError{URL: target, Attempts: attempt, Err: err}
			}
		}
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			req.ContentLength = int64(len(body))
		}
		fetchedAt := time.Now()
		resp, respBody, err := t.attempt(ctx, req)
		release()
		t.throttle.observe(req.URL.Host, time.Since(fetchedAt), resp, err)
		if err != nil {
			if ctx.Err() == nil && retryableError(err) && attempt < t.retry.MaxAttempts {
				if werr := sleep(ctx, t.backoff(attempt)); werr != nil {
					return nil, werr
				}
				continue
			}
			return nil, &FetchError{URL: target, Attempts: attempt, Err: err}
		}
		for k := range resp.Header {
			if isLineageHeader(k) {
				resp.Header.Del(k)
			}
		}
		t.stats.countStatus(resp.StatusCode, len(respBody))
		lin, err := t.archive.WriteExchange(req, resp, respBody, fetchedAt)
		if err != nil {
			return nil, err
		}
		if retryableStatus(resp.StatusCode) && attempt < t.retry.MaxAttempts {
			wait := t.backoff(attempt)
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = max(wait, min(ra, t.retry.MaxDelay))
			}
			if werr := sleep(ctx, wait); werr != nil {
				return nil, werr
			}
			continue
		}
		if revalidating && resp.StatusCode == http.StatusNotModified {
			t.stats.update(func(s *Stats) { s.NotModified++ })
			if t.schedule != nil {
				known, _ = t.schedule.next(key, known, true)
			}
			if r, err := t.serveArchived(req, known, attempt); err == nil {
				return r, nil
			}
			// The copy the site says is current cannot be read back (a damaged or missing WARC
			// record): download the page again, unconditionally.
			return t.fetch(orig, key, body, ArchivedPage{}, false)
		}
		page := ArchivedPage{URL: lin.URL, File: lin.WARCFile, Offset: lin.WARCOffset, RecordID: lin.WARCRecordID,
			Status: resp.StatusCode, FetchedAt: lin.FetchedAt, BodySHA256: lin.BodySHA256,
			ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
		if req.Method != http.MethodGet {
			page.Method, page.RequestBody = req.Method, string(body)
		}
		page, changed := t.schedule.next(key, page, false)
		t.record(page)
		out := t.respond(resp, respBody, lin, attempt)
		if changed {
			out.Header.Set(hdrChanged, "1")
		}
		return out, nil
	}
}

// ErrBodyTooLarge is a response longer than Options.MaxBodyBytes.
var ErrBodyTooLarge = errors.New("collectors: response body too large")

// ErrNotArchived is a request an offline (re-parse) crawl cannot answer from its archive.
var ErrNotArchived = errors.New("collectors: page is not in the archive being replayed")

// ErrArchiveDamaged marks an archived page that cannot be replayed as indexed: its WARC file or
// record is missing or truncated, or its body no longer hashes to the page index's SHA-256.
var ErrArchiveDamaged = errors.New("collectors: archive damaged")

// ArchiveError is an archived page that could not be replayed; it names the WARC file and the
// offset to look at, and matches ErrArchiveDamaged.
type ArchiveError struct {
	URL    string
	File   string // path of the WARC file
	Offset int64
	Err    error
}

func (e *ArchiveError) Error() string {
	return fmt.Sprintf("replaying %s from %s at offset %d: %v — the archive is damaged: restore the file from a backup, or crawl the source again", e.URL, e.File, e.Offset, e.Err)
}

func (e *ArchiveError) Unwrap() error { return e.Err }

func (e *ArchiveError) Is(target error) bool { return target == ErrArchiveDamaged }

// readArchived reads p back and checks its body against the hash its index recorded.
func (t *archivingTransport) readArchived(p ArchivedPage) (*ArchivedResponse, error) {
	path := filepath.Join(t.archive.dir, p.File)
	ar, err := ReadResponse(path, p.Offset)
	if err != nil {
		return nil, &ArchiveError{URL: p.URL, File: path, Offset: p.Offset, Err: unwrapPathErr(err, path, p.Offset)}
	}
	if p.BodySHA256 != "" {
		sum := sha256.Sum256(ar.Body)
		if got := hex.EncodeToString(sum[:]); got != p.BodySHA256 {
			return nil, &ArchiveError{URL: p.URL, File: path, Offset: p.Offset,
				Err: fmt.Errorf("body hashes to %s, the page index says %s", got, p.BodySHA256)}
		}
	}
	return ar, nil
}

// unwrapPathErr drops the "reading <path> at offset <n>:" ReadResponse puts in front, which
// ArchiveError says itself.
func unwrapPathErr(err error, path string, offset int64) error {
	msg := err.Error()
	for _, prefix := range []string{fmt.Sprintf("reading %s at offset %d: ", path, offset), fmt.Sprintf("reading payload in %s at offset %d: ", path, offset), "opening " + path + ": "} {
		if rest, ok := strings.CutPrefix(msg, prefix); ok {
			return errors.New(rest)
		}
	}
	return err
}

func (t *archivingTransport) noteDamage(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.damaged == nil {
		var ae *ArchiveError
		if errors.As(err, &ae) {
			t.damaged = ae
		}
	}
}

func (t *archivingTransport) damagedArchive() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.damaged
}

// DamagedArchive returns the first archived page an offline crawl (a re-parse) could not replay,
// an *ArchiveError; nil when every replay read back intact. Such a crawl must fail: its records
// would silently lack the pages it could not read.
func (cr *Crawl) DamagedArchive() error { return cr.transport.damagedArchive() }

// serveArchived answers req with an archived response, as if the site had sent it again; its
// lineage is the archived record's.
func (t *archivingTransport) serveArchived(req *http.Request, p ArchivedPage, attempts int) (*http.Response, error) {
	ar, err := t.readArchived(p)
	if err != nil {
		return nil, &FetchError{URL: p.URL, Attempts: attempts, Err: err}
	}
	t.stats.update(func(s *Stats) { s.Replayed++ })
	h := ar.Header
	if h == nil {
		h = http.Header{}
	}
	for k := range h {
		if isLineageHeader(k) {
			h.Del(k)
		}
	}
	resp := &http.Response{Status: http.StatusText(ar.Status), StatusCode: ar.Status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Request: req}
	t.record(p)
	return t.respond(resp, ar.Body, p.lineage(), attempts), nil
}

// respond hands colly a response with a UTF-8 body and the lineage headers.
func (t *archivingTransport) respond(resp *http.Response, body []byte, lin Lineage, attempts int) *http.Response {
	// The archive keeps the bytes as sent; parsers get UTF-8 (GBK sites decoded here, once).
	body, problem := DecodePage(resp.Header, body, t.charset)
	if problem != "" {
		resp.Header.Set(hdrCharsetProblem, problem)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	h := resp.Header
	h.Set(hdrURL, lin.URL)
	h.Set(hdrFetched, lin.FetchedAt.Format(time.RFC3339Nano))
	h.Set(hdrSHA, lin.BodySHA256)
	h.Set(hdrFile, lin.WARCFile)
	h.Set(hdrOffset, strconv.FormatInt(lin.WARCOffset, 10))
	h.Set(hdrRecordID, lin.WARCRecordID)
	h.Set(hdrAttempts, strconv.Itoa(attempts))
	return resp
}

// record remembers the page that answered a URL, for the run's page index.
func (t *archivingTransport) record(p ArchivedPage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pages == nil {
		t.pages = map[string]ArchivedPage{}
	}
	t.pages[p.Key()] = p
}

// requestBody reads a request's body once, so each attempt and the archive can have it.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err == nil {
			defer rc.Close()
			return io.ReadAll(rc)
		}
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

// attempt makes one try with its own timeout, reading the whole body before the timeout's context
// is released.
func (t *archivingTransport) attempt(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	resp, err := t.base.RoundTrip(req.Clone(ctx))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(body)) > t.maxBody {
		// A cut body would be archived and parsed as if whole; refuse it instead.
		return nil, nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, t.maxBody)
	}
	return resp, body, nil
}

// backoff is exponential with full jitter (AWS architecture blog's "full jitter"): a random wait in
// [0, min(MaxDelay, Base·2^(n−1))], which spreads retries of many workers apart.
func (t *archivingTransport) backoff(attempt int) time.Duration {
	ceiling := t.retry.BaseDelay << (attempt - 1)
	if ceiling <= 0 || ceiling > t.retry.MaxDelay {
		ceiling = t.retry.MaxDelay
	}
	if ceiling <= 0 {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return time.Duration(t.rng.Int64N(int64(ceiling) + 1))
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// lineageFrom reads back what the transport put on a response.
func lineageFrom(h http.Header) (Lineage, int, error) {
	offset, err := strconv.ParseInt(h.Get(hdrOffset), 10, 64)
	if err != nil {
		return Lineage{}, 0, fmt.Errorf("response carries no archive offset (was it fetched through the crawl's transport?): %w", err)
	}
	fetched, err := time.Parse(time.RFC3339Nano, h.Get(hdrFetched))
	if err != nil {
		return Lineage{}, 0, fmt.Errorf("response carries no fetch time: %w", err)
	}
	attempts, _ := strconv.Atoi(h.Get(hdrAttempts))
	return Lineage{
		URL:          h.Get(hdrURL),
		FetchedAt:    fetched,
		BodySHA256:   h.Get(hdrSHA),
		WARCFile:     h.Get(hdrFile),
		WARCOffset:   offset,
		WARCRecordID: h.Get(hdrRecordID),
	}, attempts, nil
}
