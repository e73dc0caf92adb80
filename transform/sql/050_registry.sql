-- requires: registry
-- Clean the enterprise registry and prepare linking (steps 051–056): every firm record of another
-- source is linked to one registry company, in this order of evidence —
--   credit_code  the record's 统一社会信用代码 (valid check character) equals the company's      confidence 1.00
--   legal_name   its legal name equals the company's in canonical form (fhi_company_name:      confidence 0.95
--                width, spaces and zero-width characters folded, a bracketed region in front)
--   name_key     its name equals the company's without region and legal form (fhi_company_key) confidence 0.90
--   brand        its brand or product name equals one of the company's brands (品牌) or, for a    confidence 0.80
--                record printing a brand where the legal name belongs, its name does
-- A name or brand shared by several registry companies links to none of them (problem
-- 'ambiguous'); a record that matches nothing is listed with problem 'not in the registry'.
-- Every record of a linked source gets one entity_links row, linked or not.

CREATE OR REPLACE TEMP TABLE registry_place_input AS
SELECT DISTINCT fhi_value(address) AS place, NULL::VARCHAR AS context FROM raw_registry;
CREATE OR REPLACE TEMP TABLE registry_places AS SELECT * FROM fhi_places('registry_place_input');

CREATE OR REPLACE TABLE clean_registry AS
WITH companies AS (
    SELECT record_id, run_id AS collect_run_id, company_id, name, fhi_value(credit_code) AS credit_code,
           fhi_value(legal_rep) AS legal_rep, fhi_value(registered_capital) AS registered_capital,
           TRY_CAST(founded AS DATE) AS founded, fhi_value(status) AS status, fhi_value(industry) AS industry,
           fhi_value(address) AS address, fhi_value(brands) AS brands, fhi_value(scope) AS scope
    FROM raw_registry
),
parsed AS (
    SELECT c.*, fhi_money(c.registered_capital, year(c.founded)) AS capital, fhi_status('registry', c.status) AS st,
           fhi_sector(c.industry) AS sector
    FROM companies c
)
SELECT c.record_id, c.collect_run_id, c.company_id, c.name,
       fhi_company_name(c.name) AS name_canonical, fhi_company_key(c.name) AS name_key,
       c.credit_code AS credit_code_raw, fhi_credit_code(c.credit_code) AS credit_code,
       c.brands AS brands_raw,
       list_filter(list_transform(regexp_split_to_array(coalesce(c.brands, ''), '[、,;，；/|]'), lambda b: fhi_brand_key(b)),
                   lambda b: b IS NOT NULL) AS brand_keys,
       c.legal_rep,
       c.registered_capital AS registered_capital_raw, c.capital.yuan AS registered_capital_yuan,
       c.capital.problem AS registered_capital_problem,
       c.founded,
       c.status AS status_raw, c.st.status AS status, c.st.operating AS active,
       c.industry AS industry_raw, c.sector,
       c.address, pl.city_code, pc.name AS city_name, pl.method AS place_method, pl.problem AS place_problem,
       r.code IS NOT NULL AS in_sample,
       c.scope
FROM parsed c
LEFT JOIN registry_places pl ON pl.place IS NOT DISTINCT FROM c.address
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities r ON r.code = pl.city_code;

COMMENT ON TABLE clean_registry IS 'enterprise-registry companies (source registry); step 050_registry';
COMMENT ON COLUMN clean_registry.record_id IS 'raw record id (lineage: raw_registry and the archived page)';
COMMENT ON COLUMN clean_registry.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_registry.company_id IS 'the registry''s company id';
COMMENT ON COLUMN clean_registry.name IS 'legal name as printed';
COMMENT ON COLUMN clean_registry.name_canonical IS 'fhi_company_name(name): the legal name in canonical form, for linking';
COMMENT ON COLUMN clean_registry.name_key IS 'fhi_company_key(name): without region and legal form, for linking';
COMMENT ON COLUMN clean_registry.credit_code_raw IS '统一社会信用代码 as printed';
COMMENT ON COLUMN clean_registry.credit_code IS '统一社会信用代码, canonical, NULL when its check character is wrong';
COMMENT ON COLUMN clean_registry.brands_raw IS 'brands and products (品牌) as printed';
COMMENT ON COLUMN clean_registry.brand_keys IS 'fhi_brand_key of each brand, for linking';
COMMENT ON COLUMN clean_registry.legal_rep IS 'legal representative as printed';
COMMENT ON COLUMN clean_registry.registered_capital_raw IS 'registered capital as printed';
COMMENT ON COLUMN clean_registry.registered_capital_yuan IS 'registered capital, yuan (foreign currency at the founding year''s average rate)';
COMMENT ON COLUMN clean_registry.registered_capital_problem IS 'why registered_capital_yuan is NULL for a printed capital';
COMMENT ON COLUMN clean_registry.founded IS 'date of establishment';
COMMENT ON COLUMN clean_registry.status_raw IS 'registration status as printed (存续, 注销, 吊销 …)';
COMMENT ON COLUMN clean_registry.status IS 'the status it maps to in ref_statuses (domain registry); NULL = unmapped';
COMMENT ON COLUMN clean_registry.active IS 'the company is active (存续, 在业 …); NULL when the status is unmapped';
COMMENT ON COLUMN clean_registry.industry_raw IS 'industry label as printed';
COMMENT ON COLUMN clean_registry.sector IS 'the label''s sector in ref_industry_labels: p2p, crowdfunding, payment, credit, blockchain, other; NULL = unmapped';
COMMENT ON COLUMN clean_registry.address IS 'registered address as printed';
COMMENT ON COLUMN clean_registry.city_code IS 'prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_registry.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_registry.place_method IS 'how the city was found (fhi_places)';
COMMENT ON COLUMN clean_registry.place_problem IS 'why no city';
COMMENT ON COLUMN clean_registry.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_registry.scope IS 'business scope as printed';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'registry', record_id, 'industry not in data/industry_labels.csv', industry_raw
FROM clean_registry WHERE sector IS NULL
UNION ALL
SELECT 'registry', record_id, 'status not in data/statuses.csv', status_raw
FROM clean_registry WHERE status_raw IS NOT NULL AND status IS NULL
UNION ALL
SELECT 'registry', record_id, 'place: ' || place_problem, address
FROM clean_registry WHERE address IS NOT NULL AND city_code IS NULL
UNION ALL
SELECT 'registry', record_id, 'registered capital: ' || registered_capital_problem, registered_capital_raw
FROM clean_registry WHERE registered_capital_problem IS NOT NULL
UNION ALL
SELECT 'registry', record_id, 'credit code has a wrong check character', credit_code_raw
FROM clean_registry WHERE credit_code_raw IS NOT NULL AND credit_code IS NULL;

DROP TABLE registry_place_input;
DROP TABLE registry_places;

-- The registry by each kind of key: a key with n > 1 companies links to none.
CREATE OR REPLACE TEMP TABLE registry_keys AS
SELECT kind, key, min(record_id) AS registry_record_id, min(company_id) AS company_id, count(DISTINCT company_id) AS n
FROM (
    SELECT 'credit_code' AS kind, credit_code AS key, record_id, company_id FROM clean_registry
    UNION ALL SELECT 'legal_name', name_canonical, record_id, company_id FROM clean_registry
    UNION ALL SELECT 'name_key', name_key, record_id, company_id FROM clean_registry
    UNION ALL SELECT 'brand', unnest(brand_keys), record_id, company_id FROM clean_registry
)
WHERE key IS NOT NULL
GROUP BY kind, key;

CREATE OR REPLACE TABLE entity_links (
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    collect_run_id VARCHAR NOT NULL,
    registry_record_id VARCHAR,
    company_id VARCHAR,
    method VARCHAR,
    confidence DOUBLE,
    matched_on VARCHAR,
    problem VARCHAR
);
COMMENT ON TABLE entity_links IS 'every firm record of a linked source (jobs, jobs_gbk, vc, p2p, crowdfunding, licensees) with the registry company it is taken to be, and why; steps 050–056';
COMMENT ON COLUMN entity_links.source IS 'the record''s source';
COMMENT ON COLUMN entity_links.record_id IS 'the record''s raw record id';
COMMENT ON COLUMN entity_links.collect_run_id IS 'the collect (or import) run of the record';
COMMENT ON COLUMN entity_links.registry_record_id IS 'record id of the registry company (clean_registry); NULL = not linked';
COMMENT ON COLUMN entity_links.company_id IS 'the registry''s company id; NULL = not linked';
COMMENT ON COLUMN entity_links.method IS 'credit_code, legal_name, name_key or brand: the evidence that linked them';
COMMENT ON COLUMN entity_links.confidence IS 'the method''s confidence, 0–1 (1.00, 0.95, 0.90, 0.80)';
COMMENT ON COLUMN entity_links.matched_on IS 'the record''s value that matched, in its compared form';
COMMENT ON COLUMN entity_links.problem IS 'why not linked: ambiguous (shared by several companies) or not in the registry';

-- fhi_link(tbl) links the records of table tbl — columns source, record_id, collect_run_id,
-- credit_code, legal_name, brand (NULL where a source has none) — to the registry, one row per
-- record in entity_links' columns.
CREATE OR REPLACE TEMP MACRO fhi_link(tbl) AS TABLE
WITH input AS (
    SELECT CAST(source AS VARCHAR) AS source, CAST(record_id AS VARCHAR) AS record_id,
           CAST(collect_run_id AS VARCHAR) AS collect_run_id,
           fhi_credit_code(credit_code) AS code, fhi_company_name(legal_name) AS legal, fhi_company_key(legal_name) AS key,
           fhi_brand_key(brand) AS brand, fhi_brand_key(legal_name) AS legal_as_brand
    FROM query_table(tbl)
),
tries AS (
    SELECT i.source, i.record_id, i.collect_run_id, t.priority, t.method, t.confidence, t.value, k.registry_record_id, k.company_id, k.n
    FROM input i
    CROSS JOIN LATERAL (VALUES
        (1, 'credit_code', 1.00, i.code), (2, 'legal_name', 0.95, i.legal), (3, 'name_key', 0.90, i.key),
        (4, 'brand', 0.80, i.brand), (5, 'brand', 0.80, i.legal_as_brand)
    ) AS t(priority, method, confidence, value)
    LEFT JOIN registry_keys k ON k.kind = t.method AND k.key = t.value
    WHERE t.value IS NOT NULL
),
best AS (
    SELECT * FROM tries WHERE n = 1
    QUALIFY row_number() OVER (PARTITION BY source, record_id ORDER BY priority) = 1
),
ambiguous AS (
    SELECT source, record_id, max(n) AS n FROM tries WHERE n > 1 GROUP BY source, record_id
)
SELECT i.source, i.record_id, i.collect_run_id, b.registry_record_id, b.company_id, b.method, b.confidence, b.value AS matched_on,
       CASE WHEN b.company_id IS NOT NULL THEN NULL
            WHEN a.n IS NOT NULL THEN 'ambiguous: the name is shared by ' || a.n || ' registry companies'
            ELSE 'not in the registry' END AS problem
FROM input i
LEFT JOIN best b ON b.source = i.source AND b.record_id = i.record_id
LEFT JOIN ambiguous a ON a.source = i.source AND a.record_id = i.record_id;
