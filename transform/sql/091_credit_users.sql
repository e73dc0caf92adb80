-- requires: credit_users
-- experience.credit.penetration: deposit-free credit users / (covered population 万人 × 10⁴) × 100,
-- in percent. A city missing from the table, or with a figure that is not a number, gets NULL.

CREATE OR REPLACE TABLE clean_credit_users AS
SELECT u.record_id, u.run_id AS collect_run_id, u.city_code, u.city,
       c.code IS NOT NULL AS in_sample,
       u.users AS users_raw, u.covered AS covered_raw,
       TRY_CAST(replace(u.users, ',', '') AS DOUBLE) AS users,
       TRY_CAST(replace(u.covered, ',', '') AS DOUBLE) AS covered_wan
FROM raw_credit_users u
LEFT JOIN ref_cities c ON c.code = u.city_code;

COMMENT ON TABLE clean_credit_users IS 'deposit-free credit users per city (source credit_users); step 091_credit_users';
COMMENT ON COLUMN clean_credit_users.record_id IS 'raw record id (lineage: the raw table and the archived page)';
COMMENT ON COLUMN clean_credit_users.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_credit_users.city_code IS 'the citys code';
COMMENT ON COLUMN clean_credit_users.city IS 'city name as printed';
COMMENT ON COLUMN clean_credit_users.in_sample IS 'the code is a sample city';
COMMENT ON COLUMN clean_credit_users.users_raw IS 'users as printed';
COMMENT ON COLUMN clean_credit_users.covered_raw IS 'covered population as printed';
COMMENT ON COLUMN clean_credit_users.users IS 'deposit-free credit users, count';
COMMENT ON COLUMN clean_credit_users.covered_wan IS 'population the service covers, 万人';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'credit_users', record_id, 'city code is not a sample city', city_code
FROM clean_credit_users WHERE NOT in_sample
UNION ALL
SELECT 'credit_users', record_id, 'users or covered population is not a positive number', users_raw || ' / ' || covered_raw
FROM clean_credit_users WHERE in_sample AND (users IS NULL OR covered_wan IS NULL OR covered_wan <= 0);

CREATE OR REPLACE TEMP TABLE credit_penetration AS
SELECT record_id, collect_run_id, city_code, users / (covered_wan * 1e4) * 100 AS value
FROM clean_credit_users
WHERE in_sample AND users IS NOT NULL AND covered_wan > 0;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'experience.credit.penetration', city_code, record_id, 'credit_users', collect_run_id
FROM credit_penetration;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'experience.credit.penetration', c.code, c.name, max(p.value), count(p.record_id)
FROM ref_cities c
LEFT JOIN credit_penetration p ON p.city_code = c.code
GROUP BY c.code, c.name;

DROP TABLE credit_penetration;
