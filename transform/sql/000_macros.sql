-- Cleaning macros shared by the steps: text, money, salaries, statuses and industry labels.
-- Place names and company names are in 001_places.sql (they need the place table built there).
-- Temporary: macros live only in the transform's connection. Every macro takes any string and
-- never fails: what it cannot read it returns as NULL with a `problem`, and the step that uses it
-- quarantines the row with that problem and the string. Table-driven tests: transform/*_test.go.

-- fhi_reference_year is the year an undated amount is converted at (the 2017 edition's year).
CREATE OR REPLACE TEMP MACRO fhi_reference_year() AS 2017;

-- fhi_text folds a scraped string to one form: Unicode NFKC (full-width letters, digits and
-- brackets to ASCII, the ideographic space to a space), zero-width characters and soft hyphens
-- removed, runs of whitespace to one space, trimmed. An empty result is NULL.
CREATE OR REPLACE TEMP MACRO fhi_text(s) AS (
    nullif(trim(regexp_replace(
        regexp_replace(fhi_nfkc(s), '[\x{200B}-\x{200D}\x{2060}\x{FEFF}\x{00AD}]', '', 'g'),
        '\s+', ' ', 'g')), '')
);

-- fhi_missing is true for a value that says "nothing here": empty, or a placeholder such as --, —,
-- 暂无, 无, N/A, null. A missing value is NULL, not a problem.
CREATE OR REPLACE TEMP MACRO fhi_missing(s) AS (
    coalesce(lower(fhi_text(s)) IN ('-', '--', '---', '—', '——', '–', '/', '暂无', '无', 'n/a', 'na', 'null', 'none'), true)
);

-- fhi_value is s, or NULL when fhi_missing(s).
CREATE OR REPLACE TEMP MACRO fhi_value(s) AS (CASE WHEN fhi_missing(s) THEN NULL ELSE s END);

-- fhi_label_key is the form labels are matched in (statuses, industries): fhi_text, lower case.
CREATE OR REPLACE TEMP MACRO fhi_label_key(s) AS (lower(fhi_text(s)));

-- fhi_status maps a printed operating status through ref_statuses (data/statuses.csv) in a domain
-- ('firm' or 'registry'): {status, operating}. An unmapped or empty value gives NULLs — the step
-- quarantines it by name; it is never counted as not operating.
CREATE OR REPLACE TEMP MACRO fhi_status(dom, s) AS (
    SELECT struct_pack(status := r.status, operating := r.operating)
    FROM ref_statuses r
    WHERE r.domain = dom AND fhi_label_key(r.value) = fhi_label_key(s)
    LIMIT 1
);

-- fhi_sector maps an industry label through ref_industry_labels (data/industry_labels.csv) to
-- p2p, crowdfunding, payment, credit, blockchain or other; NULL when unmapped.
CREATE OR REPLACE TEMP MACRO fhi_sector(s) AS (
    SELECT l.sector FROM ref_industry_labels l WHERE fhi_label_key(l.label) = fhi_label_key(s) LIMIT 1
);

-- fhi_credit_code is a 统一社会信用代码 (GB 32100-2015) in its canonical form — 18 characters, upper
-- case, spaces and dashes removed — when its check character is right, else NULL.
CREATE OR REPLACE TEMP MACRO fhi_credit_code(s) AS (
    WITH a AS (SELECT upper(regexp_replace(fhi_text(s), '[\s\-]', '', 'g')) AS t),
    b AS (
        SELECT t, list_sum(list_transform(range(1, 18), lambda i:
                  (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(t, i::INTEGER, 1)) - 1)
                  * [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28][i])) AS w
        FROM a
        WHERE regexp_full_match(t, '[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}')
    )
    SELECT t FROM b WHERE substr('0123456789ABCDEFGHJKLMNPQRTUWXY', ((31 - w % 31) % 31 + 1)::INTEGER, 1) = right(t, 1)
);

-- fhi_rate is yuan per unit of a currency in a year (ref_currency_rates, yearly averages): the
-- year's rate, or the nearest year's when the table lacks it (the later one on a tie); CNY is 1.
-- A currency without any rate gives NULL.
CREATE OR REPLACE TEMP MACRO fhi_rate(cur, yr) AS (
    CASE WHEN cur = 'CNY' THEN 1.0 ELSE (
        SELECT r.cny_per_unit FROM ref_currency_rates r
        WHERE r.currency = cur
        ORDER BY abs(r.year - coalesce(yr, fhi_reference_year())), r.year DESC
        LIMIT 1)
    END
);

-- fhi_money reads an amount as deal lists, registries and directories print it, converting it to
-- yuan at the currency's rate of year yr (NULL: the reference year). The result:
--   yuan         the amount in yuan; a vague amount's conventional value; NULL when undisclosed or unreadable
--   low_yuan, high_yuan  the range the text allows (equal to yuan for a precise amount; NULL = unbounded/unknown)
--   currency, rate       ISO code found in the text (default CNY) and the rate used
--   vague        true for 数百万, 近亿, 超过5亿, 约300万…;  undisclosed: 未透露, 未披露, 保密… with or without a currency
--   problem      why yuan is NULL when it is neither undisclosed nor readable
-- Shapes: "5000万元", "1.2亿元", "5000万人民币", "3,000,000元", "1亿5000万", "500万美元", "US$ 10 million",
-- "HK$2亿", "800万欧元", "5亿日元"; the phrases of ref_amount_phrases (data/amount_phrases.csv) at their
-- conventional values with their ranges; "超过N亿", "逾N亿", "N亿元及以上", "N亿+" as at least N亿 (value N亿,
-- no upper bound); "近N亿" as N亿 with the range 0.8–1 × N亿; "约N万" as N万, vague, no range.
-- A figure above 10万亿 yuan is implausible for any record here and is refused.
CREATE OR REPLACE TEMP MACRO fhi_money(s, yr) AS (
    WITH a AS (
        SELECT lower(regexp_replace(fhi_text(s), '[\s,]', '', 'g')) AS t
    ),
    b AS (
        SELECT t,
               regexp_replace(t, '^[^0-9\p{Han}]+', '') AS u,
               coalesce((SELECT c.currency FROM ref_currency_tokens c
                         WHERE contains(a.t, lower(c.token))
                         ORDER BY length(c.token) DESC, c.token LIMIT 1), 'CNY') AS currency,
               EXISTS (SELECT 1 FROM ref_amount_phrases p
                       WHERE p.kind = 'undisclosed' AND contains(a.t, lower(p.phrase))) AS undisclosed
        FROM a
    ),
    c AS (
        SELECT b.*,
               (SELECT struct_pack(v := p.value_wan * 1e4, lo := p.low_wan * 1e4, hi := p.high_wan * 1e4)
                FROM ref_amount_phrases p
                WHERE p.kind = 'vague' AND starts_with(b.u, lower(p.phrase))
                ORDER BY length(p.phrase) DESC LIMIT 1) AS phrase,
               regexp_extract(u, '^(超过|超|逾|过|大于|>)?(近|接近|将近|约|大约)?([0-9]{1,13}(\.[0-9]{1,6})?)(亿|千万|百万|十万|万|千|billion|bn|b|million|mn|m|k)?(([0-9]{1,5}(\.[0-9]{1,6})?)万)?(元|人民币)?(及以上|以上|\+)?',
                              ['over', 'near', 'n', 'frac', 'unit', 'rest', 'wan', 'wfrac', 'yuan', 'atleast']) AS m
        FROM b
    ),
    d AS (
        SELECT c.*,
               CASE WHEN m.n = '' THEN NULL
                    ELSE TRY_CAST(m.n AS DOUBLE) * CASE m.unit
                        WHEN '亿' THEN 1e8 WHEN '千万' THEN 1e7 WHEN '百万' THEN 1e6 WHEN '十万' THEN 1e5
                        WHEN '万' THEN 1e4 WHEN '千' THEN 1e3 WHEN 'k' THEN 1e3
                        WHEN 'million' THEN 1e6 WHEN 'mn' THEN 1e6 WHEN 'm' THEN 1e6
                        WHEN 'billion' THEN 1e9 WHEN 'bn' THEN 1e9 WHEN 'b' THEN 1e9
                        ELSE 1 END
                         + CASE WHEN m.unit = '亿' AND m.wan <> '' THEN TRY_CAST(m.wan AS DOUBLE) * 1e4 ELSE 0 END
               END AS figure,
               fhi_rate(currency, yr) AS rate
        FROM c
    ),
    e AS (
        SELECT d.*,
               CASE
                   WHEN t IS NULL OR undisclosed THEN NULL
                   WHEN phrase IS NOT NULL THEN struct_pack(v := phrase.v, lo := phrase.lo, hi := phrase.hi, vague := true)
                   WHEN figure IS NULL THEN NULL
                   WHEN m.over <> '' OR m.atleast <> '' THEN struct_pack(v := figure, lo := figure, hi := NULL::DOUBLE, vague := true)
                   WHEN m.near IN ('近', '接近', '将近') THEN struct_pack(v := figure, lo := 0.8 * figure, hi := figure, vague := true)
                   WHEN m.near <> '' THEN struct_pack(v := figure, lo := NULL::DOUBLE, hi := NULL::DOUBLE, vague := true)
                   ELSE struct_pack(v := figure, lo := figure, hi := figure, vague := false)
               END AS amt
        FROM d
    )
    SELECT CASE
        WHEN t IS NULL THEN struct_pack(yuan := NULL::DOUBLE, low_yuan := NULL::DOUBLE, high_yuan := NULL::DOUBLE,
            currency := NULL::VARCHAR, rate := NULL::DOUBLE, vague := false, undisclosed := false, problem := NULL::VARCHAR)
        WHEN undisclosed THEN struct_pack(yuan := NULL::DOUBLE, low_yuan := NULL::DOUBLE, high_yuan := NULL::DOUBLE,
            currency := currency, rate := rate, vague := false, undisclosed := true, problem := NULL::VARCHAR)
        WHEN amt IS NULL THEN struct_pack(yuan := NULL::DOUBLE, low_yuan := NULL::DOUBLE, high_yuan := NULL::DOUBLE,
            currency := currency, rate := rate, vague := false, undisclosed := false, problem := 'not an amount')
        WHEN rate IS NULL THEN struct_pack(yuan := NULL::DOUBLE, low_yuan := NULL::DOUBLE, high_yuan := NULL::DOUBLE,
            currency := currency, rate := rate, vague := amt.vague, undisclosed := false, problem := 'no exchange rate for ' || currency)
        WHEN NOT isfinite(amt.v * rate) OR amt.v * rate > 1e13 THEN struct_pack(yuan := NULL::DOUBLE, low_yuan := NULL::DOUBLE,
            high_yuan := NULL::DOUBLE, currency := currency, rate := rate, vague := amt.vague, undisclosed := false,
            problem := 'implausible amount')
        ELSE struct_pack(yuan := amt.v * rate, low_yuan := amt.lo * rate, high_yuan := amt.hi * rate,
            currency := currency, rate := rate, vague := amt.vague, undisclosed := false, problem := NULL::VARCHAR)
    END FROM e
);

-- fhi_amount_yuan is fhi_money(s, NULL).yuan: an undated amount in yuan.
CREATE OR REPLACE TEMP MACRO fhi_amount_yuan(s) AS (fhi_money(s, NULL).yuan);

-- fhi_salary reads a salary as recruitment sites print it. The result, in yuan per month:
--   monthly_low, monthly_high, monthly_mid   the range and its midpoint (a single figure is all three;
--                "15k以上" has low = mid = 15,000 and no high, "3000元以下" high = mid = 3,000 and no low)
--   months       months paid a year when printed ("·13薪", "14薪"), else 12; the monthly figures are the
--                base pay as printed, the bonus months are not spread over them
--   period       month, year, day, hour, or 'none (monthly)' / 'none (annual)' when the text gives none
--   negotiable   面议, 薪资面议, 面谈, 可谈, negotiable…: no figure, and not a problem
--   bound        at_least (以上, 起) or at_most (以下, 以内), else NULL
--   problem      why the figures are NULL when the salary is not negotiable
-- Units per side: "8千-1.2万/月" is 8,000–12,000; k/K and 千 are 1,000, w/W and 万 10,000, 元 1.
-- Periods: /年 ÷ 12; /天 and /日 × 21.75 (working days a month); /时 and /小时 × 174 (21.75 × 8 h).
-- No period: monthly, unless the monthly midpoint would exceed 50,000 yuan, in which case the figure
-- is read as annual ("10-15万" → 8,333–12,500 a month) — the rule real sites' unlabelled annual
-- packages need. A monthly midpoint outside 100–1,000,000 yuan, a reversed range or any other
-- shape gives NULL and a problem.
CREATE OR REPLACE TEMP MACRO fhi_salary(s) AS (
    WITH a AS (
        SELECT lower(regexp_replace(regexp_replace(fhi_text(s), '[\s,]', '', 'g'), '[~至到—–]', '-', 'g')) AS t
    ),
    b AS (
        SELECT t,
               regexp_matches(t, '^(薪资|薪酬|工资|待遇|月薪|年薪)?(面议|面谈|可谈|可面议|商议|negotiable|面议\(.*\))$') AS negotiable,
               regexp_extract(t, '[·.\-/]?([0-9]{2})薪$', 1) AS months_txt,
               regexp_replace(t, '[·.\-/]?[0-9]{2}薪$', '') AS t1
        FROM a
    ),
    c AS (
        SELECT b.*,
               CASE WHEN regexp_matches(t1, '^(年薪)') OR regexp_matches(t1, '(/|每)年$') THEN 'year'
                    WHEN regexp_matches(t1, '^(日薪)') OR regexp_matches(t1, '(/|每)(天|日)$') THEN 'day'
                    WHEN regexp_matches(t1, '^(时薪)') OR regexp_matches(t1, '(/|每)(小时|时)$') THEN 'hour'
                    WHEN regexp_matches(t1, '^(月薪)') OR regexp_matches(t1, '(/|每)月$') THEN 'month'
               END AS period_txt,
               regexp_replace(regexp_replace(t1, '^(月薪|年薪|日薪|时薪)', ''), '(/|每)(月|年|天|日|小时|时)$', '') AS t2
        FROM b
    ),
    d AS (
        SELECT c.*,
               CASE WHEN regexp_matches(t2, '(以上|起)$') THEN 'at_least'
                    WHEN regexp_matches(t2, '(以下|以内)$') THEN 'at_most' END AS bound,
               regexp_extract(regexp_replace(t2, '(以上|起|以下|以内)$', ''),
                   '^([0-9]{1,7}(\.[0-9]{1,3})?)(k|千|w|万)?(元)?(-([0-9]{1,7}(\.[0-9]{1,3})?)(k|千|w|万)?)?(元)?$',
                   ['n1', 'f1', 'u1', 'y1', 'range', 'n2', 'f2', 'u2', 'y2']) AS m
        FROM c
    ),
    e AS (
        SELECT d.*,
               CASE WHEN m.n1 = '' THEN NULL ELSE TRY_CAST(m.n1 AS DOUBLE) * CASE coalesce(nullif(m.u1, ''), nullif(m.u2, ''))
                   WHEN 'k' THEN 1e3 WHEN '千' THEN 1e3 WHEN 'w' THEN 1e4 WHEN '万' THEN 1e4 ELSE 1 END END AS lo,
               CASE WHEN m.n2 = '' THEN NULL ELSE TRY_CAST(m.n2 AS DOUBLE) * CASE coalesce(nullif(m.u2, ''), nullif(m.u1, ''))
                   WHEN 'k' THEN 1e3 WHEN '千' THEN 1e3 WHEN 'w' THEN 1e4 WHEN '万' THEN 1e4 ELSE 1 END END AS hi
        FROM d
    ),
    f AS (
        SELECT e.*,
               CASE WHEN bound IS NOT NULL AND hi IS NOT NULL THEN NULL              -- "10-15k以上": no such shape
                    WHEN bound = 'at_least' THEN struct_pack(lo := lo, hi := NULL::DOUBLE, mid := lo)
                    WHEN bound = 'at_most' THEN struct_pack(lo := NULL::DOUBLE, hi := lo, mid := lo)
                    WHEN hi IS NULL THEN struct_pack(lo := lo, hi := lo, mid := lo)
                    ELSE struct_pack(lo := lo, hi := hi, mid := (lo + hi) / 2)
               END AS r
        FROM e
    ),
    g AS (
        SELECT f.*,
               CASE WHEN period_txt IS NOT NULL THEN period_txt
                    WHEN r.mid > 50000 THEN 'none (annual)'
                    ELSE 'none (monthly)' END AS period
        FROM f
    ),
    h AS (
        SELECT g.*,
               CASE period WHEN 'year' THEN 1.0 / 12 WHEN 'none (annual)' THEN 1.0 / 12
                           WHEN 'day' THEN 21.75 WHEN 'hour' THEN 174.0 ELSE 1.0 END AS factor
        FROM g
    )
    SELECT CASE
        WHEN t IS NULL THEN struct_pack(monthly_low := NULL::DOUBLE, monthly_high := NULL::DOUBLE, monthly_mid := NULL::DOUBLE,
            months := NULL::INTEGER, period := NULL::VARCHAR, negotiable := false, bound := NULL::VARCHAR, problem := NULL::VARCHAR)
        WHEN negotiable THEN struct_pack(monthly_low := NULL::DOUBLE, monthly_high := NULL::DOUBLE, monthly_mid := NULL::DOUBLE,
            months := NULL::INTEGER, period := NULL::VARCHAR, negotiable := true, bound := NULL::VARCHAR, problem := NULL::VARCHAR)
        WHEN r IS NULL OR r.mid IS NULL THEN struct_pack(monthly_low := NULL::DOUBLE, monthly_high := NULL::DOUBLE, monthly_mid := NULL::DOUBLE,
            months := NULL::INTEGER, period := NULL::VARCHAR, negotiable := false, bound := NULL::VARCHAR, problem := 'salary shape not recognised')
        WHEN r.lo > r.hi THEN struct_pack(monthly_low := NULL::DOUBLE, monthly_high := NULL::DOUBLE, monthly_mid := NULL::DOUBLE,
            months := NULL::INTEGER, period := NULL::VARCHAR, negotiable := false, bound := NULL::VARCHAR, problem := 'salary range reversed')
        WHEN NOT (r.mid * factor BETWEEN 100 AND 1e6) THEN struct_pack(monthly_low := NULL::DOUBLE, monthly_high := NULL::DOUBLE,
            monthly_mid := NULL::DOUBLE, months := NULL::INTEGER, period := period, negotiable := false, bound := bound,
            problem := 'implausible salary')
        ELSE struct_pack(
            monthly_low := CASE WHEN factor = 1.0 THEN r.lo WHEN period IN ('year', 'none (annual)') THEN r.lo / 12 ELSE r.lo * factor END,
            monthly_high := CASE WHEN factor = 1.0 THEN r.hi WHEN period IN ('year', 'none (annual)') THEN r.hi / 12 ELSE r.hi * factor END,
            monthly_mid := CASE WHEN factor = 1.0 THEN r.mid WHEN period IN ('year', 'none (annual)') THEN r.mid / 12 ELSE r.mid * factor END,
            months := coalesce(TRY_CAST(nullif(months_txt, '') AS INTEGER), 12), period := period, negotiable := false,
            bound := bound, problem := NULL::VARCHAR)
    END FROM h
);
