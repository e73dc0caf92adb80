-- requires: gdp
-- ecosystem.business.gdp_growth: a city's 2017 GDP over its 2016 GDP, minus 1 (a ratio). An
-- analyst's indicator from an imported table, added without rebuilding fhi:
--   fhi import --key city gdp data/city_gdp_2015-2017_36cities.csv
--   fhi transform --sql-dir examples/gdp_growth
-- The city column is resolved by fhi_places like any place text; a row whose city is not a sample
-- city, or whose figures are not numbers, is quarantined (fhi quality lists it).

CREATE OR REPLACE TEMP TABLE gdp_place_input AS
SELECT DISTINCT city AS place, NULL::VARCHAR AS context FROM raw_gdp;
CREATE OR REPLACE TEMP TABLE gdp_places AS SELECT * FROM fhi_places('gdp_place_input');

CREATE OR REPLACE TEMP TABLE gdp_growth AS
SELECT g.record_id, g.run_id AS collect_run_id, g.city, p.city_code, p.problem,
       TRY_CAST(g.gdp_2017_yi_yuan AS DOUBLE) / nullif(TRY_CAST(g.gdp_2016_yi_yuan AS DOUBLE), 0) - 1 AS growth
FROM raw_gdp g
LEFT JOIN gdp_places p ON p.place IS NOT DISTINCT FROM g.city;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'gdp', record_id, 'place: ' || problem, city FROM gdp_growth WHERE city_code IS NULL
UNION ALL
SELECT 'gdp', record_id, 'GDP is not a number', city FROM gdp_growth WHERE city_code IS NOT NULL AND growth IS NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'ecosystem.business.gdp_growth', g.city_code, g.record_id, 'gdp', g.collect_run_id
FROM gdp_growth g JOIN ref_cities c ON c.code = g.city_code
WHERE g.growth IS NOT NULL;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'ecosystem.business.gdp_growth', c.code, c.name, max(g.growth), count(g.growth)
FROM ref_cities c
LEFT JOIN gdp_growth g ON g.city_code = c.code
GROUP BY c.code, c.name;

DROP TABLE gdp_place_input;
DROP TABLE gdp_places;
DROP TABLE gdp_growth;
