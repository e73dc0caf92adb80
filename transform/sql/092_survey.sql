-- requires: survey
-- experience.blockchain.familiarity: mean 了解程度(分) (1–5) of the city's questionnaire responses.
-- A response names its city by short name (杭州). A score outside 1–5 or a city that is not a sample
-- city is quarantined. A city without responses gets NULL: a mean of nothing is no data, not 0.

CREATE OR REPLACE TABLE clean_survey AS
SELECT s.record_id, s.run_id AS collect_run_id, s.response_id, s.city AS city_raw, c.code AS city_code,
       s.age_group, s.occupation, s.uses_p2p, s.familiarity_label,
       s.familiarity AS familiarity_raw,
       CASE WHEN TRY_CAST(s.familiarity AS INTEGER) BETWEEN 1 AND 5 THEN TRY_CAST(s.familiarity AS INTEGER) END AS familiarity
FROM raw_survey s
LEFT JOIN ref_cities c ON c.name = s.city;

COMMENT ON TABLE clean_survey IS 'questionnaire responses (source survey, an XLSX workbook); step 092_survey';
COMMENT ON COLUMN clean_survey.record_id IS 'raw record id (lineage: raw_survey and the archived workbook)';
COMMENT ON COLUMN clean_survey.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_survey.response_id IS '编号: the response''s number';
COMMENT ON COLUMN clean_survey.city_raw IS '城市 as written';
COMMENT ON COLUMN clean_survey.city_code IS 'the sample city (4-digit NBS code); NULL = not a sample city';
COMMENT ON COLUMN clean_survey.age_group IS '年龄段 as written';
COMMENT ON COLUMN clean_survey.occupation IS '职业 as written';
COMMENT ON COLUMN clean_survey.uses_p2p IS '是否使用网贷 as written';
COMMENT ON COLUMN clean_survey.familiarity_label IS '区块链了解程度 as written';
COMMENT ON COLUMN clean_survey.familiarity_raw IS '了解程度(分) as written';
COMMENT ON COLUMN clean_survey.familiarity IS 'blockchain familiarity score, 1 (非常不了解) to 5 (非常了解)';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'survey', record_id, 'city is not a sample city', city_raw
FROM clean_survey WHERE city_code IS NULL
UNION ALL
SELECT 'survey', record_id, 'familiarity is not a score 1–5', familiarity_raw
FROM clean_survey WHERE city_code IS NOT NULL AND familiarity IS NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'experience.blockchain.familiarity', city_code, record_id, 'survey', collect_run_id
FROM clean_survey WHERE city_code IS NOT NULL AND familiarity IS NOT NULL;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'experience.blockchain.familiarity', c.code, c.name,
       CAST(sum(s.familiarity) AS DOUBLE) / nullif(count(s.familiarity), 0), count(s.familiarity)
FROM ref_cities c
LEFT JOIN clean_survey s ON s.city_code = c.code
GROUP BY c.code, c.name;
