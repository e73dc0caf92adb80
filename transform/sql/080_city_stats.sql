-- requires: city_stats
-- City statistical bulletins → the ecosystem indicators that are bulletin figures, raw units:
--   ecosystem.business.gdp_per_capita       GDP (亿元) × 10⁴ / 常住人口 (万人), yuan per resident
--   ecosystem.business.finance_industry     金融业增加值, 亿元
--   ecosystem.business.tech_industry        信息传输、软件和信息技术服务业增加值, 亿元
--   ecosystem.business.cost_of_living       房价收入比 (a cost: higher is worse, the framework says so)
--   ecosystem.infrastructure.financial      银行业金融机构营业网点, count
--   ecosystem.infrastructure.information    互联网宽带接入用户, 万户
--   ecosystem.research.university           普通高等学校, count
--   ecosystem.research.institutes           金融科技研究机构, count
--   ecosystem.research.talent_reserve       在校学生 (万人) / 常住人口 (万人) × 10⁴, per 10,000 residents
--   ecosystem.policy.spending               科学技术支出, 亿元
--   ecosystem.policy.support                国家级科技企业孵化器面积, 万平方米
-- One bulletin per city (keyed by the code in its URL). Every sample city gets a row; a city whose
-- bulletin is missing or lacks the figure gets a NULL value with n_records 0 (no data, not zero).

CREATE OR REPLACE TABLE clean_city_stats AS
SELECT s.record_id, s.run_id AS collect_run_id, s.city_code,
       c.code IS NOT NULL AS in_sample,
       TRY_CAST(s.gdp AS DOUBLE) AS gdp,
       TRY_CAST(s.population AS DOUBLE) AS population,
       TRY_CAST(s.finance_va AS DOUBLE) AS finance_va,
       TRY_CAST(s.tech_va AS DOUBLE) AS tech_va,
       TRY_CAST(s.price_to_income AS DOUBLE) AS price_to_income,
       TRY_CAST(s.bank_outlets AS DOUBLE) AS bank_outlets,
       TRY_CAST(s.broadband AS DOUBLE) AS broadband,
       TRY_CAST(s.universities AS DOUBLE) AS universities,
       TRY_CAST(s.institutes AS DOUBLE) AS institutes,
       TRY_CAST(s.students AS DOUBLE) AS students,
       TRY_CAST(s.st_spending AS DOUBLE) AS st_spending,
       TRY_CAST(s.incubator_area AS DOUBLE) AS incubator_area
FROM raw_city_stats s
LEFT JOIN ref_cities c ON c.code = s.city_code;

COMMENT ON TABLE clean_city_stats IS 'city statistical bulletins (source city_stats), figures in the bulletins units; step 080_city_stats';
COMMENT ON COLUMN clean_city_stats.record_id IS 'raw record id (lineage: the raw table and the archived page)';
COMMENT ON COLUMN clean_city_stats.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_city_stats.city_code IS 'the citys code in the bulletin URL (4-digit NBS code)';
COMMENT ON COLUMN clean_city_stats.in_sample IS 'the code is a sample city';
COMMENT ON COLUMN clean_city_stats.gdp IS '地区生产总值, 亿元';
COMMENT ON COLUMN clean_city_stats.population IS '年末常住人口, 万人';
COMMENT ON COLUMN clean_city_stats.finance_va IS '金融业增加值, 亿元';
COMMENT ON COLUMN clean_city_stats.tech_va IS '信息传输、软件和信息技术服务业增加值, 亿元';
COMMENT ON COLUMN clean_city_stats.price_to_income IS '房价收入比, ratio (years of income)';
COMMENT ON COLUMN clean_city_stats.bank_outlets IS '银行业金融机构营业网点, count';
COMMENT ON COLUMN clean_city_stats.broadband IS '互联网宽带接入用户, 万户';
COMMENT ON COLUMN clean_city_stats.universities IS '普通高等学校, count';
COMMENT ON COLUMN clean_city_stats.institutes IS '金融科技研究机构, count';
COMMENT ON COLUMN clean_city_stats.students IS '普通高校在校学生, 万人';
COMMENT ON COLUMN clean_city_stats.st_spending IS '科学技术支出, 亿元';
COMMENT ON COLUMN clean_city_stats.incubator_area IS '国家级科技企业孵化器面积, 万平方米';

-- Long form: one row per bulletin and indicator (unpivoted by hand for a fixed column order).
CREATE OR REPLACE TEMP TABLE city_stat_values AS
SELECT record_id, collect_run_id, city_code, indicator, value, raw
FROM (
    SELECT s.record_id, s.collect_run_id, s.city_code, v.indicator, v.value, v.raw
    FROM clean_city_stats s
    JOIN raw_city_stats r ON r.record_id = s.record_id
    CROSS JOIN LATERAL (VALUES
        ('ecosystem.business.gdp_per_capita', s.gdp * 1e4 / s.population, r.gdp || ' / ' || r.population),
        ('ecosystem.business.finance_industry', s.finance_va, r.finance_va),
        ('ecosystem.business.tech_industry', s.tech_va, r.tech_va),
        ('ecosystem.business.cost_of_living', s.price_to_income, r.price_to_income),
        ('ecosystem.infrastructure.financial', s.bank_outlets, r.bank_outlets),
        ('ecosystem.infrastructure.information', s.broadband, r.broadband),
        ('ecosystem.research.university', s.universities, r.universities),
        ('ecosystem.research.institutes', s.institutes, r.institutes),
        ('ecosystem.research.talent_reserve', s.students / s.population * 1e4, r.students || ' / ' || r.population),
        ('ecosystem.policy.spending', s.st_spending, r.st_spending),
        ('ecosystem.policy.support', s.incubator_area, r.incubator_area)
    ) AS v(indicator, value, raw)
    WHERE s.in_sample
);

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'city_stats', record_id, 'city code is not a sample city', city_code
FROM clean_city_stats WHERE NOT in_sample
UNION ALL
SELECT 'city_stats', record_id, indicator || ': figure is not a number', raw
FROM city_stat_values WHERE raw IS NOT NULL AND value IS NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT indicator, city_code, record_id, 'city_stats', collect_run_id
FROM city_stat_values WHERE value IS NOT NULL;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT i.indicator, c.code, c.name, max(v.value), count(v.value)
FROM (SELECT DISTINCT indicator FROM city_stat_values) i
CROSS JOIN ref_cities c
LEFT JOIN city_stat_values v ON v.indicator = i.indicator AND v.city_code = c.code
GROUP BY i.indicator, c.code, c.name;

DROP TABLE city_stat_values;
