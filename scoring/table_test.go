package scoring

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestReadTableCSV(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name     string
		in       string
		want     Table
		line     int // >0: want a *ParseError at this line
		col      int
		contains string
	}{
		{name: "basic", in: "city,a,b\nX,1,2.5\nY,-3,1e3\n",
			want: Table{Units: []string{"X", "Y"}, Indicators: []string{"a", "b"}, Values: [][]float64{{1, 2.5}, {-3, 1000}}}},
		{name: "missing tokens", in: "unit,a,b,c\nX,,NA,nan\nY, null ,-,4\n",
			want: Table{Units: []string{"X", "Y"}, Indicators: []string{"a", "b", "c"}, Values: [][]float64{{nan, nan, nan}, {nan, nan, 4}}}},
		{name: "comments and spaces", in: "# header follows\nunit, a \n X ,1\n",
			want: Table{Units: []string{"X"}, Indicators: []string{"a"}, Values: [][]float64{{1}}}},
		{name: "header only", in: "unit,a\n", want: Table{Indicators: []string{"a"}}},
		{name: "bad number", in: "unit,a,b\nX,1,2\nY,1,abc\n", line: 3, col: 3, contains: `"abc"`},
		{name: "infinity", in: "unit,a\nX,Inf\n", line: 2, col: 2},
		{name: "ragged", in: "unit,a,b\nX,1\n", line: 2, contains: "got 2 fields, want 3"},
		{name: "duplicate unit", in: "unit,a\nX,1\nX,2\n", line: 3, col: 1, contains: "duplicate unit"},
		{name: "duplicate indicator", in: "unit,a,a\n", line: 1, col: 3, contains: "duplicate indicator"},
		{name: "empty indicator", in: "unit,a,\n", line: 1, col: 3},
		{name: "empty unit", in: "unit,a\n,1\n", line: 2, col: 1},
		{name: "no indicators", in: "unit\n", line: 1},
		{name: "empty", in: "", line: 1, contains: "empty table"},
		{name: "bad quote", in: "unit,a\n\"X,1\n", line: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTableCSV(strings.NewReader(tt.in))
			if tt.line > 0 {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("got %v, want *ParseError", err)
				}
				if pe.Line != tt.line || tt.col > 0 && pe.Column != tt.col {
					t.Errorf("got line %d column %d, want %d %d (%v)", pe.Line, pe.Column, tt.line, tt.col, err)
				}
				if !strings.Contains(err.Error(), tt.contains) {
					t.Errorf("got %q, want it to contain %q", err, tt.contains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got, cmpopts.EquateNaNs()); d != "" {
				t.Errorf("table mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseMatrixCSV(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		labels []string
		a01    float64
		line   int
	}{
		{name: "plain", in: "1,3\n1/3,1\n", a01: 3},
		{name: "header and labels", in: ",x,y\nx,1,1/5\ny,5,1\n", labels: []string{"x", "y"}, a01: 0.2},
		{name: "header only", in: "x,y\n1,2\n0.5,1\n", labels: []string{"x", "y"}, a01: 2},
		{name: "labels only", in: "x,1,2\ny,1/2,1\n", labels: []string{"x", "y"}, a01: 2},
		{name: "spaces and comment", in: "# judgments\n1, 1 / 4\n4, 1\n", a01: 0.25},
		{name: "not square", in: "1,3,5\n1/3,1,2\n", line: 1},
		{name: "bad cell", in: "1,3\n1/3,z\n", line: 2},
		{name: "zero", in: "1,0\n1,1\n", line: 1},
		{name: "divide by zero", in: "1,1/0\n1,1\n", line: 1},
		{name: "empty", in: "", line: 1},
		{name: "header mismatch", in: "a,b,c\n1,2\n1/2,1\n", line: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels, m, err := ParseMatrixCSV(strings.NewReader(tt.in))
			if tt.line > 0 {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line != tt.line {
					t.Fatalf("got %v, want *ParseError at line %d", err, tt.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.labels, labels); d != "" {
				t.Errorf("labels (-want +got):\n%s", d)
			}
			if !near(m.At(0, 1), tt.a01, 1e-15) {
				t.Errorf("a[0,1]: got %v, want %v", m.At(0, 1), tt.a01)
			}
		})
	}
}

func TestFormatJudgment(t *testing.T) {
	for a, want := range map[float64]string{3: "3", 1.0 / 3: "1/3", 1: "1", 0.125: "1/8", 2.5: "2.5", 0.4: "0.4"} {
		if got := FormatJudgment(a); got != want {
			t.Errorf("FormatJudgment(%v): got %q, want %q", a, got, want)
		}
		if b, err := ParseJudgment(FormatJudgment(a)); err != nil || !near(a, b, 1e-3*a) {
			t.Errorf("round trip %v: got %v, %v", a, b, err)
		}
	}
}

// FuzzReadTableCSV: ReadTableCSV never panics; a table it accepts survives a write/read round trip.
func FuzzReadTableCSV(f *testing.F) {
	f.Add("city,a,b\nX,1,2.5\nY,,NA\n")
	f.Add("unit,a\n\"X,Y\",1e300\n")
	f.Add("# c\nunit,a,b\nX,-0,0x1p-2\n")
	f.Add("unit,a\nX,1\nX,2\n")
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := ReadTableCSV(strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !strings.Contains(err.Error(), "reading table") {
				t.Fatalf("error is neither *ParseError nor wrapped: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteTableCSV(&buf, tab, "unit"); err != nil {
			t.Fatal(err)
		}
		again, err := ReadTableCSV(&buf)
		if err != nil {
			t.Fatalf("re-reading %q: %v", buf.String(), err)
		}
		if d := cmp.Diff(tab, again, cmpopts.EquateNaNs(), cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
	})
}

// FuzzParseMatrixCSV: ParseMatrixCSV never panics; what it accepts is square with positive
// finite judgments, and AHP on it either succeeds or reports a typed error.
func FuzzParseMatrixCSV(f *testing.F) {
	f.Add("1,3\n1/3,1\n")
	f.Add(",a,b,c\na,1,3,5\nb,1/3,1,2\nc,1/5,1/2,1\n")
	f.Add("1,5,6,7\n1/5,1,4,6\n1/6,1/4,1,4\n1/7,1/6,1/4,1\n")
	f.Add("x\n1\n")
	f.Add("1,-3\n-1/3,1\n") // issue 8: once read as a header row and a 1×1 matrix
	f.Add("1,NaN\nInf,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		labels, m, err := ParseMatrixCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		r, c := m.Dims()
		if r != c {
			t.Fatalf("accepted a %d×%d matrix", r, c)
		}
		if labels != nil && len(labels) != r {
			t.Fatalf("%d labels for %d rows", len(labels), r)
		}
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if a := m.At(i, j); !(a > 0) || math.IsInf(a, 0) {
					t.Fatalf("accepted judgment %v", a)
				}
			}
		}
		if r > 15 {
			return
		}
		res, err := AHP(m, SaatyRI)
		var ie *InconsistencyError
		if err == nil || errors.As(err, &ie) {
			s := 0.0
			for _, w := range res.Weights {
				s += w
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("weights sum to %v", s)
			}
		} else if !errors.Is(err, ErrNotReciprocal) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

// FuzzReadTableCSVAttributes: with an attribute column named, the reader never panics, keeps one
// attribute value per unit, and what it reads round-trips through WriteTableCSV.
func FuzzReadTableCSVAttributes(f *testing.F) {
	f.Add("unit,tier,a\nX,first,1\nY,,2\n", "tier")
	f.Add("unit,a,region\nX,1,east\nY,NA,west\n", "region")
	f.Add("unit,a\nX,1\n", "tier")
	f.Fuzz(func(t *testing.T, in, attr string) {
		tab, err := ReadTableCSV(strings.NewReader(in), attr)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !strings.Contains(err.Error(), "reading table") {
				t.Fatalf("error is neither *ParseError nor wrapped: %v", err)
			}
			return
		}
		if v := tab.Attribute(attr); len(v) != len(tab.Units) {
			t.Fatalf("attribute %q has %d values for %d units", attr, len(v), len(tab.Units))
		}
		var buf bytes.Buffer
		if err := WriteTableCSV(&buf, tab, "unit"); err != nil {
			t.Fatal(err)
		}
		again, err := ReadTableCSV(&buf, attr)
		if err != nil {
			t.Fatalf("re-reading %q: %v", buf.String(), err)
		}
		if d := cmp.Diff(tab, again, cmpopts.EquateNaNs(), cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
	})
}
