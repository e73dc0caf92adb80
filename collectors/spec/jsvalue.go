package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// errNoScriptData marks a script that does not assign the variable a spec names.
var errNoScriptData = errors.New("no such assignment")

// assignedJSON finds the value assigned to name in JavaScript source (`var name = …`, `let name = …`,
// `window.name = …`, `name = …`) and returns it as JSON text. The value may be an object or array
// literal (JSON, or JavaScript with unquoted keys, single quotes and trailing commas), a string
// literal holding escaped JSON ('{\u0022a\u0022:1}'), or JSON.parse('…') of one.
func assignedJSON(src string, re *regexp.Regexp, name string) ([]byte, error) {
	for _, loc := range re.FindAllStringIndex(src, -1) {
		end := loc[1]
		if end < len(src) && src[end] == '=' {
			continue // ==, === : a comparison, not an assignment
		}
		v, _, err := jsValue(src, end)
		if err != nil {
			return nil, fmt.Errorf("value assigned to %s: %w", name, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("%w to %s", errNoScriptData, name)
}

// assignment matches name as a whole identifier path followed by "=".
func assignment(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\w$.])` + regexp.QuoteMeta(name) + `\s*=`)
}

// jsonpCall matches the start of a JSONP answer: callback(, /**/cb(, or typeof cb === 'function' && cb(.
var jsonpCall = regexp.MustCompile(`^\s*(?:/\*\*/\s*)?(?:typeof\s+[\w$.]+\s*===?\s*['"]function['"]\s*&&\s*)?[A-Za-z_$][\w$.]*\s*\(`)

// unwrapJSONP returns the argument of a JSONP call as JSON text, or ok false if body is not one.
func unwrapJSONP(body []byte) ([]byte, bool) {
	loc := jsonpCall.FindIndex(body)
	if loc == nil {
		return nil, false
	}
	v, _, err := jsValue(string(body), loc[1])
	if err != nil {
		return nil, false
	}
	return v, true
}

// jsValue reads one JavaScript value starting at src[i:] (leading space skipped) and returns it as
// JSON text and the index after it.
func jsValue(src string, i int) ([]byte, int, error) {
	i = skipSpace(src, i)
	if i >= len(src) {
		return nil, i, errors.New("no value")
	}
	if rest := src[i:]; strings.HasPrefix(rest, "JSON.parse(") {
		v, j, err := jsValue(src, i+len("JSON.parse("))
		if err != nil {
			return nil, j, err
		}
		j = skipSpace(src, j)
		if j < len(src) && src[j] == ')' {
			j++
		}
		return v, j, nil
	}
	switch c := src[i]; {
	case c == '\'' || c == '"' || c == '`':
		s, j, err := jsString(src, i)
		if err != nil {
			return nil, j, err
		}
		// A string literal holding data is escaped JSON (the shape of listData = '…'); a string
		// that is not JSON is kept as a JSON string.
		if t := strings.TrimSpace(s); json.Valid([]byte(t)) && t != "" {
			return []byte(t), j, nil
		}
		b, _ := json.Marshal(s)
		return b, j, nil
	case c == '{' || c == '[':
		j, err := matchBracket(src, i)
		if err != nil {
			return nil, j, err
		}
		lit := src[i:j]
		if json.Valid([]byte(lit)) {
			return []byte(lit), j, nil
		}
		b, err := jsLiteralToJSON(lit)
		return b, j, err
	default:
		j := i
		for j < len(src) && !strings.ContainsRune(",;)}\n\r", rune(src[j])) {
			j++
		}
		tok := strings.TrimSpace(src[i:j])
		if tok == "undefined" {
			tok = "null"
		}
		if !json.Valid([]byte(tok)) {
			return nil, j, fmt.Errorf("unsupported value %q", clip(tok))
		}
		return []byte(tok), j, nil
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			i++
		default:
			return i
		}
	}
	return i
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// matchBracket returns the index after the bracket closing the one at src[i], skipping strings
// and comments.
func matchBracket(src string, i int) (int, error) {
	var stack []byte
	for j := i; j < len(src); j++ {
		switch c := src[j]; c {
		case '\'', '"', '`':
			_, k, err := jsString(src, j)
			if err != nil {
				return k, err
			}
			j = k - 1
		case '/':
			if j+1 < len(src) && src[j+1] == '/' {
				for j < len(src) && src[j] != '\n' {
					j++
				}
			} else if j+1 < len(src) && src[j+1] == '*' {
				k := strings.Index(src[j+2:], "*/")
				if k < 0 {
					return len(src), errors.New("unterminated comment")
				}
				j += k + 3
			}
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			if len(stack) == 0 || (c == '}') != (stack[len(stack)-1] == '{') {
				return j, fmt.Errorf("unbalanced %q at offset %d", c, j-i)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, nil
			}
		}
	}
	return len(src), errors.New("unterminated literal")
}

// jsString decodes the JavaScript string literal starting at src[i] (its quote) and returns its
// value and the index after the closing quote.
func jsString(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == q:
			return b.String(), j + 1, nil
		case c == '\\':
			j++
			if j >= len(src) {
				return "", j, errors.New("unterminated string")
			}
			e := src[j]
			j++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			case '0':
				b.WriteByte(0)
			case '\n':
				// a line continuation
			case '\r':
				if j < len(src) && src[j] == '\n' {
					j++
				}
			case 'x':
				r, n := hexRune(src, j, 2)
				if n == 0 {
					return "", j, errors.New(`bad \x escape`)
				}
				b.WriteRune(r)
				j += n
			case 'u':
				r, n := unicodeEscape(src, j)
				if n == 0 {
					return "", j, errors.New(`bad \u escape`)
				}
				j += n
				if utf16.IsSurrogate(r) && strings.HasPrefix(src[j:], `\u`) {
					if r2, n2 := unicodeEscape(src, j+2); n2 > 0 {
						if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
							r = p
							j += 2 + n2
						}
					}
				}
				b.WriteRune(r)
			default:
				b.WriteByte(e) // \' \" \\ \/ and any other character stand for themselves
			}
		case (c == '\n' || c == '\r') && q != '`':
			return "", j, errors.New("newline in string")
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", j, errors.New("unterminated string")
}

// unicodeEscape reads the XXXX of \uXXXX or the {X…} of \u{X…} at src[i:].
func unicodeEscape(src string, i int) (rune, int) {
	if i < len(src) && src[i] == '{' {
		k := strings.IndexByte(src[i:], '}')
		if k < 2 || k > 7 {
			return 0, 0
		}
		v, err := strconv.ParseUint(src[i+1:i+k], 16, 32)
		if err != nil || v > utf8.MaxRune {
			return 0, 0
		}
		return rune(v), k + 1
	}
	return hexRune(src, i, 4)
}

func hexRune(src string, i, n int) (rune, int) {
	if i+n > len(src) {
		return 0, 0
	}
	v, err := strconv.ParseUint(src[i:i+n], 16, 32)
	if err != nil {
		return 0, 0
	}
	return rune(v), n
}

// jsLiteralToJSON rewrites a JavaScript object or array literal as JSON: single-quoted and
// template strings become JSON strings, bare keys are quoted, trailing commas and comments
// dropped, undefined becomes null and !0/!1 true/false (minifiers' forms).
func jsLiteralToJSON(lit string) ([]byte, error) {
	var out bytes.Buffer
	for i := 0; i < len(lit); {
		c := lit[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			s, j, err := jsString(lit, i)
			if err != nil {
				return nil, err
			}
			b, _ := json.Marshal(s)
			out.Write(b)
			i = j
		case c == '/' && i+1 < len(lit) && (lit[i+1] == '/' || lit[i+1] == '*'):
			if lit[i+1] == '/' {
				for i < len(lit) && lit[i] != '\n' {
					i++
				}
			} else {
				k := strings.Index(lit[i+2:], "*/")
				if k < 0 {
					return nil, errors.New("unterminated comment")
				}
				i += k + 4
			}
		case c == ',':
			j := skipSpace(lit, i+1)
			if j < len(lit) && (lit[j] == '}' || lit[j] == ']') {
				i = j // a trailing comma
				continue
			}
			out.WriteByte(c)
			i++
		case c == '!' && i+1 < len(lit) && (lit[i+1] == '0' || lit[i+1] == '1'):
			out.WriteString(map[byte]string{'0': "true", '1': "false"}[lit[i+1]])
			i += 2
		case isIdentStart(c):
			j := i
			for j < len(lit) && isIdentPart(lit[j]) {
				j++
			}
			word := lit[i:j]
			k := skipSpace(lit, j)
			switch {
			case k < len(lit) && lit[k] == ':':
				b, _ := json.Marshal(word)
				out.Write(b)
			case word == "undefined" || word == "NaN" || word == "Infinity":
				out.WriteString("null")
			default:
				out.WriteString(word) // true, false, null, or a number's exponent
			}
			i = j
		default:
			out.WriteByte(c)
			i++
		}
	}
	if !json.Valid(out.Bytes()) {
		return nil, fmt.Errorf("not a data literal: %q", clip(lit))
	}
	return out.Bytes(), nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
