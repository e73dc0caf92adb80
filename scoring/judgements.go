package scoring

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/mat"
)

// Provenance statuses of AHP judgements (the judgements file's provenance key).
const (
	// ProvenancePlaceholder marks judgements nobody elicited: invented so the method runs. Every
	// output that shows weights derived from them must say so (Result.Placeholders).
	ProvenancePlaceholder = "placeholder"
	ProvenanceElicited    = "elicited"  // collected from the named experts as described under how
	ProvenancePublished   = "published" // taken from a publication named under how
)

var provenances = []string{ProvenancePlaceholder, ProvenanceElicited, ProvenancePublished}

// Judgements is where one AHP group's judgments come from, and the individual experts' matrices.
type Judgements struct {
	Provenance string   `json:"provenance"` // a Provenance* status; "" for inline judgments without one
	Who        string   `json:"who,omitempty"`
	When       string   `json:"when,omitempty"`
	How        string   `json:"how,omitempty"`
	Experts    []string `json:"experts,omitempty"` // expert names, in matrix order (may be empty)
	// Matrices are the experts' pairwise matrices over the group's children (from importance
	// scores or given), before their geometric mean; one per expert.
	Matrices []*mat.Dense `json:"-"`
}

func (j *Judgements) expertName(e int) string {
	if e < len(j.Experts) && j.Experts[e] != "" {
		return j.Experts[e]
	}
	return fmt.Sprint(e + 1)
}

// The judgements file schema (data/ahp_judgements.yaml).
type judgementsFile struct {
	Version string          `yaml:"version"`
	Note    string          `yaml:"note"`
	Groups  []judgmentGroup `yaml:"groups"`
}

type judgmentGroup struct {
	Group      string         `yaml:"group"`
	Provenance string         `yaml:"provenance"`
	Who        string         `yaml:"who"`
	When       string         `yaml:"when"`
	How        string         `yaml:"how"`
	Rule       string         `yaml:"rule"`
	Scale      float64        `yaml:"scale"`
	Matrix     [][]string     `yaml:"matrix"`
	Experts    []expertRecord `yaml:"experts"`
	index      int
}

// expertRecord is one expert's judgments: importance scores or a pairwise matrix.
type expertRecord struct {
	Name   string             `yaml:"name"`
	Scores map[string]float64 `yaml:"scores"`
	Matrix [][]string         `yaml:"matrix"`
}

func (js *judgementsFile) group(id string) *judgmentGroup {
	if js == nil {
		return nil
	}
	for i := range js.Groups {
		if js.Groups[i].Group == id {
			js.Groups[i].index = i
			return &js.Groups[i]
		}
	}
	return nil
}

// scores returns the experts' importance scores when every expert gives scores, else nil.
func (g *judgmentGroup) scores() []map[string]float64 {
	var out []map[string]float64
	for _, e := range g.Experts {
		if e.Scores == nil {
			return nil
		}
		out = append(out, e.Scores)
	}
	return out
}

// matrices returns the experts' matrices when every expert gives one, else nil.
func (g *judgmentGroup) matrices() [][][]string {
	var out [][][]string
	for _, e := range g.Experts {
		if e.Matrix == nil {
			return nil
		}
		out = append(out, e.Matrix)
	}
	return out
}

func (g *judgmentGroup) provenance() Judgements {
	j := Judgements{Provenance: g.Provenance, Who: g.Who, When: g.When, How: g.How}
	for _, e := range g.Experts {
		j.Experts = append(j.Experts, e.Name)
	}
	return j
}

// checkGroups validates the parts of the judgements file the framework does not see.
func (js *judgementsFile) check(b *builder) {
	if js == nil {
		return
	}
	seen := map[string]bool{}
	for i, g := range js.Groups {
		p := fmt.Sprintf("judgements.groups[%d]", i)
		if g.Group == "" {
			b.fail(p+".group", "required")
		} else if seen[g.Group] {
			b.fail(p+".group", "duplicate group %q", g.Group)
		}
		seen[g.Group] = true
		if g.Provenance == "" {
			b.fail(p+".provenance", "required; want one of %s (say %s when nobody elicited them)", strings.Join(provenances, ", "), ProvenancePlaceholder)
		} else {
			b.checkEnum(p+".provenance", g.Provenance, provenances)
		}
		if g.Provenance != ProvenancePlaceholder {
			for k, v := range map[string]string{"who": g.Who, "when": g.When, "how": g.How} {
				if strings.TrimSpace(v) == "" {
					b.fail(p+"."+k, "required for %s judgements", g.Provenance)
				}
			}
		}
		var scores, matrices int
		for e, ex := range g.Experts {
			if ex.Scores != nil && ex.Matrix != nil {
				b.fail(fmt.Sprintf("%s.experts[%d]", p, e), "give scores or a matrix, not both")
			}
			if ex.Scores != nil {
				scores++
			}
			if ex.Matrix != nil {
				matrices++
			}
		}
		if scores > 0 && matrices > 0 {
			b.fail(p+".experts", "every expert of a group gives the same kind of judgments (%d give scores, %d matrices)", scores, matrices)
		}
		if scores+matrices < len(g.Experts) {
			b.fail(p+".experts", "every expert needs scores or a matrix")
		}
		if g.Matrix != nil && len(g.Experts) > 0 {
			b.fail(p, "give matrix or experts, not both")
		}
		if g.Matrix == nil && len(g.Experts) == 0 {
			b.fail(p, "needs a matrix or experts")
		}
	}
}

// JudgmentRules tighten CheckJudgments.
type JudgmentRules struct {
	// Tolerance is the allowed |a_ij·a_ji − 1| and |a_ii − 1|; 0 means reciprocalTol (2%, for
	// published matrices that print 1/3 as 0.33).
	Tolerance float64
	// SaatyScale requires every judgment within Saaty's fundamental scale 1/9 … 9.
	SaatyScale bool
}

// JudgmentProblem is one bad cell of a pairwise matrix, 0-based; Msg says what is wrong with it.
type JudgmentProblem struct {
	I, J int
	Msg  string
}

// JudgmentError lists every bad cell of a pairwise matrix (CheckJudgments), with labels when
// known. It wraps ErrNotReciprocal.
type JudgmentError struct {
	Matrix   string // file or group name
	Labels   []string
	Problems []JudgmentProblem
}

func (e *JudgmentError) Error() string {
	var b strings.Builder
	name := e.Matrix
	if name == "" {
		name = "pairwise matrix"
	}
	fmt.Fprintf(&b, "%s: invalid judgments: ", name)
	for k, p := range e.Problems {
		if k > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s", cellName(p.I, p.J, e.Labels), p.Msg)
	}
	return b.String()
}

func (e *JudgmentError) Unwrap() error { return ErrNotReciprocal }

// cellName names a cell as "row 2, column 1" (1-based) or "a[p2p,payment]" with labels.
func cellName(i, j int, labels []string) string {
	if len(labels) > i && len(labels) > j {
		return fmt.Sprintf("a[%s,%s] (row %d, column %d)", labels[i], labels[j], i+1, j+1)
	}
	return fmt.Sprintf("row %d, column %d", i+1, j+1)
}

// CheckJudgments validates a pairwise-comparison matrix: every judgment positive and finite,
// the diagonal 1 and a_ji the reciprocal of a_ij within r.Tolerance, and with r.SaatyScale every
// judgment within 1/9 … 9. It returns every problem, row-major (a reciprocal mismatch is reported
// once, at the lower cell a_ji); nil when the matrix is valid. A non-square m is one problem.
func CheckJudgments(m *mat.Dense, r JudgmentRules) []JudgmentProblem {
	tol := r.Tolerance
	if tol <= 0 {
		tol = reciprocalTol
	}
	rows, cols := m.Dims()
	if rows != cols {
		return []JudgmentProblem{{I: 0, J: 0, Msg: fmt.Sprintf("matrix is %d×%d, want square", rows, cols)}}
	}
	var ps []JudgmentProblem
	bad := make([]bool, rows*rows)
	for i := 0; i < rows; i++ {
		for j := 0; j < rows; j++ {
			a := m.At(i, j)
			switch {
			case math.IsNaN(a) || math.IsInf(a, 0):
				ps = append(ps, JudgmentProblem{i, j, fmt.Sprintf("must be finite, got %v", a)})
				bad[i*rows+j] = true
			case !(a > 0):
				ps = append(ps, JudgmentProblem{i, j, fmt.Sprintf("must be positive, got %v", a)})
				bad[i*rows+j] = true
			case i == j && math.Abs(a-1) > tol:
				ps = append(ps, JudgmentProblem{i, j, "diagonal must be 1, got " + FormatJudgment(a)})
				bad[i*rows+j] = true
			case r.SaatyScale && (a > 9*(1+1e-9) || a < 1/(9*(1+1e-9))):
				ps = append(ps, JudgmentProblem{i, j, "outside Saaty's scale 1/9 … 9, got " + FormatJudgment(a)})
				bad[i*rows+j] = true
			}
		}
	}
	for i := 0; i < rows; i++ {
		for j := i + 1; j < rows; j++ {
			if bad[i*rows+j] || bad[j*rows+i] {
				continue
			}
			if a, b := m.At(i, j), m.At(j, i); math.Abs(a*b-1) > tol {
				ps = append(ps, JudgmentProblem{j, i, fmt.Sprintf("must be the reciprocal of matrix[%d][%d]=%s, got %s", i, j, FormatJudgment(a), FormatJudgment(b))})
			}
		}
	}
	return ps
}

// GroupAHPResult is the outcome of AHPGroup: each member's own eigen-analysis and that of their
// element-wise geometric mean (Aczél & Saaty 1983).
type GroupAHPResult struct {
	Members  []AHPResult `json:"members"`
	Combined AHPResult   `json:"combined"`
	// Matrix is the geometric-mean matrix the combined weights come from.
	Matrix [][]float64 `json:"matrix"`
}

// ErrGroupShape reports matrices of different sizes in one AHP group.
var ErrGroupShape = errors.New("scoring: group matrices differ in size")

// AHPGroup combines several experts' pairwise matrices by element-wise geometric mean and runs
// AHP on each and on the combination. Each matrix must pass CheckJudgments(r) (a *JudgmentError
// naming member and cell otherwise). An inconsistent member (CR ≥ 0.10) or combination returns
// the full result together with every *InconsistencyError joined, members named by their
// 1-based index in Matrix ("expert 2"), so callers can name files.
func AHPGroup(ms []*mat.Dense, ri RandomIndex, r JudgmentRules) (GroupAHPResult, error) {
	if len(ms) == 0 {
		return GroupAHPResult{}, errors.New("scoring: AHPGroup needs at least one matrix")
	}
	n, _ := ms[0].Dims()
	for k, m := range ms {
		if rr, cc := m.Dims(); rr != n || cc != n {
			return GroupAHPResult{}, fmt.Errorf("expert %d: %d×%d matrix, expert 1 has %d×%d: %w", k+1, rr, cc, n, n, ErrGroupShape)
		}
		if ps := CheckJudgments(m, r); ps != nil {
			return GroupAHPResult{}, &JudgmentError{Matrix: fmt.Sprintf("expert %d", k+1), Problems: ps}
		}
	}
	var res GroupAHPResult
	var errs []error
	for k, m := range ms {
		a, err := AHP(m, ri)
		var ie *InconsistencyError
		if err != nil && !errors.As(err, &ie) {
			return GroupAHPResult{}, fmt.Errorf("expert %d: %w", k+1, err)
		}
		if ie != nil {
			ie.Matrix = fmt.Sprintf("expert %d", k+1)
			errs = append(errs, ie)
		}
		res.Members = append(res.Members, a)
	}
	gm := GeometricMeanMatrix(ms)
	res.Matrix = denseRows(gm)
	a, err := AHP(gm, ri)
	var ie *InconsistencyError
	if err != nil && !errors.As(err, &ie) {
		return GroupAHPResult{}, fmt.Errorf("combined matrix: %w", err)
	}
	if ie != nil {
		ie.Matrix = "geometric mean of the experts"
		errs = append(errs, ie)
	}
	res.Combined = a
	return res, errors.Join(errs...)
}

// JudgementsRef returns the judgements file a framework YAML names under judgements ("" for
// none), so a caller can read it before ParseFramework. It decodes nothing else.
func JudgementsRef(frameworkYAML []byte) (string, error) {
	var v struct {
		Judgements string `yaml:"judgements"`
	}
	if err := yaml.Unmarshal(frameworkYAML, &v); err != nil {
		return "", fmt.Errorf("decoding framework YAML: %w", err)
	}
	return v.Judgements, nil
}
