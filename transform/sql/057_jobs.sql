-- requires: jobs, jobs_gbk, registry
-- Clean the postings of both recruitment sites and compute per sector S (the definition in
-- data/framework.yaml):
--   industry.S.talent   over the postings of sector-S firms in the city: mean monthly salary
--                       midpoint in yuan (negotiable excluded) × (1 + share of the postings asking 硕士 or 博士).
-- A posting's sector is the registry industry of the company it is linked to (entity_links, steps
-- 051–052); its city is the posting's place text — the API's city and district ("北京" + "东城区"), the
-- old site's location ("上海-浦东新区") — resolved by fhi_places. Salaries are read by fhi_salary
-- ("15k-30k", "15-30K·13薪", "8千-1.2万/月", "150-200元/天", "10-15万", "15k以上", "薪资面议" …); an
-- unreadable salary is quarantined with the string and adds nothing. A city without a posting with
-- a salary gets 0, as the truth has it; every sample city gets a value for all five sectors.

CREATE OR REPLACE TEMP TABLE postings AS
SELECT record_id, run_id AS collect_run_id, 'jobs' AS source, job_id, title, company,
       concat(fhi_value(city), fhi_value(district)) AS place, fhi_value(salary) AS salary,
       fhi_value(education) AS education, TRY_CAST(posted AS DATE) AS posted
FROM raw_jobs
UNION ALL
SELECT record_id, run_id, 'jobs_gbk', job_id, title, company, fhi_value(location), fhi_value(salary),
       fhi_value(education), TRY_CAST(posted AS DATE)
FROM raw_jobs_gbk;

CREATE OR REPLACE TEMP TABLE posting_place_input AS
SELECT DISTINCT nullif(place, '') AS place, NULL::VARCHAR AS context FROM postings;
CREATE OR REPLACE TEMP TABLE posting_places AS SELECT * FROM fhi_places('posting_place_input');

CREATE OR REPLACE TABLE clean_jobs AS
WITH parsed AS (SELECT p.*, fhi_salary(p.salary) AS s FROM postings p)
SELECT p.record_id, p.collect_run_id, p.source, p.job_id, p.title, p.company,
       l.company_id, l.registry_record_id, l.method AS link_method, r.sector,
       nullif(p.place, '') AS place_raw, pl.city_code, pc.name AS city_name, pl.method AS place_method,
       pl.problem AS place_problem,
       c.code IS NOT NULL AS in_sample,
       p.salary AS salary_raw,
       p.s.monthly_low AS salary_monthly_low, p.s.monthly_high AS salary_monthly_high,
       p.s.monthly_mid AS salary_monthly_mid, p.s.months AS salary_months, p.s.period AS salary_period,
       p.s.bound AS salary_bound,
       p.salary IS NULL OR p.s.negotiable AS negotiable,
       p.s.problem AS salary_problem,
       p.education,
       coalesce(p.education LIKE '%硕士%' OR p.education LIKE '%博士%', false) AS masters,
       p.posted
FROM parsed p
LEFT JOIN entity_links l ON l.source = p.source AND l.record_id = p.record_id
LEFT JOIN clean_registry r ON r.record_id = l.registry_record_id
LEFT JOIN posting_places pl ON pl.place IS NOT DISTINCT FROM nullif(p.place, '') AND pl.context IS NULL
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities c ON c.code = pl.city_code;

COMMENT ON TABLE clean_jobs IS 'postings of both recruitment sites (sources jobs, jobs_gbk), linked to registry companies; step 057_jobs';
COMMENT ON COLUMN clean_jobs.record_id IS 'raw record id (lineage: raw_jobs / raw_jobs_gbk and the archived page)';
COMMENT ON COLUMN clean_jobs.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_jobs.source IS 'jobs (the JSON API) or jobs_gbk (the GBK site)';
COMMENT ON COLUMN clean_jobs.job_id IS 'the site''s posting id';
COMMENT ON COLUMN clean_jobs.title IS 'job title as printed';
COMMENT ON COLUMN clean_jobs.company IS 'company name as printed';
COMMENT ON COLUMN clean_jobs.company_id IS 'the registry company the posting is linked to (entity_links); NULL = unlinked';
COMMENT ON COLUMN clean_jobs.registry_record_id IS 'record id of that registry company';
COMMENT ON COLUMN clean_jobs.link_method IS 'how it was linked: credit_code, legal_name, name_key, brand';
COMMENT ON COLUMN clean_jobs.sector IS 'the company''s registry sector: p2p, crowdfunding, payment, credit, blockchain, other';
COMMENT ON COLUMN clean_jobs.place_raw IS 'the posting''s place text (city and district, or location)';
COMMENT ON COLUMN clean_jobs.city_code IS 'prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_jobs.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_jobs.place_method IS 'how the city was found (fhi_places)';
COMMENT ON COLUMN clean_jobs.place_problem IS 'why no city';
COMMENT ON COLUMN clean_jobs.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_jobs.salary_raw IS 'salary as printed';
COMMENT ON COLUMN clean_jobs.salary_monthly_low IS 'low end of the salary, yuan per month (fhi_salary)';
COMMENT ON COLUMN clean_jobs.salary_monthly_high IS 'high end of the salary, yuan per month; NULL for an open range (15k以上)';
COMMENT ON COLUMN clean_jobs.salary_monthly_mid IS 'salary midpoint, yuan per month; a bound for an open range';
COMMENT ON COLUMN clean_jobs.salary_months IS 'months paid a year (12, or 13/14 when printed)';
COMMENT ON COLUMN clean_jobs.salary_period IS 'the period printed: month, year, day, hour; none (monthly) / none (annual) by the 50,000-yuan rule';
COMMENT ON COLUMN clean_jobs.salary_bound IS 'at_least (以上) or at_most (以下) for an open range';
COMMENT ON COLUMN clean_jobs.negotiable IS 'no salary printed or 面议 and its variants: excluded from salary means';
COMMENT ON COLUMN clean_jobs.salary_problem IS 'why a printed, non-negotiable salary has no figure';
COMMENT ON COLUMN clean_jobs.education IS 'education asked, as printed';
COMMENT ON COLUMN clean_jobs.masters IS 'the posting asks 硕士 or 博士';
COMMENT ON COLUMN clean_jobs.posted IS 'date posted';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT source, record_id, 'company''s registry industry is not fintech', company
FROM clean_jobs WHERE company_id IS NOT NULL AND (sector IS NULL OR sector = 'other')
UNION ALL
SELECT source, record_id, 'place: ' || place_problem, place_raw
FROM clean_jobs WHERE city_code IS NULL
UNION ALL
SELECT source, record_id, 'salary: ' || salary_problem, salary_raw
FROM clean_jobs WHERE NOT negotiable AND salary_problem IS NOT NULL;

CREATE OR REPLACE TEMP TABLE talent_sectors AS
SELECT * FROM (VALUES ('p2p'), ('crowdfunding'), ('payment'), ('credit'), ('blockchain')) AS t(sector);

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'industry.' || j.sector || '.talent', j.city_code, j.record_id, j.source, j.collect_run_id
FROM clean_jobs j
JOIN talent_sectors t ON t.sector = j.sector
WHERE j.in_sample;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'industry.' || t.sector || '.talent', c.code, c.name,
       CASE WHEN count(j.salary_monthly_mid) > 0
            THEN avg(j.salary_monthly_mid) * (1 + count(*) FILTER (WHERE j.masters) / count(j.record_id))
            ELSE 0
       END,
       count(j.record_id)
FROM talent_sectors t
CROSS JOIN ref_cities c
LEFT JOIN clean_jobs j ON j.sector = t.sector AND j.city_code = c.code
GROUP BY t.sector, c.code, c.name;

DROP TABLE talent_sectors;
DROP TABLE postings;
DROP TABLE posting_place_input;
DROP TABLE posting_places;
