-- requires: crowdfunding
-- Clean the crowdfunding platform list and compute:
--   industry.crowdfunding.firms   operating (正常) platforms whose listed city is the sample city
--   industry.crowdfunding.volume  Σ their total raised as listed (万元, all of a platform's projects)
-- The list's city is a short name (杭州); it maps to a city through ref_city_prefixes like an
-- address does. Every sample city gets a value: a city without platforms truly has zero.

CREATE OR REPLACE TABLE clean_crowdfunding_platforms AS
WITH platforms AS (
    SELECT record_id, run_id AS collect_run_id, platform_id, name, city, status, raised
    FROM raw_crowdfunding
),
matches AS (
    SELECT p.record_id, fhi_city_code(p.city) AS city_code, fhi_city_name(p.city) AS city_name
    FROM platforms p
)
SELECT p.record_id, p.collect_run_id, p.platform_id, p.name, p.city AS city_raw,
       m.city_code, m.city_name,
       c.code IS NOT NULL AS in_sample,
       p.raised AS raised_raw,
       TRY_CAST(replace(p.raised, ',', '') AS DOUBLE) AS raised_wan,
       p.status,
       p.status = '正常' AS operating
FROM platforms p
LEFT JOIN matches m ON m.record_id = p.record_id
LEFT JOIN ref_cities c ON c.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'crowdfunding', record_id, 'city maps to no prefecture-level city', city_raw
FROM clean_crowdfunding_platforms WHERE city_code IS NULL
UNION ALL
SELECT 'crowdfunding', record_id, 'raised is not a number', raised_raw
FROM clean_crowdfunding_platforms WHERE raised_raw IS NOT NULL AND raised_wan IS NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT i.indicator, p.city_code, p.record_id, 'crowdfunding', p.collect_run_id
FROM clean_crowdfunding_platforms p
CROSS JOIN (VALUES ('industry.crowdfunding.firms'), ('industry.crowdfunding.volume')) AS i(indicator)
WHERE p.in_sample AND p.operating
  AND (i.indicator = 'industry.crowdfunding.firms' OR p.raised_wan IS NOT NULL);

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'industry.crowdfunding.firms', c.code, c.name, count(p.record_id), count(p.record_id)
FROM ref_cities c
LEFT JOIN clean_crowdfunding_platforms p ON p.city_code = c.code AND p.operating
GROUP BY c.code, c.name;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'industry.crowdfunding.volume', c.code, c.name, coalesce(sum(p.raised_wan), 0), count(p.raised_wan)
FROM ref_cities c
LEFT JOIN clean_crowdfunding_platforms p ON p.city_code = c.code AND p.operating
GROUP BY c.code, c.name;
