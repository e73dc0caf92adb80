-- requires: licensees
-- Clean the regulators' licensee lists (payment, credit, blockchain) and compute per sector S:
--   industry.S.firms    operating (正常) licensees whose listed city is the sample city
--   industry.S.volume   Σ their 2016 volume as listed, in the list's own unit: payment 亿元 of
--                       transactions, credit 万次 queries, blockchain 万元 revenue ("--" adds nothing)
-- industry.payment.capital and industry.credit.capital (registered capital plus VC deals) are
-- computed by step 060 from clean_licensees.registered_capital_yuan and the vc source.
-- The list's city is a short name (杭州); it maps to a city through ref_city_prefixes like an
-- address does. Only sectors present in the raw data get values, so a lost list is absent, not zero;
-- within a present sector every sample city gets a value.

CREATE OR REPLACE TABLE clean_licensees AS
WITH licensees AS (
    SELECT record_id, run_id AS collect_run_id, sector, licensee_id, licence, company, brand, city,
           registered_capital, status, volume
    FROM raw_licensees
    WHERE sector IN ('payment', 'credit', 'blockchain')
),
matches AS (
    SELECT l.record_id, fhi_city_code(l.city) AS city_code, fhi_city_name(l.city) AS city_name
    FROM licensees l
)
SELECT l.record_id, l.collect_run_id, l.sector, l.licensee_id, l.licence, l.company, l.brand,
       l.city AS city_raw, m.city_code, m.city_name,
       c.code IS NOT NULL AS in_sample,
       l.registered_capital AS registered_capital_raw,
       fhi_amount_yuan(l.registered_capital) AS registered_capital_yuan,
       l.volume AS volume_raw,
       TRY_CAST(replace(l.volume, ',', '') AS DOUBLE) AS volume,
       l.status,
       l.status = '正常' AS operating
FROM licensees l
LEFT JOIN matches m ON m.record_id = l.record_id
LEFT JOIN ref_cities c ON c.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'licensees', record_id, 'city maps to no prefecture-level city', city_raw
FROM clean_licensees WHERE city_code IS NULL
UNION ALL
SELECT 'licensees', record_id, 'registered capital is not an amount', registered_capital_raw
FROM clean_licensees WHERE registered_capital_raw IS NOT NULL AND registered_capital_yuan IS NULL
UNION ALL
SELECT 'licensees', record_id, 'volume is not a number', volume_raw
FROM clean_licensees WHERE volume_raw IS NOT NULL AND volume IS NULL;

CREATE OR REPLACE TEMP TABLE licensee_indicators AS
SELECT s.sector, k.kind, 'industry.' || s.sector || '.' || k.kind AS indicator
FROM (SELECT DISTINCT sector FROM clean_licensees) s
CROSS JOIN (VALUES ('firms'), ('volume')) AS k(kind);

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT i.indicator, l.city_code, l.record_id, 'licensees', l.collect_run_id
FROM clean_licensees l
JOIN licensee_indicators i ON i.sector = l.sector
WHERE l.in_sample AND l.operating
  AND (i.kind = 'firms' OR l.volume IS NOT NULL);

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT i.indicator, c.code, c.name,
       CASE i.kind WHEN 'firms' THEN count(l.record_id) ELSE coalesce(sum(l.volume), 0) END,
       CASE i.kind WHEN 'firms' THEN count(l.record_id) ELSE count(l.volume) END
FROM licensee_indicators i
CROSS JOIN ref_cities c
LEFT JOIN clean_licensees l ON l.sector = i.sector AND l.city_code = c.code AND l.operating
GROUP BY i.indicator, i.kind, c.code, c.name;

DROP TABLE licensee_indicators;
