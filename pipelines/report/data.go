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

	Sources []Source
	Quality []QualityRow
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
	// WeightSource says where Local came from, in words; Placeholder marks weights that rest on
	// placeholder judgements (the report published none).
	WeightSource string
	Placeholder  bool
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
	// Raw is the measured value (indicators only); nil when the city has none.
	Raw *float64
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
	Reasons          string // the commonest reasons, for a first look
}
