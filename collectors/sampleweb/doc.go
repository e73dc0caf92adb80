// Package sampleweb is a deterministic, local simulation of the source websites the fhi collectors
// crawl (the 2017 sites of the Fintech Hub Index report, /work/shared/FHI2017.md), with a ground
// truth to check the pipeline against.
//
// A World is fixed by Options{Seed, Scale, Day}: the same options give byte-identical pages.
// Scale 1 gives the 2017 volumes (2,953 operating fintech firms in the 36 sample cities: P2P 2,253,
// crowdfunding 247, payment 248, big-data credit 133, blockchain 72; plus closed and problem firms
// and a few firms in non-sample cities 苏州, 温州, 无锡, 佛山 that transforms must ignore; ~31,200
// postings, ~760 VC deals, ~190,000 P2P loans + ~12,500 crowdfunding projects, 2,500 survey
// responses). City-level statistics do not scale. Day N (≥ 0) evolves the world from the crawl
// date 2017-09-01: each day ~0.2% of operating P2P platforms close, a platform may open, and
// ~950 loans, ~200 postings, ~40 projects and 0–1 deals are appended (scaled).
//
// # HTTP
//
// All sites are path prefixes of one host. Every page carries ETag (hash of the body) and
// Last-Modified (2017-09-01 + the day its content last changed), answers 304 to If-None-Match or
// If-Modified-Since (If-None-Match wins), and sets a harmless cookie sw_visitor. Lists are ordered
// by id and only ever grow at the end, so across days only tail pages and changed detail pages get
// new validators. A page past the end of a list, a bad page number and unknown ids are 404.
//
//	/robots.txt   disallows /p2p/admin/, /registry/export, /vc/private/, /jobs-gbk/cgi-bin/ (pages link to them; they answer 403)
//
// p2p (UTF-8 HTML, the exact contract of the lead's collector):
//
//	/p2p/platforms?page=N          table.platforms tr.platform: td.name a[href=/p2p/platforms/{id}], td.city, td.status
//	                               (正常/停业/问题); 20 rows; div.pager span.current, a.next absent on the last page
//	/p2p/platforms/{id}            div.platform[data-id] h1.name, table.info td.address|capital|online|turnover|status|background
//	                               capital "5000万元" "1亿元" "5000万人民币" "1000万美元" "--"; turnover "12.35亿元" "8650万元" "--";
//	                               address forms 浙江省杭州市西湖区… 杭州市西湖区… 杭州西湖区… 北京市朝阳区… 广东深圳南山区…
//	/p2p/api/loans?page=N&size=M   JSON {page,size,loans:[{id,platform_id,platform,amount(yuan),rate(%),term_months,
//	                               borrower_city,purpose,type(信用/车贷/房贷),date}]}; size ≤ 100 (default 50), 400 above; 404 past the end
//
// registry (UTF-8 HTML):
//
//	/registry/search?q=KW&industry=S&page=N   q matches name or business scope; S one of p2p, crowdfunding, payment,
//	                               credit, blockchain, other; p.total span.count; table.results tr.company: td.name a, td.legal_rep,
//	                               td.status (存续/注销/吊销), td.city; pager as p2p
//	/registry/companies/{id}       div.company h1.name, td.credit_code|legal_rep|capital ("5000万人民币", "1000万美元")|founded
//	                               |status|industry (网络借贷, 互联网众筹, 第三方支付, 征信服务, 区块链, 其他)|address|scope
//
// jobs-api (JSON) and jobs-gbk (HTML encoded in GBK, Content-Type "text/html; charset=GBK"); disjoint postings:
//
//	/jobs-api/api/jobs?page=N&size=M[&city=杭州|3301]   {page,size,jobs:[{id,title,company,city,district,salary
//	                               ("15k-30k" or 面议),education(不限/大专/本科/硕士/博士),posted}]}
//	/jobs-gbk/list?page=N[&city=…] table.joblist tr.job: td.title a[href=/jobs-gbk/job/{id}.html], td.company,
//	                               td.location ("上海-浦东新区"), td.salary ("1-1.5万/月", "6-8千/月", "10-20万/年", "面议"), td.edu, td.date
//	/jobs-gbk/job/{id}.html        div.job p.company|location|salary|edu|date
//
// vc (like IT桔子):
//
//	/vc/deals?page=N               ul.deals li.deal: a.company[href=/vc/deals/{id}], span.round, span.date
//	/vc/deals/{id}                 div.deal h1.company, dd.product|round|amount|date|investors (span.investor)|location|industry;
//	                               round 天使轮/Pre-A/A轮/B轮/C轮/战略投资; date "2017.11.8"; amount "1200万人民币", "1.2亿元",
//	                               "500万美元", "数百万人民币", "数千万人民币", "数亿人民币", "未透露"
//
// crowdfunding:
//
//	/crowdfunding/platforms        table.cf-platforms tr.cf-platform[data-id]: td.name|city|status|raised (万元, all its projects)
//	/crowdfunding/projects?page=N  table.projects tr.project[data-id]: td.title, td.platform[data-id], td.category, td.city
//	                               (project city), td.target ("20万元"), td.raised ("23.50万元"), td.backers, td.date
//
// licensees (full lists, one table each: tr.licensee[data-id] td.licence|company|brand|city|capital|status|volume):
//
//	/licensees/payment             volume = 2016 transactions, 亿元
//	/licensees/credit              volume = 2016 queries, 万次
//	/licensees/blockchain          volume = 2016 revenue, 万元        ("--" = unknown)
//
// city (one page per sample city code, e.g. 3301):
//
//	/city/{code}/bulletin          table.stats td.gdp|population|finance_va|tech_va|price_to_income|bank_outlets|broadband
//	                               |universities|institutes|students|st_spending|incubator_area
//	/city/{code}/report            the government work report, div.report p
//	/city/{code}/services          ul.services li.service span.channel (支付宝/微信)|name|category
//	/city/{code}/regulators        ul.regulators li.regulator
//	/city/{code}/baidu.json        {city, weeks:[{week, values:{金融科技, 互联网金融, Fintech}}]} (52 weeks of 2017)
//	/city/credit-users             table.credit-users tr.city[data-code] td.name|users|covered (万人)
//	/city/survey.xlsx              sheet 问卷: 编号, 城市, 年龄段, 职业, 是否使用网贷, 区块链了解程度, 了解程度(分) 1–5
//
// # Faults
//
// Faults (ParseFaults: "5xx=0.05,slow=0.01,slowdelay=500ms,drop=0.01,ratelimit=200,malformed,hostile,shift" or
// "all") are seeded per URL and attempt, so a retry may succeed: 429 + Retry-After: 1 above RateLimit
// requests/s (token bucket); 500/502/503 (503 with Retry-After); slow answers; dropped connections
// (hijacked and closed); malformed HTML on ~10% of HTML pages (closing td/tr dropped, stray tags);
// hostile entity names (script tags, quotes, SQL, formula injection, zero-width characters — a
// world-level fault, so the truth has them too); shifting lists (every 5 list requests the list
// moves by one item, up to 10, so items repeat across pages; none are lost). Always present:
// missing fields ("--"), outliers (viral crowdfunding projects raising 30–80× their target),
// realistic address and money forms.
//
// # Truth
//
// WriteTruth writes indicators.csv (city,<39 ids>; raw units) and platforms, firms, companies, jobs,
// deals, loans, projects, survey, services, city_stats CSVs and counts.json. "Operating" means
// status 正常; only the 36 sample cities have rows; a city with no record has 0. Definitions:
//
//	industry.S.firms          count of operating firms of sector S in the city (P2P directory; crowdfunding
//	                          platform list; licensee lists for payment, credit, blockchain)
//	industry.p2p.volume       Σ 2016 turnover of operating platforms, 亿元 ("--" = 0)
//	industry.crowdfunding.volume  Σ raised (万元) of all projects of the city's operating crowdfunding platforms
//	industry.payment.volume   Σ licensee volume (亿元) of operating firms; credit: 万次; blockchain: 万元
//	industry.S.capital        Σ VC deal amounts (万元) of the sector's firms in the city (all deals listed; 美元 ×6.75;
//	                          数百万 = 500, 数千万 = 5000, 数亿 = 30000, 未透露 = 0); for payment and credit plus
//	                          Σ registered capital (万元, registry) of the operating firms
//	industry.S.talent         over postings (both job sites) of the sector's firms in the city:
//	                          mean monthly salary midpoint (面议 excluded; /年 ÷ 12) × (1 + share of postings asking 硕士 or 博士)
//	                          (postings link to firms by company name = registry company name)
//	experience.p2p.online_borrowing          Σ loan amount (万元) with borrower_city = city
//	experience.crowdfunding.online_fundraising  Σ raised (万元) of projects whose project city = city
//	experience.payment.online_payment        number of city-service listings (支付宝 + 微信)
//	experience.credit.penetration            users / (covered population × 10⁴) × 100 (%)
//	experience.blockchain.familiarity        mean 了解程度(分) of the city's survey responses
//	ecosystem.business.gdp_per_capita        GDP (亿元) × 10⁴ / 常住人口 (万人), yuan
//	ecosystem.business.finance_industry      finance_va;  tech_industry: tech_va;  cost_of_living: price_to_income (cost)
//	ecosystem.infrastructure.financial       bank_outlets;  information: broadband
//	ecosystem.research.university            universities;  institutes: institutes;  talent_reserve: students / population × 10⁴
//	ecosystem.policy.spending                st_spending;  support: incubator_area
//	ecosystem.policy.attention               occurrences of 互联网金融, 金融科技 and 科技金融 in the work report
//	ecosystem.regulation.regulators          number of regulators listed
//	ecosystem.attention.baidu_heat           mean over the weeks of the sum of the three keywords' values
//
// Calibration (calib.go): per-city latent strengths reproduce the published findings — Shenzhen's
// 107 city services, Hangzhou's 6.54% credit penetration and the published user counts, average loan
// sizes (Chengdu 168,200, Wuhan 389,000, Chongqing 197,300, Hangzhou 82,800 yuan, exact at day 0),
// national loan shares (Hangzhou 8.8%, Shanghai 5.7%, Beijing 4.7%), mean salaries (Shanghai 9,575.67,
// Hangzhou 7,901.34 yuan, within ±0.5% because ranges print in whole 千) — and the index computed by the
// report's method ranks the published top 5 in order (see calib_test.go).
package sampleweb
