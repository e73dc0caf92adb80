-- requires: p2p_loans
-- experience.p2p.online_borrowing: Σ loan amount (yuan, as the API gives it) of the loans whose
-- borrower lives in the city. The borrower city ("杭州", "浙江杭州") is resolved by fhi_places; loans
-- whose city maps nowhere or whose amount is not a number are quarantined.

CREATE OR REPLACE TEMP TABLE loan_place_input AS
SELECT DISTINCT fhi_value(borrower_city) AS place, NULL::VARCHAR AS context FROM raw_p2p_loans;
CREATE OR REPLACE TEMP TABLE loan_places AS SELECT * FROM fhi_places('loan_place_input');

CREATE OR REPLACE TABLE clean_p2p_loans AS
SELECT l.record_id, l.run_id AS collect_run_id, l.loan_id, l.platform_id, l.platform,
       l.amount AS amount_raw, TRY_CAST(replace(l.amount, ',', '') AS DOUBLE) AS amount_yuan,
       TRY_CAST(l.rate AS DOUBLE) AS rate_pct, TRY_CAST(l.term_months AS INTEGER) AS term_months,
       l.borrower_city AS borrower_city_raw, pl.city_code, pc.name AS city_name, pl.problem AS place_problem,
       c.code IS NOT NULL AS in_sample,
       l.purpose, l.type, TRY_CAST(l.date AS DATE) AS loan_date
FROM raw_p2p_loans l
LEFT JOIN loan_places pl ON pl.place IS NOT DISTINCT FROM fhi_value(l.borrower_city)
LEFT JOIN ref_place_cities pc ON pc.code = pl.city_code
LEFT JOIN ref_cities c ON c.code = pl.city_code;

COMMENT ON TABLE clean_p2p_loans IS 'P2P loan projects of the loans API (source p2p_loans); step 070_experience_borrowing';
COMMENT ON COLUMN clean_p2p_loans.record_id IS 'raw record id (lineage: raw_p2p_loans and the archived response)';
COMMENT ON COLUMN clean_p2p_loans.collect_run_id IS 'the collect (or import) run the record comes from';
COMMENT ON COLUMN clean_p2p_loans.loan_id IS 'the API''s loan id';
COMMENT ON COLUMN clean_p2p_loans.platform_id IS 'the lending platform''s id';
COMMENT ON COLUMN clean_p2p_loans.platform IS 'the lending platform''s name as given';
COMMENT ON COLUMN clean_p2p_loans.amount_raw IS 'amount as given';
COMMENT ON COLUMN clean_p2p_loans.amount_yuan IS 'loan amount, yuan';
COMMENT ON COLUMN clean_p2p_loans.rate_pct IS 'annual interest rate, percent';
COMMENT ON COLUMN clean_p2p_loans.term_months IS 'term, months';
COMMENT ON COLUMN clean_p2p_loans.borrower_city_raw IS 'borrower city as given';
COMMENT ON COLUMN clean_p2p_loans.city_code IS 'the borrower''s prefecture-level city (4-digit NBS code); NULL when place_problem says why';
COMMENT ON COLUMN clean_p2p_loans.city_name IS 'short name of city_code';
COMMENT ON COLUMN clean_p2p_loans.place_problem IS 'why no city';
COMMENT ON COLUMN clean_p2p_loans.in_sample IS 'the city is one of the 36 sample cities';
COMMENT ON COLUMN clean_p2p_loans.purpose IS 'loan purpose as given';
COMMENT ON COLUMN clean_p2p_loans.type IS 'loan type as given (信用, 车贷, 房贷)';
COMMENT ON COLUMN clean_p2p_loans.loan_date IS 'date of the loan';

INSERT INTO quarantine (source, record_id, reason, value)
SELECT 'p2p_loans', record_id, 'borrower place: ' || place_problem, borrower_city_raw
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

DROP TABLE loan_place_input;
DROP TABLE loan_places;
