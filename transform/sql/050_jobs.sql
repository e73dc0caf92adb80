-- requires: jobs, jobs_gbk, registry
-- Clean the enterprise registry and the postings of both recruitment sites, and compute per sector S
-- (the sample web's truth definition, collectors/sampleweb doc.go):
--   industry.S.talent   over the postings of sector-S firms in the city: mean monthly salary
--                       midpoint in yuan (面议 excluded) × (1 + share of the postings asking 硕士 or 博士).
-- A posting's sector is its company's industry in the registry (linked by company name, whitespace
-- and zero-width characters ignored); its city is the posting's city text ("杭州", or the part of
-- "上海-浦东新区" before the dash) mapped through ref_city_prefixes. A city without a posting with
-- a salary gets 0, as the truth has it; every sample city gets a value for all five sectors.

-- fhi_salary_unit is the yuan per printed unit of a salary string: "15k-30k" k = 1,000, 千 = 1,000,
-- 万 = 10,000, plain numbers (元) = 1.
CREATE OR REPLACE TEMP MACRO fhi_salary_unit(s) AS (
    CASE
        WHEN s LIKE '%万%' THEN 1e4
        WHEN s LIKE '%千%' OR lower(s) LIKE '%k%' THEN 1e3
        ELSE 1
    END
);

-- fhi_salary_monthly turns a salary range into its monthly midpoint in yuan: "15k-30k" → 22,500,
-- "1-1.5万/月" → 12,500, "6-8千/月" → 7,000, "10-20万/年" → 12,500 (a year is 12 months), a single
-- figure ("8k") is its own midpoint. 面议 (negotiable), NULL and anything unreadable give NULL.
CREATE OR REPLACE TEMP MACRO fhi_salary_monthly(s) AS (
    CASE
        WHEN s IS NULL OR NOT regexp_matches(replace(replace(s, ' ', ''), ',', ''),
            '^[0-9]+(\.[0-9]+)?([kK千万]|元)?([-~～－至][0-9]+(\.[0-9]+)?([kK千万]|元)?)?(元)?(/(月|年))?$') THEN NULL
        ELSE (CAST(regexp_extract(replace(s, ',', ''), '^ *([0-9]+(\.[0-9]+)?)', 1) AS DOUBLE)
              + CAST(coalesce(nullif(regexp_extract(replace(s, ',', ''), '[-~～－至] *([0-9]+(\.[0-9]+)?)', 1), ''),
                              regexp_extract(replace(s, ',', ''), '^ *([0-9]+(\.[0-9]+)?)', 1)) AS DOUBLE)) / 2
             * fhi_salary_unit(s)
             / CASE WHEN s LIKE '%/年%' THEN 12 ELSE 1 END
    END
);

-- fhi_company_key is the form of a company name used to link postings to registry entries.
CREATE OR REPLACE TEMP MACRO fhi_company_key(s) AS (
    regexp_replace(s, '[\s\x{200B}-\x{200D}\x{2060}\x{FEFF}]+', '', 'g')
);

CREATE OR REPLACE TABLE clean_registry AS
WITH companies AS (
    SELECT record_id, run_id AS collect_run_id, company_id, name, credit_code, legal_rep,
           registered_capital, founded, status, industry, address, scope
    FROM raw_registry
),
matches AS (
    SELECT c.record_id, fhi_city_code(c.address) AS city_code, fhi_city_name(c.address) AS city_name
    FROM companies c
)
SELECT c.record_id, c.collect_run_id, c.company_id, c.name, fhi_company_key(c.name) AS name_key,
       c.credit_code, c.legal_rep,
       c.registered_capital AS registered_capital_raw,
       fhi_amount_yuan(c.registered_capital) AS registered_capital_yuan,
       TRY_CAST(c.founded AS DATE) AS founded,
       c.status,
       c.status = '存续' AS active,
       c.industry AS industry_raw,
       CASE c.industry
           WHEN '网络借贷' THEN 'p2p'
           WHEN '互联网众筹' THEN 'crowdfunding'
           WHEN '第三方支付' THEN 'payment'
           WHEN '征信服务' THEN 'credit'
           WHEN '区块链' THEN 'blockchain'
           WHEN '其他' THEN 'other'
       END AS sector,
       c.address, m.city_code, m.city_name,
       r.code IS NOT NULL AS in_sample,
       c.scope
FROM companies c
LEFT JOIN matches m ON m.record_id = c.record_id
LEFT JOIN ref_cities r ON r.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'registry', record_id, 'industry is not a known label', industry_raw
FROM clean_registry WHERE sector IS NULL
UNION ALL
SELECT 'registry', record_id, 'address maps to no prefecture-level city', address
FROM clean_registry WHERE address IS NOT NULL AND city_code IS NULL
UNION ALL
SELECT 'registry', record_id, 'registered capital is not an amount', registered_capital_raw
FROM clean_registry WHERE registered_capital_raw IS NOT NULL AND registered_capital_yuan IS NULL;

-- One sector per company name: a name listed twice with different sectors links to neither.
CREATE OR REPLACE TEMP TABLE registry_sectors AS
SELECT name_key, min(sector) AS sector, count(DISTINCT sector) AS n_sectors, min(record_id) AS registry_record_id
FROM clean_registry
WHERE sector IS NOT NULL
GROUP BY name_key;

CREATE OR REPLACE TABLE clean_jobs AS
WITH postings AS (
    SELECT record_id, run_id AS collect_run_id, 'jobs' AS source, job_id, title, company,
           city AS city_raw, district, salary, education, posted
    FROM raw_jobs
    UNION ALL
    SELECT record_id, run_id, 'jobs_gbk', job_id, title, company,
           trim(split_part(location, '-', 1)),
           nullif(trim(substr(location, length(split_part(location, '-', 1)) + 2)), ''),
           salary, education, posted
    FROM raw_jobs_gbk
),
matches AS (
    SELECT p.record_id, fhi_city_code(p.city_raw) AS city_code, fhi_city_name(p.city_raw) AS city_name
    FROM postings p
)
SELECT p.record_id, p.collect_run_id, p.source, p.job_id, p.title, p.company,
       s.sector, s.registry_record_id,
       p.city_raw, p.district, m.city_code, m.city_name,
       c.code IS NOT NULL AS in_sample,
       p.salary AS salary_raw,
       fhi_salary_monthly(p.salary) AS salary_monthly_mid,
       p.salary IS NULL OR p.salary = '面议' AS negotiable,
       p.education,
       coalesce(p.education LIKE '%硕士%' OR p.education LIKE '%博士%', false) AS masters,
       TRY_CAST(p.posted AS DATE) AS posted
FROM postings p
LEFT JOIN registry_sectors s ON s.name_key = fhi_company_key(p.company) AND s.n_sectors = 1
LEFT JOIN matches m ON m.record_id = p.record_id
LEFT JOIN ref_cities c ON c.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT source, record_id, 'company is not in the registry under a fintech industry', company
FROM clean_jobs WHERE sector IS NULL OR sector = 'other'
UNION ALL
SELECT source, record_id, 'city maps to no prefecture-level city', city_raw
FROM clean_jobs WHERE city_code IS NULL
UNION ALL
SELECT source, record_id, 'salary is not a range', salary_raw
FROM clean_jobs WHERE NOT negotiable AND salary_monthly_mid IS NULL;

DROP TABLE registry_sectors;

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
