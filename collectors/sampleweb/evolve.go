package sampleweb

import "math"

// evolve applies days 1…Day: each day some operating P2P platforms close (their pages change),
// a new platform may appear, and new loans, postings, projects and deals are appended at the end
// of their lists, so only the tail pages of lists and the changed detail pages change.
func (w *World) evolve() error {
	if w.opts.Day == 0 {
		return nil
	}
	used := map[string]bool{}
	for _, f := range w.Firms {
		used[f.Name] = true
	}
	cities, share, _ := w.loanShares()
	ccum := newCumulative(share)
	var jobFirms []*Firm
	for _, f := range w.Firms {
		if f.Operating() {
			jobFirms = append(jobFirms, f)
		}
	}
	cfs := w.bySector[sectorCrowdfunding]
	sample := w.SampleCities()
	for d := 1; d <= w.opts.Day; d++ {
		r := stream(w.opts.Seed, "day", d)
		var op []*Firm
		for _, p := range w.bySector[sectorP2P] {
			if p.Operating() {
				op = append(op, p)
			}
		}
		for range int(math.Max(1, math.Round(float64(len(op))*0.002))) {
			p := op[r.IntN(len(op))]
			if !p.Operating() {
				continue
			}
			p.Status = pick(r, []string{statusClosed, statusClosed, statusProblem})
			p.Modified, p.Company.Modified = d, d
		}
		if r.IntN(3) == 0 {
			c := sample[r.IntN(len(sample))]
			w.addFirm(w.newP2P(r, used, len(w.bySector[sectorP2P])+1, c, statusOperating, d))
		}
		plats, pcum := w.loanPlatforms()
		for range w.scaled(float64(totalLoans)/200, 1) {
			l := w.newLoan(r, plats[pcum.draw(r)], cities[ccum.draw(r)], d)
			l.ID = int32(len(w.Loans) + 1)
			w.Loans = append(w.Loans, l)
		}
		for range w.scaled(float64(totalJobs)/150, 1) {
			w.Jobs = append(w.Jobs, w.newJob(r, jobFirms[r.IntN(len(jobFirms))], d))
		}
		if len(cfs) > 0 {
			for range w.scaled(float64(totalProjects)/300, 1) {
				cf := cfs[r.IntN(len(cfs))]
				cf.Modified = d
				w.Projects = append(w.Projects, w.newProject(r, cf, sample[r.IntN(len(sample))], d))
			}
		}
		if r.IntN(2) == 0 {
			w.Deals = append(w.Deals, w.newDeal(r, jobFirms[r.IntN(len(jobFirms))], d))
		}
	}
	w.setCrowdfundingVolume()
	return nil
}
