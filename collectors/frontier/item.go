package frontier

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// An Item is one request to make: what the crawl engine needs to fetch a page and to parse it
// the way the page that linked it expected.
type Item struct {
	// Source is the registered source the page belongs to.
	Source string `json:"source"`
	// URL is absolute http(s). Its scheme and host are lower-cased, a default port and the
	// fragment dropped; path and query are kept as they are (sites differ on what they mean).
	URL string `json:"url"`
	// Method is GET when empty.
	Method string `json:"method,omitempty"`
	// Body is a POST form or JSON body; part of the item's identity.
	Body []byte `json:"body,omitempty"`
	// Header holds the request headers the page needs (Referer, Content-Type, X-Requested-With).
	// Never credentials: each worker adds those from its own environment, so the frontier refuses
	// Authorization, Cookie and API-key headers.
	Header http.Header `json:"header,omitempty"`
	// Page is the kind of page the linking page expects (a spec's page name), if known.
	Page string `json:"page,omitempty"`
	// Parent is the URL of the page that linked this one; Depth counts links from a start URL.
	Parent string `json:"parent,omitempty"`
	Depth  int    `json:"depth,omitempty"`
	// Context carries the linking request's context over (e.g. that a 404 ends a pagination
	// quietly).
	Context map[string]string `json:"context,omitempty"`
}

// Check reports what makes it an item the frontier refuses (ErrInvalid), before a commit that
// carries it is refused whole.
func (it Item) Check() error {
	_, err := it.normalize()
	return err
}

// credentialHeaders never enter the frontier: they would be stored in Redis and its AOF.
var credentialHeaders = []string{"Authorization", "Cookie", "X-Api-Key", "Proxy-Authorization"}

// normalize checks it and returns it with its URL canonical and its method upper-case.
func (it Item) normalize() (Item, error) {
	if !sourceName.MatchString(it.Source) {
		return it, fmt.Errorf("%w item %s: source %q is not a source name", ErrInvalid, it.URL, it.Source)
	}
	u, err := url.Parse(it.URL)
	if err != nil {
		return it, fmt.Errorf("%w item URL %q: not a URL", ErrInvalid, redact(it.URL))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return it, fmt.Errorf("%w item URL %q: want an absolute http(s) URL without user info", ErrInvalid, u.Redacted())
	}
	u.Host = strings.ToLower(u.Host)
	if p := u.Port(); (p == "80" && u.Scheme == "http") || (p == "443" && u.Scheme == "https") {
		u.Host = u.Hostname()
		if strings.Contains(u.Host, ":") {
			u.Host = "[" + u.Host + "]"
		}
	}
	u.Fragment, u.RawFragment = "", ""
	it.URL = u.String()
	it.Method = strings.ToUpper(it.Method)
	if it.Method == "" {
		it.Method = http.MethodGet
	}
	for _, h := range credentialHeaders {
		if it.Header.Get(h) != "" {
			return it, fmt.Errorf("%w item %s: header %s carries credentials, which workers take from their environment", ErrInvalid, it.URL, h)
		}
	}
	return it, nil
}

// redact hides a URL's password, even in a string that does not parse.
func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		return "…" + raw[i:]
	}
	return raw
}

// host is the lease's unit: host[:port] of the URL.
func (it Item) host() string {
	u, _ := url.Parse(it.URL) // normalized: parses
	return u.Host
}

// Key is the item's identity in the seen set, exact (no hashing of the URL, no Bloom filter):
// source, method and URL, and a hash of the body when there is one. It is only meaningful for a
// normalized item.
func (it Item) Key() string {
	k := it.Source + " " + it.Method + " " + it.URL
	if len(it.Body) > 0 {
		sum := sha256.Sum256(it.Body)
		k += " " + hex.EncodeToString(sum[:])
	}
	return k
}

// Work is an item handed to a worker: to be fetched, parsed, written durably, then committed.
type Work struct {
	Item
	// ID is the entry's id in its queue stream.
	ID string
	// Deliveries counts how often the entry was handed out, this time included; an entry that
	// keeps coming back (it crashes whoever fetches it) should be committed as failed.
	Deliveries int64
	queue      string
}

func (w Work) ref() string { return w.queue + " " + w.ID }

func decodeItem(s string) (Item, error) {
	var it Item
	if err := json.Unmarshal([]byte(s), &it); err != nil {
		return it, fmt.Errorf("decoding queue entry: %w", err)
	}
	return it, nil
}
