package sampleweb

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fhi-index/fhi/data"
)

// IndicatorIDs lists the level-3 indicator ids in framework order (the truth CSV's columns), as
// data/framework.yaml defines them: the simulator computes what the framework defines, in its units.
var IndicatorIDs = func() []string {
	ind, err := data.Indicators()
	if err != nil {
		panic(err) // the embedded framework is checked by data's and scoring's tests
	}
	ids := make([]string, len(ind))
	for i, x := range ind {
		ids[i] = x.ID
	}
	return ids
}()

// Indicators computes the true value of every indicator for every sample city from the world's
// entities, by each indicator's definition and in its unit in data/framework.yaml (money in yuan
// unless the unit says 万元 or 亿元). A printed value counts as its correct cleaned value: a posting's
// salary as its form means it (Job.MonthlyMid), a deal at its year's rate or its phrase's
// conventional value (Deal.AmountCNY). The map is city name → indicator id → value.
func (w *World) Indicators() map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, c := range w.SampleCities() {
		out[c.Name] = map[string]float64{}
	}
	add := func(c *City, id string, v float64) {
		if m := out[c.Name]; m != nil && c.Sample {
			m[id] += v
		}
	}
	for _, f := range w.Firms {
		if !f.Operating() {
			continue
		}
		add(f.City, "industry."+f.Sector+".firms", 1)
		if f.Volume > 0 {
			v := f.Volume
			if f.Sector == sectorP2P {
				v *= 1e4 // 万元 → yuan
			}
			add(f.City, "industry."+f.Sector+".volume", v)
		}
		if f.Sector == sectorPayment || f.Sector == sectorCredit {
			add(f.City, "industry."+f.Sector+".capital", f.Company.CapitalCNY()*1e4)
		}
	}
	for _, d := range w.Deals {
		add(d.Firm.City, "industry."+d.Firm.Sector+".capital", d.AmountCNY()*1e4)
	}
	type acc struct{ sum, n, paid, masters float64 }
	talent := map[string]*acc{}
	for _, j := range w.Jobs {
		key := j.City.Name + "|" + j.Firm.Sector
		a := talent[key]
		if a == nil {
			a = &acc{}
			talent[key] = a
		}
		a.n++
		if m, ok := j.MonthlyMid(); ok {
			a.sum += m
			a.paid++
		}
		if j.Education == "硕士" || j.Education == "博士" {
			a.masters++
		}
	}
	for _, c := range w.SampleCities() {
		for _, s := range sectors {
			if a := talent[c.Name+"|"+s]; a != nil && a.paid > 0 {
				out[c.Name]["industry."+s+".talent"] = a.sum / a.paid * (1 + a.masters/a.n)
			}
		}
	}
	for i := range w.Loans {
		add(w.Loans[i].City, "experience.p2p.online_borrowing", float64(w.Loans[i].Amount))
	}
	for i := range w.Projects {
		add(w.Projects[i].City, "experience.crowdfunding.online_fundraising", w.Projects[i].Raised*1e4)
	}
	for _, s := range w.Services {
		add(s.City, "experience.payment.online_payment", 1)
	}
	fam := map[string][2]float64{}
	for _, s := range w.Survey {
		x := fam[s.City.Name]
		fam[s.City.Name] = [2]float64{x[0] + float64(s.Familiarity), x[1] + 1}
	}
	for _, c := range w.SampleCities() {
		m, s := out[c.Name], c.Stats
		if x := fam[c.Name]; x[1] > 0 {
			m["experience.blockchain.familiarity"] = x[0] / x[1]
		}
		m["experience.credit.penetration"] = float64(s.CreditUsers) / (s.CoveredPop * 1e4) * 100
		m["ecosystem.business.gdp_per_capita"] = s.GDP2016 * 1e4 / s.Population
		m["ecosystem.business.finance_industry"] = s.FinanceVA
		m["ecosystem.business.tech_industry"] = s.TechVA
		m["ecosystem.business.cost_of_living"] = s.PriceToIncome
		m["ecosystem.infrastructure.financial"] = float64(s.BankOutlets)
		m["ecosystem.infrastructure.information"] = s.Broadband
		m["ecosystem.research.university"] = float64(s.Universities)
		m["ecosystem.research.institutes"] = float64(s.Institutes)
		m["ecosystem.research.talent_reserve"] = s.Students / s.Population * 1e4
		m["ecosystem.policy.spending"] = s.STSpending
		m["ecosystem.policy.support"] = s.IncubatorArea
		n := 0
		for _, k := range keywords {
			n += strings.Count(s.WorkReport, k)
		}
		m["ecosystem.policy.attention"] = float64(n)
		m["ecosystem.regulation.regulators"] = float64(len(s.Regulators))
		var heat float64
		for _, series := range s.BaiduHeat {
			for _, x := range series {
				heat += float64(x)
			}
		}
		if len(s.BaiduHeat[0]) > 0 {
			m["ecosystem.attention.baidu_heat"] = heat / float64(len(s.BaiduHeat[0]))
		}
	}
	return out
}

// Counts returns the number of records per site and entity kind.
func (w *World) Counts() map[string]int {
	c := map[string]int{
		"p2p/platforms": len(w.bySector[sectorP2P]), "p2p/loans": len(w.Loans), "lender/loans": w.LenderLoans(),
		"registry/companies": len(w.Companies), "vc/deals": len(w.Deals),
		"crowdfunding/platforms": len(w.bySector[sectorCrowdfunding]), "crowdfunding/projects": len(w.Projects),
		"licensees/payment": len(w.bySector[sectorPayment]), "licensees/credit": len(w.bySector[sectorCredit]),
		"licensees/blockchain": len(w.bySector[sectorBlockchain]), "city/services": len(w.Services),
		"city/survey": len(w.Survey), "city/cities": len(w.SampleCities()),
	}
	for _, j := range w.Jobs {
		c[j.Site+"/jobs"]++
	}
	for _, co := range w.Companies {
		if co.Industry != sectorOther {
			c["registry/fintech_companies"]++ // what an industry search can reach
		}
	}
	for _, city := range w.SampleCities() {
		c["city/regulators"] += len(city.Stats.Regulators)
		if len(city.Stats.BaiduHeat) > 0 {
			c["city/baidu_weeks"] += len(city.Stats.BaiduHeat[0])
		}
	}
	for _, f := range w.Firms {
		if f.Operating() && f.City.Sample {
			c["operating/"+f.Sector]++
			c["operating/all"]++
		}
	}
	return c
}

// WriteTruth writes the ground truth to dir: indicators.csv (city × 39 indicators, in
// data/framework.yaml's units), links.csv (every firm record of a linked source and the registry
// company it belongs to), one
// CSV per entity kind and counts.json. Each file is written atomically (temp file + rename).
func (w *World) WriteTruth(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing truth: %w", err)
	}
	files := []struct {
		name string
		fn   func() [][]string
	}{
		{"indicators.csv", w.truthIndicators},
		{"platforms.csv", w.truthPlatforms},
		{"firms.csv", w.truthFirms},
		{"companies.csv", w.truthCompanies},
		{"jobs.csv", w.truthJobs},
		{"deals.csv", w.truthDeals},
		{"loans.csv", w.truthLoans},
		{"projects.csv", w.truthProjects},
		{"survey.csv", w.truthSurvey},
		{"services.csv", w.truthServices},
		{"city_stats.csv", w.truthCityStats},
		{"links.csv", w.truthLinks},
	}
	for _, f := range files {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := cw.WriteAll(f.fn()); err != nil {
			return fmt.Errorf("writing truth %s: %w", f.name, err)
		}
		if err := writeAtomic(filepath.Join(dir, f.name), buf.Bytes()); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(w.Counts(), "", "  ")
	if err != nil {
		return fmt.Errorf("writing truth counts.json: %w", err)
	}
	return writeAtomic(filepath.Join(dir, "counts.json"), append(b, '\n'))
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func ff(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (w *World) truthIndicators() [][]string {
	ind := w.Indicators()
	rows := [][]string{append([]string{"city"}, IndicatorIDs...)}
	for _, c := range w.SampleCities() {
		row := []string{c.Name}
		for _, id := range IndicatorIDs {
			row = append(row, strconv.FormatFloat(ind[c.Name][id], 'f', 4, 64))
		}
		rows = append(rows, row)
	}
	return rows
}

func (w *World) truthPlatforms() [][]string {
	rows := [][]string{{"id", "name", "city", "sample", "status", "online", "turnover_wan", "capital_shown", "capital_wan_cny", "background", "company_id"}}
	for _, p := range w.bySector[sectorP2P] {
		rows = append(rows, []string{p.ID, p.Name, p.City.Name, strconv.FormatBool(p.City.Sample), p.Status, p.Online.Format("2006-01-02"),
			ff(p.Volume), strconv.FormatBool(p.CapitalOK), ff(p.Company.CapitalCNY()), p.Background, p.Company.ID})
	}
	return rows
}

func (w *World) truthFirms() [][]string {
	rows := [][]string{{"id", "sector", "name", "city", "sample", "status", "online", "volume", "licence", "company_id"}}
	for _, s := range sectors[1:] {
		for _, f := range w.bySector[s] {
			rows = append(rows, []string{f.ID, f.Sector, f.Name, f.City.Name, strconv.FormatBool(f.City.Sample), f.Status, f.Online.Format("2006-01-02"), ff(f.Volume), f.Licence, f.Company.ID})
		}
	}
	return rows
}

func (w *World) truthCompanies() [][]string {
	rows := [][]string{{"id", "name", "credit_code", "legal_rep", "capital_wan", "currency", "founded", "status", "city", "industry", "firm_id"}}
	for _, c := range w.Companies {
		fid := ""
		if c.Firm != nil {
			fid = c.Firm.ID
		}
		rows = append(rows, []string{c.ID, c.Name, c.CreditCode, c.LegalRep, ff(c.Capital), c.Currency, c.Founded.Format("2006-01-02"), c.Status, c.City.Name, c.Industry, fid})
	}
	return rows
}

func (w *World) truthJobs() [][]string {
	rows := [][]string{{"id", "site", "company", "firm_id", "sector", "city", "salary_monthly_mid", "education", "posted"}}
	for _, j := range w.Jobs {
		mid := ""
		if m, ok := j.MonthlyMid(); ok {
			mid = ff(m)
		}
		rows = append(rows, []string{j.ID, j.Site, j.Firm.Company.Name, j.Firm.ID, j.Firm.Sector, j.City.Name, mid, j.Education, j.Posted.Format("2006-01-02")})
	}
	return rows
}

func (w *World) truthDeals() [][]string {
	rows := [][]string{{"id", "firm_id", "company", "sector", "city", "round", "amount_wan_cny", "date"}}
	for _, d := range w.Deals {
		rows = append(rows, []string{d.ID, d.Firm.ID, d.Firm.Company.Name, d.Firm.Sector, d.Firm.City.Name, d.Round, ff(d.AmountCNY()), d.Date.Format("2006-01-02")})
	}
	return rows
}

func (w *World) truthLoans() [][]string {
	rows := make([][]string, 0, len(w.Loans)+1)
	rows = append(rows, []string{"id", "platform_id", "borrower_city", "amount", "rate", "term", "type", "date"})
	for i := range w.Loans {
		l := &w.Loans[i]
		rows = append(rows, []string{loanID(l), l.Platform.ID, l.City.Name, strconv.FormatInt(l.Amount, 10),
			strconv.FormatFloat(float64(l.Rate), 'f', 1, 32), strconv.Itoa(int(l.Term)), loanTypes[l.Type], dayDate(l.Date)})
	}
	return rows
}

func (w *World) truthProjects() [][]string {
	rows := [][]string{{"id", "platform_id", "city", "category", "target_wan", "raised_wan", "backers", "date"}}
	for i := range w.Projects {
		p := &w.Projects[i]
		rows = append(rows, []string{projectID(p), p.Platform.ID, p.City.Name, cfCategories[p.Category], ff(p.Target), ff(p.Raised), strconv.Itoa(int(p.Backers)), dayDate(p.Date)})
	}
	return rows
}

func (w *World) truthSurvey() [][]string {
	rows := [][]string{{"id", "city", "familiarity"}}
	for _, s := range w.Survey {
		rows = append(rows, []string{strconv.Itoa(s.ID), s.City.Name, strconv.Itoa(s.Familiarity)})
	}
	return rows
}

func (w *World) truthServices() [][]string {
	rows := [][]string{{"city", "channel", "name", "category"}}
	for _, s := range w.Services {
		rows = append(rows, []string{s.City.Name, s.Channel, s.Name, s.Category})
	}
	return rows
}

func (w *World) truthCityStats() [][]string {
	rows := [][]string{{"city", "code", "population_wan", "gdp_2016", "credit_users", "covered_pop_wan"}}
	for _, c := range w.SampleCities() {
		s := c.Stats
		rows = append(rows, []string{c.Name, c.Code, ff(s.Population), ff(s.GDP2016), strconv.Itoa(s.CreditUsers), ff(s.CoveredPop)})
	}
	return rows
}

// truthLinks lists every record of the sources the transform links to the registry (entity_links)
// with the registry company it is the record of: source, record key as the source's spec keys it,
// company id.
func (w *World) truthLinks() [][]string {
	rows := [][]string{{"source", "record_key", "company_id"}}
	for _, j := range w.Jobs {
		src := "jobs"
		if j.Site == "jobs-gbk" {
			src = "jobs_gbk"
		}
		rows = append(rows, []string{src, j.ID, j.Firm.Company.ID})
	}
	for _, d := range w.Deals {
		rows = append(rows, []string{"vc", d.ID, d.Firm.Company.ID})
	}
	for _, f := range w.Firms {
		switch f.Sector {
		case sectorP2P, sectorCrowdfunding:
			rows = append(rows, []string{f.Sector, f.ID, f.Company.ID})
		default:
			rows = append(rows, []string{"licensees", f.Sector + "/" + f.ID, f.Company.ID})
		}
	}
	return rows
}

func loanID(l *Loan) string       { return fmt.Sprintf("L%07d", l.ID) }
func projectID(p *Project) string { return fmt.Sprintf("cfp%06d", p.ID) }
func dayDate(d int32) string      { return baseDate.AddDate(0, 0, int(d)).Format("2006-01-02") }

var _ = sort.Strings
