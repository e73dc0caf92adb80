// Package transform turns raw Parquet records into cleaned tables and per-city metrics in DuckDB.
//
// The work is SQL: numbered steps in sql/ (embedded), run in file order inside one transaction, so a
// failed or interrupted transform leaves the previous tables untouched. Before the steps run, the
// runner registers fhi's Go functions (fhi_nfkc), loads the reference tables of data/ (each a typed
// ref_* table with a data-dictionary comment per column) and stages each source's raw Parquet files
// as a table raw_<source>, adding any field of the source's spec the files lack as NULL. A step
// declares the sources it reads in a header line ("-- requires: p2p"); a step whose sources have no
// data is skipped and reported, and the indicators it would have produced are simply absent (the
// score stage reports them as without data, never as zero). An analyst's SQL directory
// (Inputs.SQLDir, StepsWith) adds or replaces steps and reference tables at run time; Lint checks
// it — and the embedded steps — by running every step on empty tables.
//
// Steps 000 and 001 define the cleaning macros every step uses: fhi_text (NFKC, invisible
// characters), fhi_places (a place text and its record's context to a prefecture-level city, or a
// problem: ambiguous, province only, outside the mainland), fhi_money (currencies at the year's rate,
// vague and undisclosed amounts), fhi_salary, fhi_status and fhi_sector (through data/ mappings),
// fhi_company_name and fhi_company_key, fhi_credit_code. The README's "Cleaning rules" state them.
//
// Every step writes its indicators into the metrics table (indicator, city_code, city, value,
// n_records) and, for lineage, the records behind each value into metric_records. Cleaned tables keep
// each row's record_id and collect run, so any value can be followed back to the archived response.
// Rows that cannot be cleaned go to the quarantine table with a reason and the value as printed.
//
// The steps, the sources they require and what they compute; each indicator's definition, unit and
// step are in data/framework.yaml, which Lint checks against the steps:
//
//	000_macros, 001_places       —                         the cleaning macros, ref_place_names
//	010/020_p2p                  p2p                       industry.p2p.firms, .volume
//	030_licensees                licensees                 industry.{payment,credit,blockchain}.firms, .volume
//	040_crowdfunding             crowdfunding              industry.crowdfunding.firms, .volume
//	050_registry                 registry                  clean_registry, entity_links, the linking macro fhi_link
//	051–056_links_*              registry + the source     entity_links for jobs, jobs_gbk, vc, p2p, crowdfunding, licensees
//	057_jobs                     jobs, jobs_gbk, registry  industry.*.talent (salaries, postings linked to firms)
//	060_capital                  vc, licensees             industry.*.capital (VC deals; registered capital for payment, credit)
//	070/071_experience_*         p2p_loans / cf_projects   experience.p2p.online_borrowing, experience.crowdfunding.online_fundraising
//	080_city_stats               city_stats                ecosystem.business.*, .infrastructure.*, .research.*, .policy.spending, .support
//	081_city_reports             city_reports              ecosystem.policy.attention (keyword mentions)
//	082/083                      city_regulators / baidu_heat   ecosystem.regulation.regulators, ecosystem.attention.baidu_heat
//	090/091/092                  city_services / credit_users / survey   experience.payment / .credit / .blockchain
//
// The sample web's truth computes the same definitions from its world (collectors/sampleweb); the
// pipelines truth tests check every value, and the linking against its links.csv.
//
// Current-state tables are replaced on every run, so running the transform twice on the same
// inputs leaves identical tables; metric_history keeps each run's metrics under its run id for the
// score stage and for audits.
package transform
