-- requires: cf_projects
-- experience.crowdfunding.online_fundraising: Σ raised (yuan; the site prints 万元, "23.50万元") of
-- the projects whose project (initiator) city is the city, on every platform whatever its status.
-- The project city is resolved by fhi_places and the money read by fhi_money at the project year's
-- rate; projects whose city maps nowhere or whose raised money is not an amount are quarantined.

CREATE OR REPLACE TEMP TABLE cfp_place_input AS
SELECT DISTINCT fhi_value(city) AS place, NULL::VARCHAR AS context FROM raw_cf_projects;
CREATE OR REPLACE TEMP TABLE cfp_places AS SELECT * FROM fhi_places('cfp_place_input');

CREATE OR REPLACE TABLE clean_cf_projects AS
WITH projects AS (
    SELECT record_id, run_id AS collect_run_id, project_id, title, platform_id, platform, category,
           fhi_value(city) AS city, fhi_value(target) AS target, fhi_value(raised) AS raised,
           TRY_CAST(backers AS BIGINT) AS backers, TRY_CAST(date AS DATE) AS project_date
    FROM raw_cf_projects
),
parsed AS (
    SELECT p.*, fhi_money(p.target, year(p.project_date)) AS t, fhi_money(p.raised, year(p.project_date)) AS r FROM projects p
)
SELECT p.record_id, p.collect_run_id, p.project_id, p.title, p.platform_id, p.platform, p.category,
       p.city AS city_raw, pl.city_code, pc.name AS city_name, pl.problem AS place_problem,
       c.code IS NOT NULL AS in_sample,
       p.target AS target_raw, p.t.yuan AS target_yuan,
       p.raised AS raised_raw, p.r.yuan AS raised_yuan, coalesce(p.r.problem, CASE WHEN p.r.undisclosed THEN 'undisclosed' END) AS raised_problem,
       p.backers, p.project_date
FROM parsed p
LEFT JOIN cfp_places pl ON pl.place IS NOT DISTINCT FROM p.city
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities c ON c.code = pl.city_code;

COMMENT ON TABLE clean_cf_projects IS 'crowdfunding projects (source cf_projects); step 071_experience_fundraising';
COMMENT ON COLUMN clean_cf_projects.record_id IS 'raw record id (lineage: raw_cf_projects and the archived page)';
COMMENT ON COLUMN clean_cf_projects.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_cf_projects.project_id IS 'the site''s project id';
COMMENT ON COLUMN clean_cf_projects.title IS 'project title as printed';
COMMENT ON COLUMN clean_cf_projects.platform_id IS 'the platform''s id';
COMMENT ON COLUMN clean_cf_projects.platform IS 'the platform''s name as printed';
COMMENT ON COLUMN clean_cf_projects.category IS 'category as printed';
COMMENT ON COLUMN clean_cf_projects.city_raw IS 'the project (initiator) city as printed';
COMMENT ON COLUMN clean_cf_projects.city_code IS 'prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_cf_projects.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_cf_projects.place_problem IS 'why no city';
COMMENT ON COLUMN clean_cf_projects.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_cf_projects.target_raw IS 'target as printed';
COMMENT ON COLUMN clean_cf_projects.target_yuan IS 'target, yuan';
COMMENT ON COLUMN clean_cf_projects.raised_raw IS 'money raised as printed';
COMMENT ON COLUMN clean_cf_projects.raised_yuan IS 'money raised, yuan';
COMMENT ON COLUMN clean_cf_projects.raised_problem IS 'why raised_yuan is NULL';
COMMENT ON COLUMN clean_cf_projects.backers IS 'number of backers';
COMMENT ON COLUMN clean_cf_projects.project_date IS 'date of the project';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'cf_projects', record_id, 'project place: ' || place_problem, city_raw
FROM clean_cf_projects WHERE city_code IS NULL
UNION ALL
SELECT 'cf_projects', record_id, 'raised: ' || coalesce(raised_problem, 'missing'), raised_raw
FROM clean_cf_projects WHERE raised_yuan IS NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'experience.crowdfunding.online_fundraising', city_code, record_id, 'cf_projects', collect_run_id
FROM clean_cf_projects WHERE in_sample AND raised_yuan IS NOT NULL;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'experience.crowdfunding.online_fundraising', c.code, c.name, coalesce(sum(p.raised_yuan), 0), count(p.raised_yuan)
FROM ref_cities c
LEFT JOIN clean_cf_projects p ON p.city_code = c.code
GROUP BY c.code, c.name;

DROP TABLE cfp_place_input;
DROP TABLE cfp_places;
