-- requires: vc, licensees
-- industry.S.capital for the five sectors, in yuan:
--   Σ VC deal amounts of the sector's firms in the city (every deal listed, whatever the firm's
--   status), plus, for payment and credit, Σ registered capital of the operating (正常) licensees
--   (clean_licensees, step 030; the list's capital is the registry's).
-- A deal's sector is its industry label (网络借贷 p2p, 互联网众筹 crowdfunding, 第三方支付 payment,
-- 征信服务 credit, 区块链 blockchain; 其他 is no sector); its city is its location (a short name,
-- mapped through ref_city_prefixes). Amounts follow IT桔子's printing: "1200万人民币", "1.2亿元",
-- "500万美元" (×6.75); vague amounts take the index's conventional values 数百万 = 500万,
-- 数千万 = 5000万, 数亿 = 3亿; 未透露 (undisclosed) counts 0 and is kept as a record. Anything else
-- is quarantined and adds nothing. Both sources are required: payment and credit capital without
-- the licence lists would be silently low.

CREATE OR REPLACE TABLE clean_vc_deals AS
WITH deals AS (
    SELECT record_id, run_id AS collect_run_id, deal_id, company, product, round, amount, date,
           investors, location, industry
    FROM raw_vc
),
matches AS (
    SELECT d.record_id, fhi_city_code(d.location) AS city_code, fhi_city_name(d.location) AS city_name
    FROM deals d
),
parsed AS (
    SELECT d.*,
           CASE
               WHEN trim(d.amount) = '未透露' THEN 0
               WHEN d.amount LIKE '数百万%' THEN 500e4
               WHEN d.amount LIKE '数千万%' THEN 5000e4
               WHEN d.amount LIKE '数亿%' THEN 30000e4
               ELSE fhi_amount_yuan(d.amount)
           END * CASE WHEN d.amount LIKE '数%美元' THEN 6.75 ELSE 1 END AS amount_yuan
    FROM deals d
)
SELECT p.record_id, p.collect_run_id, p.deal_id, p.company, p.product, p.round,
       p.amount AS amount_raw, p.amount_yuan,
       p.amount LIKE '数%' AS amount_vague,
       trim(p.amount) = '未透露' AS amount_undisclosed,
       TRY_CAST(strptime(p.date, '%Y.%-m.%-d') AS DATE) AS deal_date,
       p.investors, p.location AS location_raw, m.city_code, m.city_name,
       c.code IS NOT NULL AS in_sample,
       p.industry,
       CASE p.industry
           WHEN '网络借贷' THEN 'p2p'
           WHEN '互联网众筹' THEN 'crowdfunding'
           WHEN '第三方支付' THEN 'payment'
           WHEN '征信服务' THEN 'credit'
           WHEN '区块链' THEN 'blockchain'
       END AS sector
FROM parsed p
LEFT JOIN matches m ON m.record_id = p.record_id
LEFT JOIN ref_cities c ON c.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'vc', record_id, 'location maps to no prefecture-level city', location_raw
FROM clean_vc_deals WHERE city_code IS NULL
UNION ALL
SELECT 'vc', record_id, 'amount is not an amount', amount_raw
FROM clean_vc_deals WHERE amount_yuan IS NULL
UNION ALL
SELECT 'vc', record_id, 'industry is not a fintech sector', industry
FROM clean_vc_deals WHERE sector IS NULL AND coalesce(industry, '') <> '其他';

CREATE OR REPLACE TEMP TABLE capital_parts AS
SELECT 'industry.' || sector || '.capital' AS indicator, city_code, record_id, 'vc' AS source,
       collect_run_id, amount_yuan AS yuan
FROM clean_vc_deals
WHERE in_sample AND sector IS NOT NULL AND amount_yuan IS NOT NULL
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
