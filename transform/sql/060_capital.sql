-- requires: vc, licensees
-- industry.S.capital for the five sectors, in yuan:
--   Σ VC deal amounts of the sector's firms in the city (every deal listed, whatever the firm's
--   status), plus, for payment and credit, Σ registered capital of the operating licensees
--   (clean_licensees, step 030; the list's capital is the registry's).
-- A deal's sector is its industry label through ref_industry_labels (网络借贷, P2P → p2p …; 其他 is no
-- sector); its city is its location ("深圳", "广东-深圳", "北京·朝阳区", "深圳-南山区") by fhi_places.
-- Amounts are read by fhi_money at the rate of the deal's year: "1200万人民币", "1.2亿元", "500万美元",
-- "2000万港元", "300万欧元", "5亿日元"; vague amounts at their conventional values (数十万 50万, 数百万 500万,
-- 数千万 5000万, 近亿 1亿, 数亿 3亿, 亿元及以上 1亿, 超过N亿 N亿) with their range in amount_low/high_yuan;
-- 未透露 and its kin (with or without a currency) are undisclosed: kept as a record, adding 0.
-- Anything else is quarantined and adds nothing. Both sources are required: payment and credit
-- capital without the licence lists would be silently low.

CREATE OR REPLACE TEMP TABLE vc_place_input AS
SELECT DISTINCT fhi_value(location) AS place, NULL::VARCHAR AS context FROM raw_vc;
CREATE OR REPLACE TEMP TABLE vc_places AS SELECT * FROM fhi_places('vc_place_input');

CREATE OR REPLACE TABLE clean_vc_deals AS
WITH deals AS (
    SELECT record_id, run_id AS collect_run_id, deal_id, company, fhi_value(product) AS product,
           fhi_value(round) AS round, fhi_value(amount) AS amount,
           TRY_CAST(TRY_STRPTIME(date, ['%Y.%-m.%-d', '%Y-%m-%d', '%Y/%m/%d', '%Y年%m月%d日']) AS DATE) AS deal_date,
           fhi_value(investors) AS investors, fhi_value(location) AS location, fhi_value(industry) AS industry
    FROM raw_vc
),
parsed AS (SELECT d.*, fhi_money(d.amount, year(d.deal_date)) AS m, fhi_sector(d.industry) AS sector_label FROM deals d)
SELECT p.record_id, p.collect_run_id, p.deal_id, p.company, p.product, p.round,
       p.amount AS amount_raw, p.m.yuan AS amount_yuan, p.m.low_yuan AS amount_low_yuan, p.m.high_yuan AS amount_high_yuan,
       p.m.currency AS amount_currency, p.m.rate AS amount_rate,
       p.m.vague AS amount_vague, p.m.undisclosed AS amount_undisclosed, p.m.problem AS amount_problem,
       p.deal_date,
       p.investors, p.location AS location_raw, pl.city_code, pc.name AS city_name, pl.method AS place_method,
       pl.problem AS place_problem,
       c.code IS NOT NULL AS in_sample,
       p.industry AS industry_raw,
       CASE WHEN p.sector_label = 'other' THEN NULL ELSE p.sector_label END AS sector,
       p.sector_label IS NOT NULL AS industry_mapped
FROM parsed p
LEFT JOIN vc_places pl ON pl.place IS NOT DISTINCT FROM p.location
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities c ON c.code = pl.city_code;

COMMENT ON TABLE clean_vc_deals IS 'VC deals (source vc), amounts in yuan; step 060_capital';
COMMENT ON COLUMN clean_vc_deals.record_id IS 'raw record id (lineage: raw_vc and the archived page)';
COMMENT ON COLUMN clean_vc_deals.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_vc_deals.deal_id IS 'the list''s deal id';
COMMENT ON COLUMN clean_vc_deals.company IS 'company as printed (a legal name, or a brand)';
COMMENT ON COLUMN clean_vc_deals.product IS 'product (brand) as printed';
COMMENT ON COLUMN clean_vc_deals.round IS 'round as printed (天使轮, A轮 …)';
COMMENT ON COLUMN clean_vc_deals.amount_raw IS 'amount as printed';
COMMENT ON COLUMN clean_vc_deals.amount_yuan IS 'amount, yuan, at the deal year''s average rate; a vague amount''s conventional value; NULL when undisclosed or unreadable';
COMMENT ON COLUMN clean_vc_deals.amount_low_yuan IS 'low end of the range the amount text allows, yuan (= amount_yuan when precise)';
COMMENT ON COLUMN clean_vc_deals.amount_high_yuan IS 'high end, yuan; NULL = unbounded (亿元及以上, 超过N亿)';
COMMENT ON COLUMN clean_vc_deals.amount_currency IS 'currency of the amount (ISO 4217)';
COMMENT ON COLUMN clean_vc_deals.amount_rate IS 'yuan per unit of amount_currency used (ref_currency_rates)';
COMMENT ON COLUMN clean_vc_deals.amount_vague IS 'the amount is a conventional value for a vague phrase (数千万, 近亿, 超过5亿 …)';
COMMENT ON COLUMN clean_vc_deals.amount_undisclosed IS 'the amount is undisclosed (未透露, 未披露 …): the deal adds 0';
COMMENT ON COLUMN clean_vc_deals.amount_problem IS 'why a printed amount could not be read';
COMMENT ON COLUMN clean_vc_deals.deal_date IS 'date of the deal';
COMMENT ON COLUMN clean_vc_deals.investors IS 'investors as printed';
COMMENT ON COLUMN clean_vc_deals.location_raw IS 'location as printed';
COMMENT ON COLUMN clean_vc_deals.city_code IS 'prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_vc_deals.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_vc_deals.place_method IS 'how the city was found (fhi_places)';
COMMENT ON COLUMN clean_vc_deals.place_problem IS 'why no city';
COMMENT ON COLUMN clean_vc_deals.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_vc_deals.industry_raw IS 'industry label as printed';
COMMENT ON COLUMN clean_vc_deals.sector IS 'the label''s fintech sector; NULL for 其他 or an unmapped label';
COMMENT ON COLUMN clean_vc_deals.industry_mapped IS 'the label is in ref_industry_labels';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'vc', record_id, 'place: ' || place_problem, location_raw
FROM clean_vc_deals WHERE city_code IS NULL
UNION ALL
SELECT 'vc', record_id, 'amount: ' || amount_problem, amount_raw
FROM clean_vc_deals WHERE amount_problem IS NOT NULL
UNION ALL
SELECT 'vc', record_id, 'industry not in data/industry_labels.csv', industry_raw
FROM clean_vc_deals WHERE NOT industry_mapped;

CREATE OR REPLACE TEMP TABLE capital_parts AS
SELECT 'industry.' || sector || '.capital' AS indicator, city_code, record_id, 'vc' AS source,
       collect_run_id, coalesce(amount_yuan, 0) AS yuan
FROM clean_vc_deals
WHERE in_sample AND sector IS NOT NULL AND (amount_yuan IS NOT NULL OR amount_undisclosed)
UNION ALL
SELECT 'industry.' || sector || '.capital', city_code, record_id, 'licensees', collect_run_id,
       registered_capital_yuan
FROM clean_licensees
WHERE in_sample AND operating AND sector IN ('payment', 'credit') AND registered_capital_yuan IS NOT NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT indicator, city_code, record_id, source, collect_run_id FROM capital_parts;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT i.indicator, c.code, c.name, coalesce(sum(p.yuan), 0), count(p.record_id)
FROM (VALUES ('industry.p2p.capital'), ('industry.crowdfunding.capital'), ('industry.payment.capital'),
             ('industry.credit.capital'), ('industry.blockchain.capital')) AS i(indicator)
CROSS JOIN ref_cities c
LEFT JOIN capital_parts p ON p.indicator = i.indicator AND p.city_code = c.code
GROUP BY i.indicator, c.code, c.name;

DROP TABLE capital_parts;
DROP TABLE vc_place_input;
DROP TABLE vc_places;
