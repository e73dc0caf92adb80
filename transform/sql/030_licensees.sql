-- requires: licensees
-- Clean the regulators' licensee lists (payment, credit, blockchain) and compute per sector S:
--   industry.S.firms    operating licensees whose listed city is the sample city
--   industry.S.volume   Σ their 2016 volume as listed, in the list's own unit: payment 亿元 of
--                       transactions, credit 万次 queries, blockchain 万元 revenue ("--" adds nothing)
-- industry.payment.capital and industry.credit.capital (registered capital plus VC deals) are
-- computed by step 060 from clean_licensees.registered_capital_yuan and the vc source.
-- The list's city ("杭州", "浙江杭州", "深圳-南山区") is resolved by fhi_places; statuses through
-- ref_statuses. Only sectors present in the raw data get values, so a lost list is absent, not zero;
-- within a present sector every sample city gets a value.

CREATE OR REPLACE TEMP TABLE licensee_place_input AS
SELECT DISTINCT fhi_value(city) AS place, NULL::VARCHAR AS context FROM raw_licensees;
CREATE OR REPLACE TEMP TABLE licensee_places AS SELECT * FROM fhi_places('licensee_place_input');

CREATE OR REPLACE TABLE clean_licensees AS
WITH licensees AS (
    SELECT record_id, run_id AS collect_run_id, sector, licensee_id, fhi_value(licence) AS licence,
           company, fhi_value(brand) AS brand, fhi_value(city) AS city,
           fhi_value(registered_capital) AS registered_capital, fhi_value(status) AS status,
           fhi_value(volume) AS volume
    FROM raw_licensees
    WHERE sector IN ('payment', 'credit', 'blockchain')
),
parsed AS (
    SELECT l.*, fhi_money(l.registered_capital, NULL) AS capital, fhi_status('firm', l.status) AS st
    FROM licensees l
)
SELECT l.record_id, l.collect_run_id, l.sector, l.licensee_id, l.licence, l.company, l.brand,
       l.city AS city_raw, pl.city_code, pc.name AS city_name, pl.method AS place_method, pl.via AS place_via,
       pl.problem AS place_problem,
       c.code IS NOT NULL AS in_sample,
       l.registered_capital AS registered_capital_raw, l.capital.yuan AS registered_capital_yuan,
       l.capital.problem AS registered_capital_problem,
       l.volume AS volume_raw,
       TRY_CAST(replace(l.volume, ',', '') AS DOUBLE) AS volume,
       l.status AS status_raw, l.st.status AS status, l.st.operating AS operating
FROM parsed l
LEFT JOIN licensee_places pl ON pl.place IS NOT DISTINCT FROM l.city
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities c ON c.code = pl.city_code;

COMMENT ON TABLE clean_licensees IS 'payment, credit and blockchain licensees of the regulators'' lists (source licensees); step 030_licensees';
COMMENT ON COLUMN clean_licensees.record_id IS 'raw record id (lineage: raw_licensees and the archived page)';
COMMENT ON COLUMN clean_licensees.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_licensees.sector IS 'payment, credit or blockchain: the list the record is on';
COMMENT ON COLUMN clean_licensees.licensee_id IS 'the list''s id of the licensee';
COMMENT ON COLUMN clean_licensees.licence IS 'licence or filing number as printed';
COMMENT ON COLUMN clean_licensees.company IS 'legal name as printed';
COMMENT ON COLUMN clean_licensees.brand IS 'brand as printed';
COMMENT ON COLUMN clean_licensees.city_raw IS 'the list''s city as printed';
COMMENT ON COLUMN clean_licensees.city_code IS 'prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_licensees.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_licensees.place_method IS 'how the city was found (fhi_places)';
COMMENT ON COLUMN clean_licensees.place_via IS 'the former place name used, with its dated change';
COMMENT ON COLUMN clean_licensees.place_problem IS 'why no city';
COMMENT ON COLUMN clean_licensees.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_licensees.registered_capital_raw IS 'registered capital as printed';
COMMENT ON COLUMN clean_licensees.registered_capital_yuan IS 'registered capital, yuan';
COMMENT ON COLUMN clean_licensees.registered_capital_problem IS 'why registered_capital_yuan is NULL for a printed capital';
COMMENT ON COLUMN clean_licensees.volume_raw IS '2016 volume as printed';
COMMENT ON COLUMN clean_licensees.volume IS '2016 volume in the list''s unit: payment 亿元 of transactions, credit 万次 queries, blockchain 万元 revenue';
COMMENT ON COLUMN clean_licensees.status_raw IS 'status as printed';
COMMENT ON COLUMN clean_licensees.status IS 'the status it maps to in ref_statuses; NULL = unmapped';
COMMENT ON COLUMN clean_licensees.operating IS 'counts as operating; NULL when the status is unmapped (quarantined)';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'licensees', record_id, 'place: ' || place_problem, city_raw
FROM clean_licensees WHERE city_code IS NULL
UNION ALL
SELECT 'licensees', record_id, 'status not in data/statuses.csv', status_raw
FROM clean_licensees WHERE status IS NULL
UNION ALL
SELECT 'licensees', record_id, 'registered capital: ' || registered_capital_problem, registered_capital_raw
FROM clean_licensees WHERE registered_capital_problem IS NOT NULL
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
DROP TABLE licensee_place_input;
DROP TABLE licensee_places;
