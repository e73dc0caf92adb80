-- requires: city_regulators
-- ecosystem.regulation.regulators: the number of financial regulators and associations listed for
-- the city. A list is crawled for every sample city, so a city without records truly lists none (0).

CREATE OR REPLACE TABLE clean_city_regulators AS
SELECT r.record_id, r.run_id AS collect_run_id, r.city_code, r.name,
       c.code IS NOT NULL AS in_sample
FROM raw_city_regulators r
LEFT JOIN ref_cities c ON c.code = r.city_code;

COMMENT ON TABLE clean_city_regulators IS 'financial regulators and associations listed per city (source city_regulators); step 082_city_regulators';
COMMENT ON COLUMN clean_city_regulators.record_id IS 'raw record id (lineage: the raw table and the archived page)';
COMMENT ON COLUMN clean_city_regulators.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_city_regulators.city_code IS 'the citys code in the list URL';
COMMENT ON COLUMN clean_city_regulators.name IS 'regulator or association as printed';
COMMENT ON COLUMN clean_city_regulators.in_sample IS 'the code is a sample city';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'city_regulators', record_id, 'city code is not a sample city', city_code
FROM clean_city_regulators WHERE NOT in_sample;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'ecosystem.regulation.regulators', city_code, record_id, 'city_regulators', collect_run_id
FROM clean_city_regulators WHERE in_sample;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'ecosystem.regulation.regulators', c.code, c.name, count(r.record_id), count(r.record_id)
FROM ref_cities c
LEFT JOIN clean_city_regulators r ON r.city_code = c.code
GROUP BY c.code, c.name;
