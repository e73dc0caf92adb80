package report

import "time"

// Data is everything the report shows, read from one publication.
type Data struct {
	PublishRun   string
	PublishedAt  time.Time
	ScoreRun     string
	TransformRun string
	// PreviousScoreRun is the score run published before this one; empty on a first publication.
	PreviousScoreRun string
	// Simulated comes from the run's own record (the collect manifests behind it), never from a
	// host name.
	Simulated   bool
	CodeVersion string
	// Options describes the modelling choices of the score run (normalisation, aggregation).
	Options string

	Nodes   []Node // framework order: the total, then level 1, 2 and 3
	Cities  []City // ordered by total rank
	Missing []string
	// Draws is the number of Monte Carlo draws behind City.P05Rank/P95Rank; 0 when none.
	Draws int

	// Judgements says where the AHP judgements behind levels 1–2 come from, per group, and
	// JudgementsFile the file they were read from ("" when not recorded). Placeholders lists the
	// groups whose judgements are placeholders (nobody elicited them).
	Judgements     []Judgement
	JudgementsFile string
	Placeholders   []string

	// Treatments is the outlier-treatment log of the indicators the framework treats (COINr
	// Treat()); Shapes checks the skew and kurtosis of the untreated ones by the same rule.
	Treatments []Treatment
	TreatSpec  string // the thresholds, in words
	Shapes     []Shape
	// Imputed lists every value the scoring imputed; Coverage the cities whose total rests on
	// less than all of the weight (missing children re-weighted away).
	Imputed  []Imputed
	Coverage []Coverage
	// Audit is the statistical audit of the scores; nil when it could not be computed.
	Audit *Audit
	// Sobol holds the variance-based sensitivity of the ranks, when the score run computed it.
	Sobol *Sobol

	Sources []Source
	Quality []QualityRow
	// QualityNote says where the transform's counts come from (the run's own copy, or why not);
	// QuarantineKnown is false when the published transform run's quarantine could not be read.
	QualityNote     string
	QuarantineKnown bool
	// Unlinked counts the firm records the transform kept without a registry link.
	Unlinked int64
	// OddNames are scraped names that need a look (markup, formula prefixes, invisible
	// characters); the page shows them exactly as scraped, as text.
	OddNames []OddName
}

// OddName is one scraped name with characters that break naive HTML, CSV or terminal handling.
type OddName struct {
	Table, RecordID, Name, Why string
}

// Node is one node of the framework with its weight.
type Node struct {
	ID, Parent   string
	Level        int
	Name, NameEN string
	// Method is how this node weights its children (groups only).
	Method string
	// Local is the weight within the parent, Effective the weight in the total.
	Local, Effective float64
	// WeightSource says where Local came from, in words. LocalPlaceholder marks a Local weight
	// computed from placeholder AHP judgements (its parent's); Placeholder marks a weight that
	// rests on them anywhere on the way from the root (so its Effective weight does).
	WeightSource     string
	LocalPlaceholder bool
	Placeholder      bool
	// Provenance is where the AHP judgements weighting this group's children come from
	// (placeholder, elicited, published); empty for other methods.
	Provenance string
	// Unit is an indicator's unit of measurement (data/framework.yaml); empty for groups.
	Unit string
	// CR is the AHP consistency ratio of this node's judgements (Method ahp, HasCR).
	CR    float64
	HasCR bool
	// Explained is the share of variance of the kept PCA factors (Method pca), 0 otherwise.
	Explained float64
	Note      string
}

// Score is one city's value on one node.
type Score struct {
	Score float64
	Rank  int
	// Raw is the indicator's value as the transform measured it, in the indicator's unit
	// (Node.Unit); nil when the city has none. Imputed names the rule that filled a missing value.
	Raw     *float64
	Imputed string
}

// City is one city and everything its profile shows.
type City struct {
	Code, Name, NameEN string
	Rank               int
	Scores             map[string]Score // node id → score
	// MedianRank, P05Rank, P95Rank: the rank over Monte Carlo draws (Data.Draws > 0).
	MedianRank       float64
	P05Rank, P95Rank int
	// PreviousRank is the total rank in the previous publication; 0 when not ranked there.
	PreviousRank int
	// Records counts the raw records behind the city's metrics, by source.
	Records []SourceCount
	// Firms names some of the firms behind its industry scores (scraped text: shown escaped).
	Firms []string
	// LineageCommand traces one of its scores back to archived bytes.
	LineageCommand string
	// Heat is the city's weekly Baidu search heat (the sum of its keywords' index), oldest first;
	// empty when the transform run kept none.
	Heat []HeatWeek
}

// HeatWeek is one week of Baidu search heat.
type HeatWeek struct {
	Week  time.Time // the week's first day
	Value float64   // index points
}

// Judgement is where one AHP group's judgements come from.
type Judgement struct {
	Group, Name, NameEN string
	Provenance          string // placeholder, elicited or published; "" when inline without one
	Who, When, How      string
	Experts             int
	CR                  float64
}

// Treatment is the outlier treatment of one indicator.
type Treatment struct {
	Indicator, Name, NameEN, Unit  string
	SkewBefore, KurtosisBefore     float64 // NaN when undefined
	Untestable                     bool
	Winsorised                     int
	SkewWinsorised, KurtWinsorised float64 // NaN when not winsorised
	LogCT                          bool
	SkewLog, KurtLog               float64 // NaN when log_CT was not applied
	Passed                         bool
	Points                         []TreatedPoint
}

// TreatedPoint is one treated value: the city and what was done (winsorised-high, -low, log_ct).
type TreatedPoint struct{ City, How string }

// Shape is the skew/kurtosis check of one untreated indicator.
type Shape struct {
	Indicator, Name, NameEN string
	Skew, Kurtosis          float64
	// Fails says the indicator would be treated under COINr's rule.
	Fails bool
}

// Imputed is one imputed value.
type Imputed struct {
	City, Indicator, Name, NameEN, Unit string
	Rule                                string // zero, min, mean, median, worst, group-mean …
	Value                               float64
}

// Coverage is a city whose total rests on part of the weight.
type Coverage struct {
	City       string
	Share      float64 // of the total's weight carried by available children
	Missing    int     // its indicators without a value
	Indicators []string
}

// Audit is the statistical audit of the index (JRC practice).
type Audit struct {
	Alpha, Collinear float64 // the thresholds used
	Flagged          []Correlation
	Groups           []GroupAudit
}

// Correlation is a flagged Pearson correlation between two nodes.
type Correlation struct {
	A, B      *Node
	R, P      float64
	N         int
	Flags     []string
	WithGroup bool // B is A's group
}

// GroupAudit is one group's consistency.
type GroupAudit struct {
	Group    *Node
	Children int
	Alpha    float64 // Cronbach's alpha; NaN when undefined
	FirstPC  float64 // share of variance of the first principal component; NaN when undefined
	Flagged  int
}

// Sobol is the variance-based sensitivity of every city's rank to the uncertain choices.
type Sobol struct {
	N    int
	Seed int64
	// Inputs are the uncertain choices with their mean indices over cities.
	Inputs []SobolInput
	// Volatile are the cities whose rank varies most, most first.
	Volatile []SobolCity
}

// SobolInput is one uncertain choice.
type SobolInput struct {
	Name         string
	Alternatives []string
	MeanFirst    float64
	MeanTotal    float64
}

// SobolCity is one city's rank variance and its indices, aligned with Sobol.Inputs.
type SobolCity struct {
	City         string
	BaseRank     int
	RankVariance float64
	First, Total []float64
}

// SourceCount is a number of records from one source.
type SourceCount struct {
	Source string
	Count  int64
}

// Source is one collect run behind the scores.
type Source struct {
	Source, Run, Host string
	Records           int64
	Simulated         bool
}

// QualityRow counts what one source lost or set aside.
type QualityRow struct {
	Source           string
	Records          int64
	FailedPages      int64
	QuarantinedPages int64
	QuarantinedRows  int64
	Unlinked         int64  // firm records kept without a registry link
	Reasons          string // the commonest reasons, for a first look
}
