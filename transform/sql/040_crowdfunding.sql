-- requires: crowdfunding
-- Clean the crowdfunding platform list and compute:
--   industry.crowdfunding.firms   operating platforms whose listed city is the sample city
--   industry.crowdfunding.volume  Σ their total raised as listed (万元, all of a platform's projects)
-- The list's city ("北京", "北京·朝阳区") is resolved by fhi_places; statuses (正常, 运营中, 已下线 …)
-- through ref_statuses. Every sample city gets a value: a city without platforms truly has zero.

CREATE OR REPLACE TEMP TABLE cf_place_input AS
SELECT DISTINCT fhi_value(city) AS place, NULL::VARCHAR AS context FROM raw_crowdfunding;
CREATE OR REPLACE TEMP TABLE cf_places AS SELECT * FROM fhi_places('cf_place_input');

CREATE OR REPLACE TABLE clean_crowdfunding_platforms AS
WITH platforms AS (
    SELECT record_id, run_id AS collect_run_id, platform_id, name, fhi_value(city) AS city,
           fhi_value(status) AS status, fhi_value(raised) AS raised, fhi_status('firm', status) AS st
    FROM raw_crowdfunding
)
SELECT p.record_id, p.collect_run_id, p.platform_id, p.name, p.city AS city_raw,
       pl.city_code, pc.name AS city_name, pl.method AS place_method, pl.problem AS place_problem,
       c.code IS NOT NULL AS in_sample,
       p.raised AS raised_raw,
       TRY_CAST(replace(p.raised, ',', '') AS DOUBLE) AS raised_wan,
       p.status AS status_raw, p.st.status AS status, p.st.operating AS operating
FROM platforms p
LEFT JOIN cf_places pl ON pl.place IS NOT DISTINCT FROM p.city
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities c ON c.code = pl.city_code;

COMMENT ON TABLE clean_crowdfunding_platforms IS 'crowdfunding platforms of the platform list (source crowdfunding); step 040_crowdfunding';
COMMENT ON COLUMN clean_crowdfunding_platforms.record_id IS 'raw record id (lineage: raw_crowdfunding and the archived page)';
COMMENT ON COLUMN clean_crowdfunding_platforms.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_crowdfunding_platforms.platform_id IS 'the list''s platform id';
COMMENT ON COLUMN clean_crowdfunding_platforms.name IS 'platform (brand) name as printed';
COMMENT ON COLUMN clean_crowdfunding_platforms.city_raw IS 'the list''s city as printed';
COMMENT ON COLUMN clean_crowdfunding_platforms.city_code IS 'prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_crowdfunding_platforms.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_crowdfunding_platforms.place_method IS 'how the city was found (fhi_places)';
COMMENT ON COLUMN clean_crowdfunding_platforms.place_problem IS 'why no city';
COMMENT ON COLUMN clean_crowdfunding_platforms.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_crowdfunding_platforms.raised_raw IS 'total raised as printed';
COMMENT ON COLUMN clean_crowdfunding_platforms.raised_wan IS 'total raised over all the platform''s projects, 万元';
COMMENT ON COLUMN clean_crowdfunding_platforms.status_raw IS 'status as printed';
COMMENT ON COLUMN clean_crowdfunding_platforms.status IS 'the status it maps to in ref_statuses; NULL = unmapped';
COMMENT ON COLUMN clean_crowdfunding_platforms.operating IS 'counts as operating; NULL when the status is unmapped (quarantined)';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'crowdfunding', record_id, 'place: ' || place_problem, city_raw
FROM clean_crowdfunding_platforms WHERE city_code IS NULL
UNION ALL
SELECT 'crowdfunding', record_id, 'status not in data/statuses.csv', status_raw
FROM clean_crowdfunding_platforms WHERE status IS NULL
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

DROP TABLE cf_place_input;
DROP TABLE cf_places;
