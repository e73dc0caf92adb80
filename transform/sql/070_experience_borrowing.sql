-- requires: p2p_loans
-- experience.p2p.online_borrowing: Σ loan amount (yuan, as the API gives it) of the loans whose
-- borrower lives in the city. The borrower city is a short name (杭州), mapped through
-- ref_city_prefixes; loans whose city maps nowhere or whose amount is not a number are quarantined.

CREATE OR REPLACE TABLE clean_p2p_loans AS
WITH loans AS (
    SELECT record_id, run_id AS collect_run_id, loan_id, platform_id, platform, amount, rate,
           term_months, borrower_city, purpose, type, date
    FROM raw_p2p_loans
),
matches AS (
    SELECT l.record_id, fhi_city_code(l.borrower_city) AS city_code, fhi_city_name(l.borrower_city) AS city_name
    FROM loans l
)
SELECT l.record_id, l.collect_run_id, l.loan_id, l.platform_id, l.platform,
       l.amount AS amount_raw, TRY_CAST(l.amount AS DOUBLE) AS amount_yuan,
       TRY_CAST(l.rate AS DOUBLE) AS rate_pct, TRY_CAST(l.term_months AS INTEGER) AS term_months,
       l.borrower_city AS borrower_city_raw, m.city_code, m.city_name,
       c.code IS NOT NULL AS in_sample,
       l.purpose, l.type, TRY_CAST(l.date AS DATE) AS loan_date
FROM loans l
LEFT JOIN matches m ON m.record_id = l.record_id
LEFT JOIN ref_cities c ON c.code = m.city_code;

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'p2p_loans', record_id, 'borrower city maps to no prefecture-level city', borrower_city_raw
FROM clean_p2p_loans WHERE city_code IS NULL
UNION ALL
SELECT 'p2p_loans', record_id, 'amount is not a number', amount_raw
FROM clean_p2p_loans WHERE amount_yuan IS NULL;

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT 'experience.p2p.online_borrowing', city_code, record_id, 'p2p_loans', collect_run_id
FROM clean_p2p_loans WHERE in_sample AND amount_yuan IS NOT NULL;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'experience.p2p.online_borrowing', c.code, c.name, coalesce(sum(l.amount_yuan), 0), count(l.amount_yuan)
FROM ref_cities c
LEFT JOIN clean_p2p_loans l ON l.city_code = c.code
GROUP BY c.code, c.name;
