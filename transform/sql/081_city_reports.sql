-- requires: city_reports
-- ecosystem.policy.attention: occurrences of 互联网金融, 金融科技 and 科技金融 in the city's government
-- work report (the full text, one record per city). Occurrences are counted without overlap per
-- keyword, as a reader counting mentions would. A city without a report gets NULL (no data).

CREATE OR REPLACE TABLE clean_city_reports AS
SELECT r.record_id, r.run_id AS collect_run_id, r.city_code,
       c.code IS NOT NULL AS in_sample,
       length(r.text) AS text_chars,
       CAST((SELECT sum((length(r.text) - length(replace(r.text, k.kw, ''))) // length(k.kw))
             FROM (VALUES ('互联网金融'), ('金融科技'), ('科技金融')) AS k(kw)) AS BIGINT) AS mentions
FROM raw_city_reports r
LEFT JOIN ref_cities c ON c.code = r.city_code
WHERE r.text IS NOT NULL;

COMMENT ON TABLE clean_city_reports IS 'government work reports (source city_reports); step 081_city_reports';
COMMENT ON COLUMN clean_city_reports.record_id IS 'raw record id (lineage: the raw table and the archived page)';
COMMENT ON COLUMN clean_city_reports.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_city_reports.city_code IS 'the citys code in the report URL';
COMMENT ON COLUMN clean_city_reports.in_sample IS 'the code is a sample city';
COMMENT ON COLUMN clean_city_reports.text_chars IS 'length of the report text, characters';
COMMENT ON COLUMN clean_city_reports.mentions IS 'occurrences of 互联网金融, 金融科技 and 科技金融, count';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'city_reports', record_id, 'city code is not a sample city', city_code
FROM clean_city_reports WHERE NOT in_sample;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'ecosystem.policy.attention', city_code, record_id, 'city_reports', collect_run_id
FROM clean_city_reports WHERE in_sample;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'ecosystem.policy.attention', c.code, c.name, max(r.mentions), count(r.record_id)
FROM ref_cities c
LEFT JOIN clean_city_reports r ON r.city_code = c.code
GROUP BY c.code, c.name;
