-- requires: p2p
-- Clean the P2P platform directory: amounts to yuan, dates to DATE, registered address to a
-- prefecture-level city (longest matching province+city prefix wins, so 吉林省长春市 is 长春, not 吉林).

CREATE OR REPLACE TABLE clean_p2p_platforms AS
WITH platforms AS (
    SELECT record_id, run_id AS collect_run_id, platform_id, name, address, registered_capital,
           online_date, turnover_2016, status, background
    FROM raw_p2p
),
matches AS (
    SELECT p.record_id, fhi_city_code(p.address) AS city_code, fhi_city_name(p.address) AS city_name
    FROM platforms p
)
SELECT p.record_id, p.collect_run_id, p.platform_id, p.name, p.address,
       m.city_code, m.city_name,
       c.code IS NOT NULL AS in_sample,
       p.registered_capital AS registered_capital_raw,
       fhi_amount_yuan(p.registered_capital) AS registered_capital_yuan,
       TRY_CAST(p.online_date AS DATE) AS online_date,
       p.turnover_2016 AS turnover_2016_raw,
       fhi_amount_yuan(p.turnover_2016) AS turnover_2016_yuan,
       p.status,
       p.status = '正常' AS operating,
       p.background
FROM platforms p
LEFT JOIN matches m ON m.record_id = p.record_id
LEFT JOIN ref_cities c ON c.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'p2p', record_id, 'address maps to no prefecture-level city', address
FROM clean_p2p_platforms WHERE city_code IS NULL
UNION ALL
SELECT 'p2p', record_id, 'registered capital is not an amount', registered_capital_raw
FROM clean_p2p_platforms WHERE registered_capital_raw IS NOT NULL AND registered_capital_yuan IS NULL
UNION ALL
SELECT 'p2p', record_id, 'turnover is not an amount', turnover_2016_raw
FROM clean_p2p_platforms WHERE turnover_2016_raw IS NOT NULL AND turnover_2016_yuan IS NULL;
