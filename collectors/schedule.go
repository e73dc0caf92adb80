package collectors

import (
	"net/http"
	"net/url"

	"github.com/gocolly/colly/v2"
)

// Schedule is an incremental run's adaptive revisit schedule (after Nutch's
// AdaptiveFetchSchedule, counted in runs): list pages are fetched every run, since they reveal
// new and changed items; a detail page found unchanged on k visits in a row is next visited
// 2^(k+1) runs after its last visit (at most MaxInterval); until then its archived copy answers,
// and its records are carried forward with their lineage. Pages linked from a list page that
// changed are fetched at once, as is everything on a full refresh.
type Schedule struct {
	// Prev is the last good run's page index (its pages.json), keyed by ArchivedPage.Key.
	Prev map[string]ArchivedPage
	// AlwaysFetch tells list pages (Source.AlwaysFetch); nil fetches every page.
	AlwaysFetch func(*url.URL) bool
	MaxInterval int  // in runs; 0 means 16
	Full        bool // fetch every page (a full refresh)
}

// hdrRefresh marks, on a request, a page linked from a list page that changed: it is fetched
// even when the schedule would carry it forward. The transport removes it before sending.
const hdrRefresh = lineageHeaderPrefix + "Refresh"

// hdrChanged marks, on a response, a page fetched whose body differs from the previous run's.
const hdrChanged = lineageHeaderPrefix + "Changed"

// interval is how many runs after its last visit a page is due.
func (s *Schedule) interval(p ArchivedPage) int {
	limit := s.MaxInterval
	if limit <= 0 {
		limit = 16
	}
	if p.Unchanged >= 30 {
		return limit
	}
	return min(2<<p.Unchanged, limit)
}

// carry returns the archived page to answer req with instead of the network, if it is not due.
func (s *Schedule) carry(req *http.Request, key string) (ArchivedPage, bool) {
	if s == nil || s.Full || req.Header.Get(hdrRefresh) != "" {
		return ArchivedPage{}, false
	}
	p, ok := s.Prev[key]
	if !ok || p.Status != http.StatusOK || (s.AlwaysFetch != nil && s.AlwaysFetch(req.URL)) || s.AlwaysFetch == nil {
		return ArchivedPage{}, false
	}
	if p.Skipped+1 >= s.interval(p) {
		return ArchivedPage{}, false
	}
	return p, true
}

// next is the state a fetched page passes on: one more unchanged visit, or a fresh start.
func (s *Schedule) next(key string, page ArchivedPage, notModified bool) (ArchivedPage, bool) {
	if s == nil {
		return page, false
	}
	prev, ok := s.Prev[key]
	if !ok {
		return page, true
	}
	page.Skipped = 0
	if notModified || prev.BodySHA256 == page.BodySHA256 {
		page.Unchanged = prev.Unchanged + 1
		return page, false
	}
	page.Unchanged = 0
	return page, true
}

// Changed reports whether resp is a page fetched this run whose content differs from the
// previous run's (or is new): its links should be fetched rather than carried forward.
func (cr *Crawl) Changed(resp *colly.Response) bool {
	return resp.Headers != nil && resp.Headers.Get(hdrChanged) == "1"
}
