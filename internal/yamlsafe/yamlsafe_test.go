package yamlsafe

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// cyclicFramework is the 9-line framework that made `fhi lint` and `fhi score` grow without bound.
const cyclicFramework = `name: x
root: &r
  id: total
  weighting: {method: equal}
  children:
    - *r
    - *r
    - id: a
`

func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < levels; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 3; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"alias cycle", cyclicFramework, "inside the anchor &r"},
		{"self-containing anchor", "a: &x [*x]\n", "inside the anchor &x"},
		{"too many aliases", "a: &x 1\nb: [" + strings.Repeat("*x, ", MaxAliases) + "*x]\n", "more than 32 aliases"},
		{"exponential expansion", billionLaughs(10), "expand to more than"},
		{"too large", "a: " + strings.Repeat("x", MaxBytes) + "\n", "more than the 1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := Parse([]byte(tt.doc)); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Parse: %v, want ErrLimit saying %q", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Parse did not return within 5 s")
			}
		})
	}
}

func TestParseAcceptsModestAliases(t *testing.T) {
	doc := "defaults: &d {delay: 1s}\nsites:\n  a: *d\n  b: *d\n"
	if _, err := Parse([]byte(doc)); err != nil {
		t.Errorf("Parse of a file with two aliases: %v", err)
	}
	if n, err := Parse(nil); err != nil || n == nil {
		t.Errorf("Parse of an empty input: %v, %v", n, err)
	}
}

type crawlConfig struct {
	Delay       time.Duration `yaml:"delay"`
	Parallelism int           `yaml:"parallelism"`
	Name        string        `yaml:"name"`
}

type config struct {
	Sites map[string]string `yaml:"sites"`
	Crawl crawlConfig       `yaml:"crawl"`
	Tags  []string          `yaml:"tags"`
}

func TestDecodeStrictMessages(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"struct given a list", "crawl: [1, 2]\n", []string{"line 1: got a list, want a mapping"}},
		{"duration given a word", "crawl:\n  delay: soon\n", []string{"line 2: got a string `soon`, want a duration such as 500ms or 2m"}},
		{"int given a word", "crawl:\n  parallelism: many\n", []string{"line 2: got a string `many`, want a whole number"}},
		{"list given a mapping", "tags: {a: 1}\n", []string{"line 1: got a mapping, want a list"}},
		{"unknown key", "crawl:\n  dleay: 1s\n", []string{`line 2: unknown key "dleay"`}},
		{"two problems", "crawl: 3\ntags: {a: 1}\n", []string{"line 1: got a number `3`, want a mapping", "line 2: got a mapping, want a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c config
			err := DecodeStrict([]byte(tt.doc), &c)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, leak := range []string{"yamlsafe.", "crawlConfig", "config", "time.Duration", "!!"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q leaks %q", err, leak)
				}
			}
		})
	}
	var c config
	if err := DecodeStrict([]byte("crawl:\n  delay: 2s\nsites: {p2p: http://x}\n"), &c); err != nil || c.Crawl.Delay != 2*time.Second || c.Sites["p2p"] != "http://x" {
		t.Errorf("DecodeStrict of a good file: %v, %+v", err, c)
	}
	if err := DecodeStrict([]byte(cyclicFramework), &c); !errors.Is(err, ErrLimit) {
		t.Errorf("DecodeStrict of a cyclic file: %v, want ErrLimit", err)
	}
}
