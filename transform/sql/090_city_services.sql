-- requires: city_services
-- experience.payment.online_payment: the number of city-service listings (支付宝 + 微信) of the city.
-- The listings page is crawled for every sample city, so a city without records lists none (0).

CREATE OR REPLACE TABLE clean_city_services AS
SELECT s.record_id, s.run_id AS collect_run_id, s.city_code, s.channel, s.name, s.category,
       c.code IS NOT NULL AS in_sample
FROM raw_city_services s
LEFT JOIN ref_cities c ON c.code = s.city_code;

COMMENT ON TABLE clean_city_services IS 'Alipay and WeChat city-service listings per city (source city_services); step 090_city_services';
COMMENT ON COLUMN clean_city_services.record_id IS 'raw record id (lineage: the raw table and the archived page)';
COMMENT ON COLUMN clean_city_services.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_city_services.city_code IS 'the citys code in the URL';
COMMENT ON COLUMN clean_city_services.channel IS '支付宝 or 微信';
COMMENT ON COLUMN clean_city_services.name IS 'service as printed';
COMMENT ON COLUMN clean_city_services.category IS 'category as printed';
COMMENT ON COLUMN clean_city_services.in_sample IS 'the code is a sample city';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'city_services', record_id, 'city code is not a sample city', city_code
FROM clean_city_services WHERE NOT in_sample;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'experience.payment.online_payment', city_code, record_id, 'city_services', collect_run_id
FROM clean_city_services WHERE in_sample;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'experience.payment.online_payment', c.code, c.name, count(s.record_id), count(s.record_id)
FROM ref_cities c
LEFT JOIN clean_city_services s ON s.city_code = c.code
GROUP BY c.code, c.name;
