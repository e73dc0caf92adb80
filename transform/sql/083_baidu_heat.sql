-- requires: baidu_heat
-- ecosystem.attention.baidu_heat: mean over the city's weeks of 2017 of the summed Baidu index of
-- 金融科技, 互联网金融 and Fintech. A missing keyword value in a week counts 0; a value that is not
-- an integer is quarantined and counts 0. A city without weeks gets NULL (no data).

CREATE OR REPLACE TABLE clean_baidu_heat AS
SELECT b.record_id, b.run_id AS collect_run_id, b.city_code, TRY_CAST(b.week AS DATE) AS week, b.week AS week_raw,
       c.code IS NOT NULL AS in_sample,
       b.fintech_cn, b.internet_finance, b.fintech_en,
       TRY_CAST(b.fintech_cn AS BIGINT) AS fintech_cn_n,
       TRY_CAST(b.internet_finance AS BIGINT) AS internet_finance_n,
       TRY_CAST(b.fintech_en AS BIGINT) AS fintech_en_n,
       coalesce(fintech_cn_n, 0) + coalesce(internet_finance_n, 0) + coalesce(fintech_en_n, 0) AS heat
FROM raw_baidu_heat b
LEFT JOIN ref_cities c ON c.code = b.city_code;

COMMENT ON TABLE clean_baidu_heat IS 'weekly Baidu index of the fintech keywords per city (source baidu_heat); step 083_baidu_heat';
COMMENT ON COLUMN clean_baidu_heat.record_id IS 'raw record id (lineage: the raw table and the archived page)';
COMMENT ON COLUMN clean_baidu_heat.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_baidu_heat.city_code IS 'the citys code in the URL';
COMMENT ON COLUMN clean_baidu_heat.week IS 'first day (Monday) of the week';
COMMENT ON COLUMN clean_baidu_heat.week_raw IS 'the week as given';
COMMENT ON COLUMN clean_baidu_heat.in_sample IS 'the code is a sample city';
COMMENT ON COLUMN clean_baidu_heat.fintech_cn IS '金融科技 index as given';
COMMENT ON COLUMN clean_baidu_heat.internet_finance IS '互联网金融 index as given';
COMMENT ON COLUMN clean_baidu_heat.fintech_en IS 'Fintech index as given';
COMMENT ON COLUMN clean_baidu_heat.fintech_cn_n IS '金融科技 index, points';
COMMENT ON COLUMN clean_baidu_heat.internet_finance_n IS '互联网金融 index, points';
COMMENT ON COLUMN clean_baidu_heat.fintech_en_n IS 'Fintech index, points';
COMMENT ON COLUMN clean_baidu_heat.heat IS 'the week''s heat as the metric counts it: the three indexes summed, a missing or non-integer one as 0, points';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'baidu_heat', record_id, 'city code is not a sample city', city_code
FROM clean_baidu_heat WHERE NOT in_sample
UNION ALL
SELECT 'baidu_heat', record_id, 'week is not a date', week_raw
FROM clean_baidu_heat WHERE week IS NULL
UNION ALL
SELECT 'baidu_heat', record_id, 'index value is not an integer',
       concat_ws(',', fintech_cn, internet_finance, fintech_en)
FROM clean_baidu_heat
WHERE (fintech_cn IS NOT NULL AND fintech_cn_n IS NULL)
   OR (internet_finance IS NOT NULL AND internet_finance_n IS NULL)
   OR (fintech_en IS NOT NULL AND fintech_en_n IS NULL);

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'ecosystem.attention.baidu_heat', city_code, record_id, 'baidu_heat', collect_run_id
FROM clean_baidu_heat WHERE in_sample;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'ecosystem.attention.baidu_heat', c.code, c.name,
       CAST(sum(b.heat) AS DOUBLE) / nullif(count(b.record_id), 0),
       count(b.record_id)
FROM ref_cities c
LEFT JOIN clean_baidu_heat b ON b.city_code = c.code
GROUP BY c.code, c.name;
