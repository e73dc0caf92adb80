-- requires: p2p
-- Clean the P2P platform directory. Per platform:
--   city: the registered address resolved by fhi_places, with the directory's location field
--         ("广东|深圳", "深圳") as the context that settles district-only and ambiguous addresses;
--         a platform without an address is placed by its location alone.
--   status: through ref_statuses (正常, normal, 运营中 … → operating; 停业或转型, 跑路, 问题平台 … → not).
--   money: registered capital and 2016 turnover by fhi_money (capital at the reference year's rate,
--          turnover at 2016's), in yuan.
-- Quarantined: an unplaceable platform (with the reason: ambiguous, province only, outside the
-- mainland, …), an unmapped status (the platform then counts nowhere — never silently as closed),
-- and amounts that are not amounts.

CREATE OR REPLACE TEMP TABLE p2p_place_input AS
SELECT DISTINCT fhi_value(address) AS place, fhi_value(location) AS context FROM raw_p2p;
CREATE OR REPLACE TEMP TABLE p2p_places AS SELECT * FROM fhi_places('p2p_place_input');

CREATE OR REPLACE TABLE clean_p2p_platforms AS
WITH platforms AS (
    SELECT record_id, run_id AS collect_run_id, platform_id, name, fhi_value(address) AS address,
           fhi_value(location) AS location, fhi_value(credit_code) AS credit_code,
           fhi_value(registered_capital) AS registered_capital, TRY_CAST(online_date AS DATE) AS online_date,
           fhi_value(turnover_2016) AS turnover_2016, fhi_value(status) AS status, fhi_value(background) AS background
    FROM raw_p2p
),
parsed AS (
    SELECT p.*, fhi_money(p.registered_capital, NULL) AS capital, fhi_money(p.turnover_2016, 2016) AS turnover,
           fhi_status('firm', p.status) AS st
    FROM platforms p
)
SELECT p.record_id, p.collect_run_id, p.platform_id, p.name, p.credit_code, p.address, p.location,
       pl.city_code, pc.name AS city_name, pl.method AS place_method, pl.via AS place_via, pl.problem AS place_problem,
       c.code IS NOT NULL AS in_sample,
       p.registered_capital AS registered_capital_raw, p.capital.yuan AS registered_capital_yuan,
       p.capital.currency AS registered_capital_currency, p.capital.problem AS registered_capital_problem,
       p.online_date,
       p.turnover_2016 AS turnover_2016_raw, p.turnover.yuan AS turnover_2016_yuan, p.turnover.problem AS turnover_2016_problem,
       p.status AS status_raw, p.st.status AS status, p.st.operating AS operating,
       p.background
FROM parsed p
LEFT JOIN p2p_places pl ON pl.place IS NOT DISTINCT FROM p.address AND pl.context IS NOT DISTINCT FROM p.location
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities c ON c.code = pl.city_code;

COMMENT ON TABLE clean_p2p_platforms IS 'P2P platforms of the directory (source p2p), placed in a city, status mapped, money in yuan; step 010_p2p_platforms';
COMMENT ON COLUMN clean_p2p_platforms.record_id IS 'raw record id (lineage: raw_p2p and the archived page)';
COMMENT ON COLUMN clean_p2p_platforms.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_p2p_platforms.platform_id IS 'the directory''s platform id';
COMMENT ON COLUMN clean_p2p_platforms.name IS 'platform (brand) name as printed';
COMMENT ON COLUMN clean_p2p_platforms.credit_code IS '统一社会信用代码 of the operating company as printed, when the directory shows it';
COMMENT ON COLUMN clean_p2p_platforms.address IS 'registered address as printed';
COMMENT ON COLUMN clean_p2p_platforms.location IS 'the directory''s location field as printed (e.g. 广东|深圳): the context of the address';
COMMENT ON COLUMN clean_p2p_platforms.city_code IS 'prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_p2p_platforms.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_p2p_platforms.place_method IS 'how the city was found (fhi_places: city, province+city, county+context, context, …)';
COMMENT ON COLUMN clean_p2p_platforms.place_via IS 'the former place name used, with its dated change (ref_place_aliases)';
COMMENT ON COLUMN clean_p2p_platforms.place_problem IS 'why no city: ambiguous, province only, outside mainland China, no place recognised';
COMMENT ON COLUMN clean_p2p_platforms.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_p2p_platforms.registered_capital_raw IS 'registered capital as printed';
COMMENT ON COLUMN clean_p2p_platforms.registered_capital_yuan IS 'registered capital, yuan (foreign currency at the reference year''s average rate)';
COMMENT ON COLUMN clean_p2p_platforms.registered_capital_currency IS 'currency the capital was printed in (ISO 4217)';
COMMENT ON COLUMN clean_p2p_platforms.registered_capital_problem IS 'why registered_capital_yuan is NULL for a printed capital';
COMMENT ON COLUMN clean_p2p_platforms.online_date IS 'date the platform went online';
COMMENT ON COLUMN clean_p2p_platforms.turnover_2016_raw IS '2016 turnover as printed';
COMMENT ON COLUMN clean_p2p_platforms.turnover_2016_yuan IS '2016 turnover, yuan (foreign currency at the 2016 average rate)';
COMMENT ON COLUMN clean_p2p_platforms.turnover_2016_problem IS 'why turnover_2016_yuan is NULL for a printed turnover';
COMMENT ON COLUMN clean_p2p_platforms.status_raw IS 'operating status as printed (正常, normal, 停业或转型 …)';
COMMENT ON COLUMN clean_p2p_platforms.status IS 'the status it maps to in ref_statuses: operating, closed, transformed, problem; NULL = unmapped';
COMMENT ON COLUMN clean_p2p_platforms.operating IS 'counts as an operating platform; NULL when the status is unmapped (quarantined)';
COMMENT ON COLUMN clean_p2p_platforms.background IS 'platform background as printed (民营系, 国资系 …)';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'p2p', record_id, 'place: ' || place_problem, concat_ws(' | ', address, location)
FROM clean_p2p_platforms WHERE city_code IS NULL
UNION ALL
SELECT 'p2p', record_id, 'status not in data/statuses.csv', status_raw
FROM clean_p2p_platforms WHERE status IS NULL
UNION ALL
SELECT 'p2p', record_id, 'registered capital: ' || registered_capital_problem, registered_capital_raw
FROM clean_p2p_platforms WHERE registered_capital_problem IS NOT NULL
UNION ALL
SELECT 'p2p', record_id, 'turnover: ' || turnover_2016_problem, turnover_2016_raw
FROM clean_p2p_platforms WHERE turnover_2016_problem IS NOT NULL;

DROP TABLE p2p_place_input;
DROP TABLE p2p_places;
