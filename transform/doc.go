// Package transform turns raw Parquet records into cleaned tables and per-city metrics in DuckDB.
//
// The work is SQL: numbered steps in sql/ (embedded), run in file order inside one transaction, so a
// failed or interrupted transform leaves the previous tables untouched. Before the steps run, the
// runner loads the reference data (sample cities, prefecture-level divisions) and stages each
// source's raw Parquet files as a table raw_<source>. A step declares the sources it reads in a
// header line ("-- requires: p2p"); a step whose sources have no data is skipped and reported, and
// the indicators it would have produced are simply absent (the score stage reports them as
// without data, never as zero).
//
// Every step writes its indicators into the metrics table (indicator, city_code, city, value,
// n_records) and, for lineage, the records behind each value into metric_records. Cleaned tables keep
// each row's record_id and collect run, so any value can be followed back to the archived response.
// Rows that cannot be cleaned (an address that maps to no city, an unparseable amount) go to the
// quarantine table with a reason.
//
// The steps, the sources they require and the indicators they compute:
//
//	000_macros                   —                         fhi_amount_yuan (money strings → yuan)
//	010/020_p2p                  p2p                       industry.p2p.firms, .volume
//	030_licensees                licensees                 industry.{payment,credit,blockchain}.firms, .volume
//	040_crowdfunding             crowdfunding              industry.crowdfunding.firms, .volume
//	050_jobs                     jobs, jobs_gbk, registry  industry.*.talent (salary strings, postings linked to firms)
//	060_capital                  vc, licensees             industry.*.capital (VC deals; registered capital for payment, credit)
//	070/071_experience_*         p2p_loans / cf_projects   experience.p2p.online_borrowing, experience.crowdfunding.online_fundraising
//	080_city_stats               city_stats                ecosystem.business.*, .infrastructure.*, .research.*, .policy.spending, .support
//	081_city_reports             city_reports              ecosystem.policy.attention (keyword mentions)
//	082/083                      city_regulators / baidu_heat   ecosystem.regulation.regulators, ecosystem.attention.baidu_heat
//	090/091/092                  city_services / credit_users / survey   experience.payment / .credit / .blockchain
//
// Each indicator's definition matches the sample web's truth (collectors/sampleweb/doc.go); the
// pipelines truth tests check every value.
//
// Current-state tables are replaced on every run, so running the transform twice on the same
// inputs leaves identical tables; metric_history keeps each run's metrics under its run id for the
// score stage and for audits.
package transform
