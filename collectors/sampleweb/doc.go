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
//	/p2p/platforms/{id}            div.platform[data-id] h1.name, table.info td.location|address|credit_code|capital|online|turnover|status|background
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
//	                               |status|industry (网络借贷, 互联网众筹, 第三方支付, 征信服务, 区块链, 其他)|address|brands|scope
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
// # Printed forms
//
// The sites print the world's values in the messy shapes real sources have (gen_forms.go), each
// chosen by a hash of the entity's id: statuses in several spellings and in English (正常, normal,
// 正常运营, 停业或转型, 问题平台, 跑路, 运营中, 已下线, 注销); the P2P directory's 所在地 as 广东|深圳 and its
// addresses district-only, spaced (江苏省 南京市 玄武区…) or under a former city (山东省莱芜市莱城区… for
// 济南); list cities as 杭州市, 浙江杭州, 北京·朝阳区, 深圳-南山区; posting companies with the region in
// full-width brackets, without their legal form, with a stray space or a zero-width character; deal
// companies by their product's brand; deal locations as 广东-深圳 or 北京·朝阳区; deal amounts in 港元,
// 欧元, 日元, 英镑, 新加坡元 and as 数十万, 近亿, 亿元及以上, 超过2亿, 数千万美元, 未披露, 未透露美元; salaries as
// 15-30K·13薪, 15k以上, 8千-1.2万/月, 150-200元/天, 10-15万 (annual, no period), 薪资面议, 面谈. The
// registry prints each fintech company's brand (品牌) and the P2P directory most platforms' 统一社会信用代码,
// so records can be linked across sites.
//
// # Truth
//
// WriteTruth writes indicators.csv (city,<39 ids>) and platforms, firms, companies, jobs, deals,
// loans, projects, survey, services, city_stats and links CSVs and counts.json. The indicators are
// those of data/framework.yaml — each one's definition, unit and sources are there, read by
// IndicatorIDs — computed from the entities; "operating" means status 正常 whatever the spelling
// printed; only the 36 sample cities have rows; a city with no record has 0. Every printed value
// counts at its correct cleaned value, defined here from the entity and the reference data, never by
// a parser: a salary as its form means it (Job.MonthlyMid: ranges by their midpoint, /年 ÷ 12, /天 ×
// 21.75, 15k以上 its bound, ·13薪 the base pay), a deal at its year's average rate
// (data/currency_rates.csv) or its phrase's conventional value (data/amount_phrases.csv), undisclosed
// 0. links.csv names the registry company of every posting, deal, platform and licensee record.
//
// Calibration (calib.go): per-city latent strengths reproduce the published findings — Shenzhen's
// 107 city services, Hangzhou's 6.54% credit penetration and the published user counts, average loan
// sizes (Chengdu 168,200, Wuhan 389,000, Chongqing 197,300, Hangzhou 82,800 yuan, exact at day 0),
// national loan shares (Hangzhou 8.8%, Shanghai 5.7%, Beijing 4.7%), mean salaries (Shanghai 9,575.67,
// Hangzhou 7,901.34 yuan, within ±0.5% because ranges print in whole 千) — and the index computed by the
// report's method ranks the published top 5 in order (see calib_test.go).
package sampleweb
