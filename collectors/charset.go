package collectors

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// hdrCharsetProblem carries, from the transport to OnPage, why a body does not fit its charset.
const hdrCharsetProblem = lineageHeaderPrefix + "Charset-Problem"

// DecodeUTF8 is what the crawl does to every body before parsing: a textual body in another
// charset becomes UTF-8 and h's Content-Type says so.
func DecodeUTF8(h http.Header, body []byte) []byte {
	out, _ := DecodePage(h, body, "")
	return out
}

// DecodePage decodes a textual body to UTF-8 by the charset override, else the one declared in
// Content-Type, a byte-order mark, or a <meta> anywhere in the HTML head, else UTF-8 (HTML5's and
// JSON's default for these sites), and rewrites h's Content-Type to say utf-8. problem is set when
// the bytes do not fit that charset — invalid sequences that would decode to U+FFFD, or UTF-8
// bytes labelled as a legacy Chinese charset — i.e. the decoded text would be garbage.
// Binary bodies are returned as they are.
func DecodePage(h http.Header, body []byte, override string) (out []byte, problem string) {
	ct := h.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		mediaType, params, err = "text/html", map[string]string{}, nil
	}
	if err != nil || !isTextual(mediaType) {
		return body, ""
	}
	name, source := declaredCharset(mediaType, params, body, override)
	enc, canonical := charset.Lookup(name)
	if enc == nil {
		return body, fmt.Sprintf("unknown charset %q (%s)", name, source)
	}
	if canonical == "utf-8" {
		body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		if bad, total := invalidUTF8(body); tooMany(bad, total) {
			return body, fmt.Sprintf("%s says UTF-8 but %d of %d non-ASCII sequences are not UTF-8 (set charset: in the spec if the site mislabels it)", source, bad, total)
		}
		return body, ""
	}
	if multiByteCJK(canonical) {
		if n := utf8Runes(body); n >= 8 && utf8.Valid(body) {
			return body, fmt.Sprintf("%s says %s but the bytes are UTF-8 (%d multi-byte characters)", source, canonical, n)
		}
	}
	decoded, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body, fmt.Sprintf("decoding as %s (%s): %v", canonical, source, err)
	}
	if bad, total := replacements(decoded), nonASCII(decoded); tooMany(bad, total) {
		return body, fmt.Sprintf("%s says %s but %d of %d characters do not decode (U+FFFD)", source, canonical, bad, total)
	}
	params["charset"] = "utf-8"
	h.Set("Content-Type", mime.FormatMediaType(mediaType, params))
	return decoded, ""
}

func isTextual(mediaType string) bool {
	return strings.HasPrefix(mediaType, "text/") || strings.Contains(mediaType, "json") ||
		strings.Contains(mediaType, "xml") || strings.Contains(mediaType, "javascript")
}

// metaCharset finds <meta charset=…> and <meta http-equiv="Content-Type" content="…; charset=…">.
var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)`)

// declaredCharset names the body's charset and where that came from.
func declaredCharset(mediaType string, params map[string]string, body []byte, override string) (name, source string) {
	switch {
	case override != "":
		return override, "the spec's charset"
	case params["charset"] != "":
		return params["charset"], "Content-Type"
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return "utf-8", "a byte-order mark"
	case bytes.HasPrefix(body, []byte("\xff\xfe")):
		return "utf-16le", "a byte-order mark"
	case bytes.HasPrefix(body, []byte("\xfe\xff")):
		return "utf-16be", "a byte-order mark"
	}
	if strings.Contains(mediaType, "html") || mediaType == "text/plain" {
		// The whole head, not only the first 1024 bytes the HTML5 prescan reads: real pages put
		// scripts and styles before their <meta>.
		head := body
		if i := bytes.Index(bytes.ToLower(head[:min(len(head), 256<<10)]), []byte("</head")); i >= 0 {
			head = head[:i]
		} else {
			head = head[:min(len(head), 64<<10)]
		}
		if m := metaCharset.FindSubmatch(head); m != nil {
			return string(m[1]), "the page's <meta>"
		}
	}
	return "utf-8", "the default"
}

func multiByteCJK(canonical string) bool {
	switch canonical {
	case "gbk", "gb18030", "big5", "euc-jp", "shift_jis", "euc-kr", "iso-2022-jp":
		return true
	}
	return false
}

// tooMany is the line between a page with a few stray bytes and a page in another charset.
func tooMany(bad, total int) bool { return bad > 2 && bad*100 > total }

func invalidUTF8(b []byte) (bad, total int) {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r >= utf8.RuneSelf || r == utf8.RuneError {
			total++
			if r == utf8.RuneError && n <= 1 {
				bad++
			}
		}
		b = b[n:]
	}
	return bad, total
}

func utf8Runes(b []byte) int {
	n := 0
	for _, c := range b {
		if c >= 0xC0 {
			n++
		}
	}
	return n
}

func replacements(b []byte) int { return bytes.Count(b, []byte("\uFFFD")) }

func nonASCII(b []byte) int {
	n := 0
	for _, r := range string(b) {
		if r >= utf8.RuneSelf {
			n++
		}
	}
	return n
}
