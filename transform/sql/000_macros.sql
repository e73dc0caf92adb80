-- Parsing helpers shared by the steps. Temporary: they live only in this transaction's connection.

-- fhi_amount_yuan turns Chinese money strings into yuan: "5000万元", "1.2亿元", "5000万人民币",
-- "1000万美元" (USD at 6.75, the 2016–17 average rate), "3,000,000元". Anything else gives NULL.
CREATE OR REPLACE TEMP MACRO fhi_amount_yuan(s) AS (
    CASE
        WHEN s IS NULL OR regexp_extract(replace(s, ',', ''), '([0-9]+(\.[0-9]+)?)', 1) = '' THEN NULL
        ELSE CAST(regexp_extract(replace(s, ',', ''), '([0-9]+(\.[0-9]+)?)', 1) AS DOUBLE)
            * CASE
                WHEN s LIKE '%亿%' THEN 1e8
                WHEN s LIKE '%千万%' THEN 1e7
                WHEN s LIKE '%万%' THEN 1e4
                WHEN s LIKE '%千%' THEN 1e3
                ELSE 1
              END
            * CASE WHEN s LIKE '%美元%' THEN 6.75 ELSE 1 END
    END
);

-- fhi_city_code and fhi_city_name map the start of a place text — an address ("浙江省杭州市西湖区…",
-- "广东深圳南山区…") or a short city name ("杭州", "上海-浦东新区") — to a prefecture-level city:
-- the longest matching prefix in ref_city_prefixes wins, so 吉林省长春市 is 长春, not 吉林. NULL when
-- nothing matches. (As a correlated subquery DuckDB evaluates it once per distinct text.)
CREATE OR REPLACE TEMP MACRO fhi_city_code(place) AS (
    SELECT f.code FROM ref_city_prefixes f
    WHERE starts_with(place, f.prefix)
    ORDER BY length(f.prefix) DESC, f.code
    LIMIT 1
);
CREATE OR REPLACE TEMP MACRO fhi_city_name(place) AS (
    SELECT f.short_name FROM ref_city_prefixes f
    WHERE starts_with(place, f.prefix)
    ORDER BY length(f.prefix) DESC, f.code
    LIMIT 1
);
