-- requires: cf_projects
-- experience.crowdfunding.online_fundraising: Σ raised (yuan; the site prints 万元, "23.50万元") of
-- the projects whose project (initiator) city is the city, on every platform whatever its status.
-- The project city is a short name mapped through ref_city_prefixes; projects whose city maps
-- nowhere or whose raised money is not an amount are quarantined.

CREATE OR REPLACE TABLE clean_cf_projects AS
WITH projects AS (
    SELECT record_id, run_id AS collect_run_id, project_id, title, platform_id, platform, category,
           city, target, raised, backers, date
    FROM raw_cf_projects
),
matches AS (
    SELECT p.record_id, fhi_city_code(p.city) AS city_code, fhi_city_name(p.city) AS city_name
    FROM projects p
)
SELECT p.record_id, p.collect_run_id, p.project_id, p.title, p.platform_id, p.platform, p.category,
       p.city AS city_raw, m.city_code, m.city_name,
       c.code IS NOT NULL AS in_sample,
       p.target AS target_raw, fhi_amount_yuan(p.target) AS target_yuan,
       p.raised AS raised_raw, fhi_amount_yuan(p.raised) AS raised_yuan,
       TRY_CAST(p.backers AS INTEGER) AS backers,
       TRY_CAST(p.date AS DATE) AS project_date
FROM projects p
LEFT JOIN matches m ON m.record_id = p.record_id
LEFT JOIN ref_cities c ON c.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'cf_projects', record_id, 'project city maps to no prefecture-level city', city_raw
FROM clean_cf_projects WHERE city_code IS NULL
UNION ALL
SELECT 'cf_projects', record_id, 'raised is not an amount', raised_raw
FROM clean_cf_projects WHERE raised_yuan IS NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'experience.crowdfunding.online_fundraising', city_code, record_id, 'cf_projects', collect_run_id
FROM clean_cf_projects WHERE in_sample AND raised_yuan IS NOT NULL;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'experience.crowdfunding.online_fundraising', c.code, c.name, coalesce(sum(p.raised_yuan), 0), count(p.raised_yuan)
FROM ref_cities c
LEFT JOIN clean_cf_projects p ON p.city_code = c.code
GROUP BY c.code, c.name;
