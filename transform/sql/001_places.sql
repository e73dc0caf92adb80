-- Places and company names: the place-name table every address is matched against, and the
-- macros that resolve a place text (an address, "广东|深圳", "北京·朝阳区") to a prefecture-level city
-- and fold company names for linking. Rules (README, "Cleaning rules"):
--   1. The text is folded (fhi_place_text): NFKC, lower case, a leading 中国 dropped, and the
--      separators | - · / , 、 brackets and spaces removed, so 广东|深圳, 广东-深圳, 广东 深圳 and
--      江苏省 南京市 read as 广东深圳 and 江苏省南京市.
--   2. The longest name in ref_place_names the text starts with decides: a city in any of its forms
--      (浙江省杭州市, 浙江杭州, 杭州市, 杭州, Hangzhou), a county-level division (西湖区, 昆山市), a
--      province (浙江省, 浙江), or a place outside the mainland (香港, 新加坡). Former names come from
--      ref_place_aliases (莱芜市 → 济南, 襄樊 → 襄阳, 闸北区 → 静安区 of 上海) and say so in `via`.
--   3. A county name shared by several cities (朝阳区: 北京, 长春; 南山区: 深圳, 鹤岗) is resolved by the
--      record's context city (another field of the same record) and otherwise quarantined as
--      ambiguous; a unique county name gives its city.
--   4. A name that is both a province and a city (吉林) is the city only when a county of that city
--      follows (吉林船营区) or the text says 市; otherwise the context city, if in that province, else
--      ambiguous. A bare city name followed by a street word (中山路, 南京东路) is not a city.
--   5. A province alone (广东省, 浙江) gives the county that follows within it, else the context city
--      in that province, else NULL with 'province only'. Outside the mainland gives NULL with the
--      region. Nothing recognised gives the context city, else NULL — saying 'outside mainland
--      China' when the context is (香港 as the location of a street address).

-- fhi_place_text is the folded form place texts and names are compared in.
CREATE OR REPLACE TEMP MACRO fhi_place_text(s) AS (
    nullif(regexp_replace(
        regexp_replace(lower(fhi_text(s)), '^(中华人民共和国|中国|china)', ''),
        '[|\-·•・/,、()\[\]【】\s]', '', 'g'), '')
);

CREATE OR REPLACE TABLE ref_place_names AS
WITH provinces AS (
    SELECT code, name,
           regexp_replace(name, '(省|市|壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区)$', '') AS short
    FROM ref_provinces
),
-- A municipality's prefecture rows (市辖区, 县) are one city, coded by its first row (重庆 5001).
prefecture_rows AS (
    SELECT c.code AS row_code, c.province_code, p.name AS province, p.short AS province_short,
           c.name IN ('市辖区', '县') AS municipality,
           CASE WHEN c.name IN ('市辖区', '县') THEN p.name ELSE c.name END AS name
    FROM ref_prefectures c JOIN provinces p ON p.code = c.province_code
),
prefectures AS (
    SELECT r.*,
           CASE WHEN r.municipality THEN min(r.row_code) OVER (PARTITION BY r.province_code, r.municipality)
                ELSE r.row_code END AS code
    FROM prefecture_rows r
),
cities AS (
    SELECT DISTINCT code, province_code, province, province_short, municipality, name,
           -- autonomous prefectures keep their full name: their short forms are not reliably used
           CASE WHEN name LIKE '%自治州' THEN name ELSE regexp_replace(name, '(市|地区|盟)$', '') END AS short
    FROM prefectures
    -- 省直辖县级行政区划 groups counties a province administers directly (济源, 仙桃): not a city name
    WHERE name NOT LIKE '%直辖县级%'
),
city_aliases AS (
    SELECT c.code, c.province_code, c.province, c.province_short, c.municipality, a.alias AS name,
           regexp_replace(a.alias, '(市|地区|盟)$', '') AS short,
           'alias ' || a.alias || ' → ' || a.current || ' (' || a.change || ', ' || strftime(a.changed_on, '%Y-%m-%d') || ')' AS via
    FROM ref_place_aliases a JOIN cities c ON c.code = a.code
    WHERE a.level = 'prefecture'
),
city_names AS (
    SELECT code, province_code, province, province_short, municipality, name, short, NULL::VARCHAR AS via FROM cities
    UNION ALL
    SELECT * FROM city_aliases
),
city_forms AS (
    SELECT c.code AS city_code, c.province_code, f.name, f.form, c.via, c.municipality
    FROM city_names c
    CROSS JOIN LATERAL (VALUES
        (c.name, 'city'), (c.short, 'city_short'),
        (c.province || c.name, 'province+city'), (c.province || c.short, 'province+city'),
        (c.province_short || c.name, 'province+city'), (c.province_short || c.short, 'province+city')
    ) AS f(name, form)
    WHERE NOT (c.municipality AND f.form = 'province+city')
    UNION ALL
    SELECT s.code, c.province_code, lower(s.name_en), 'city_english', NULL, c.municipality
    FROM ref_cities s JOIN cities c ON c.code = s.code
    WHERE s.name_en IS NOT NULL
),
counties AS (
    SELECT a.name, p.code AS city_code, a.province_code, NULL::VARCHAR AS via
    FROM ref_counties a JOIN prefectures p ON p.row_code = a.city_code
    UNION ALL
    SELECT al.alias, p.code, a.province_code,
           'alias ' || al.alias || ' → ' || al.current || ' (' || al.change || ', ' || strftime(al.changed_on, '%Y-%m-%d') || ')'
    FROM ref_place_aliases al
    JOIN ref_counties a ON a.code = al.code
    JOIN prefectures p ON p.row_code = a.city_code
    WHERE al.level = 'county'
),
county_forms AS (
    SELECT name, 'county' AS form, city_code, province_code, via FROM counties
    UNION ALL
    -- county-level cities and counties also go by their name without 市 or 县 (昆山, 桐庐), unless
    -- that is the name of a prefecture or province
    SELECT regexp_replace(name, '(市|县)$', ''), 'county_short', city_code, province_code, via
    FROM counties
    WHERE regexp_matches(name, '^..+(市|县)$')
      AND regexp_replace(name, '(市|县)$', '') NOT IN (SELECT name FROM city_forms UNION ALL SELECT short FROM provinces UNION ALL SELECT name FROM provinces)
),
names AS (
    SELECT DISTINCT fhi_place_text(name) AS name, 'city' AS kind, form, city_code, province_code, via, NULL::VARCHAR AS region
    FROM city_forms
    UNION ALL
    SELECT DISTINCT fhi_place_text(name), 'county', form, city_code, province_code, via, NULL FROM county_forms
    UNION ALL
    SELECT DISTINCT fhi_place_text(f.name), 'province', f.form, NULL, p.code, NULL, NULL
    FROM provinces p CROSS JOIN LATERAL (VALUES (p.name, 'province'), (p.short, 'province_short')) AS f(name, form)
    UNION ALL
    SELECT DISTINCT fhi_place_text(name), 'outside', 'outside', NULL, NULL, NULL, region FROM ref_places_outside
)
SELECT n.name, n.kind, n.form, n.city_code, n.province_code, n.via, n.region,
       -- a bare city name that is also a province's name (吉林), outside municipalities
       n.kind = 'city' AND n.form = 'city_short'
           AND EXISTS (SELECT 1 FROM names p WHERE p.kind = 'province' AND p.name = n.name)
           AND NOT EXISTS (SELECT 1 FROM cities c WHERE c.code = n.city_code AND c.municipality) AS also_province
FROM names n
WHERE n.name IS NOT NULL;

COMMENT ON TABLE ref_place_names IS 'every name a place text may start with, folded by fhi_place_text; built by step 001_places from ref_provinces, ref_prefectures, ref_counties, ref_place_aliases, ref_places_outside and ref_cities';
COMMENT ON COLUMN ref_place_names.name IS 'the folded name, e.g. 浙江杭州, 杭州市, 西湖区, hangzhou';
COMMENT ON COLUMN ref_place_names.kind IS 'city (prefecture level), county, province or outside (not in the mainland divisions)';
COMMENT ON COLUMN ref_place_names.form IS 'city, city_short, province+city, city_english, county, county_short, province, province_short, outside';
COMMENT ON COLUMN ref_place_names.city_code IS 'the prefecture-level city the name places a record in (4-digit NBS code; municipalities 1101, 1201, 3101, 5001)';
COMMENT ON COLUMN ref_place_names.province_code IS '2-digit NBS province code';
COMMENT ON COLUMN ref_place_names.via IS 'for a former name: the alias and its dated change (ref_place_aliases)';
COMMENT ON COLUMN ref_place_names.region IS 'for a place outside the mainland: the region it names';
COMMENT ON COLUMN ref_place_names.also_province IS 'a bare city name that is also a province''s name (吉林): ambiguous on its own';

CREATE OR REPLACE TABLE ref_place_cities AS
SELECT DISTINCT n.city_code AS code, p.name AS name, n.province_code
FROM ref_place_names n
JOIN ref_place_names p ON p.city_code = n.city_code AND p.kind = 'city' AND p.form = 'city_short' AND p.via IS NULL
WHERE n.kind = 'city';
COMMENT ON TABLE ref_place_cities IS 'prefecture-level cities by code with their short name, for messages (built by step 001_places)';
COMMENT ON COLUMN ref_place_cities.code IS '4-digit NBS code (municipalities: their first prefecture row)';
COMMENT ON COLUMN ref_place_cities.name IS 'short name, e.g. 杭州';
COMMENT ON COLUMN ref_place_cities.province_code IS '2-digit NBS province code';

-- fhi_places(tbl) resolves the place texts of table tbl — columns place and context (VARCHAR; the
-- context is another place text of the same record, such as a list page's city or a posting's city
-- field, or NULL) — by rules 2–5 above. One row per distinct (place, context):
--   place, context, city_code (prefecture level; NULL exactly when problem says why), method (how:
--   city, city_short, province+city, city_english, county, county+context, province+county,
--   province+context, city+county, context), via (a former name used, dated), problem.
-- Steps join it back with IS NOT DISTINCT FROM on both columns. Set-based: every distinct text is
-- analysed once, matching is an equi-join of its prefixes with ref_place_names.
CREATE OR REPLACE TEMP MACRO fhi_places(tbl) AS TABLE
WITH raw_input AS (
    SELECT DISTINCT CAST(place AS VARCHAR) AS place, CAST(context AS VARCHAR) AS context FROM query_table(tbl)
),
input AS (SELECT place, context, fhi_place_text(place) AS tp, fhi_place_text(context) AS tc FROM raw_input),
texts AS (
    SELECT DISTINCT t FROM (SELECT tp AS t FROM input UNION ALL SELECT tc FROM input)
    WHERE t IS NOT NULL
),
-- every name each text starts with
m AS (
    SELECT x.t, n.name, n.kind, n.form, n.city_code, n.province_code, n.via, n.region, n.also_province, length(n.name) AS len
    FROM texts x CROSS JOIN range(1, 33) AS r(k)
    JOIN ref_place_names n ON n.name = substr(x.t, 1, r.k::INTEGER)
    WHERE r.k <= length(x.t)
),
top AS (SELECT * FROM m QUALIFY len = max(len) OVER (PARTITION BY t)),
-- what follows the longest match, and the counties it starts with
rests AS (SELECT DISTINCT t, substr(t, len + 1) AS rest FROM top),
rest_m AS (
    SELECT x.t, x.rest, n.city_code, n.province_code, length(n.name) AS len
    FROM rests x CROSS JOIN range(1, 33) AS r(k)
    JOIN ref_place_names n ON n.name = substr(x.rest, 1, r.k::INTEGER)
    WHERE r.k <= length(x.rest) AND n.kind = 'county'
),
rest_top AS (SELECT * FROM rest_m QUALIFY len = max(len) OVER (PARTITION BY t)),
-- one analysis per text, without context
a AS (
    SELECT x.t,
           arg_min(tp.region, tp.region) FILTER (WHERE tp.kind = 'outside') AS outside,
           arg_min(tp.city_code, tp.form || tp.city_code) FILTER (WHERE tp.kind = 'city') AS city_code,
           arg_min(tp.form, tp.form || tp.city_code) FILTER (WHERE tp.kind = 'city') AS city_form,
           arg_min(tp.via, tp.form || tp.city_code) FILTER (WHERE tp.kind = 'city') AS city_via,
           bool_or(tp.also_province) FILTER (WHERE tp.kind = 'city') AS also_province,
           arg_min(tp.province_code, tp.city_code) FILTER (WHERE tp.kind = 'city') AS city_province,
           coalesce(list_sort(list_distinct(list(tp.city_code) FILTER (WHERE tp.kind = 'county'))), []) AS county_cities,
           arg_min(tp.via, tp.city_code) FILTER (WHERE tp.kind = 'county') AS county_via,
           arg_min(tp.province_code, tp.form) FILTER (WHERE tp.kind = 'province') AS province_code,
           min(tp.name) AS name,
           any_value(rs.rest) AS rest
    FROM texts x
    LEFT JOIN top tp ON tp.t = x.t
    LEFT JOIN rests rs ON rs.t = x.t
    GROUP BY x.t
),
a2 AS (
    SELECT a.*,
           EXISTS (SELECT 1 FROM rest_top r WHERE r.t = a.t AND r.city_code = a.city_code) AS own_county,
           coalesce((SELECT list_sort(list_distinct(list(r.city_code))) FROM rest_top r
                     WHERE r.t = a.t AND r.province_code = a.province_code), []) AS province_counties,
           regexp_matches(coalesce(a.rest, ''), '^[东西南北中]?(路|街|大街|大道|巷|环)')
               AND NOT EXISTS (SELECT 1 FROM rest_top r WHERE r.t = a.t) AS street_follows
    FROM a
),
-- each input with the analyses of its place and of its context
j AS (
    SELECT i.place, i.context, i.tp AS t, p.*EXCLUDE (t),
           c.city_code AS ctx_any_city, c.also_province AS ctx_also_province, c.outside AS ctx_outside,
           c.street_follows AS ctx_street, c.county_cities AS ctx_county_cities
    FROM input i
    LEFT JOIN a2 p ON p.t = i.tp
    LEFT JOIN a2 c ON c.t = i.tc
),
-- the context's own resolution: only an unambiguous city (a city name, or a county name of one city)
k AS (
    SELECT j.*,
           CASE WHEN ctx_outside IS NULL AND ctx_any_city IS NOT NULL AND NOT coalesce(ctx_also_province, false)
                     AND NOT (coalesce(ctx_street, false) AND len(coalesce(ctx_county_cities, [])) = 0) THEN ctx_any_city
                WHEN ctx_outside IS NULL AND ctx_any_city IS NULL AND len(coalesce(ctx_county_cities, [])) = 1 THEN ctx_county_cities[1]
           END AS ctx_city
    FROM j
),
k2 AS (
    SELECT k.*, (SELECT pc.province_code FROM ref_place_cities pc WHERE pc.code = k.ctx_city) AS ctx_province,
           (SELECT string_agg(pc.name, ', ' ORDER BY pc.code) FROM ref_place_cities pc
            WHERE list_contains(k.county_cities, pc.code)) AS county_city_names,
           (SELECT pn.name FROM ref_provinces pn WHERE pn.code = k.province_code) AS province_name
    FROM k
),
r AS (
    SELECT place, context,
        CASE
        WHEN t IS NULL AND ctx_city IS NOT NULL THEN struct_pack(c := ctx_city, m := 'context', v := NULL, p := NULL)
        WHEN t IS NULL AND ctx_outside IS NOT NULL THEN struct_pack(c := NULL, m := NULL, v := NULL, p := 'outside mainland China: ' || ctx_outside)
        WHEN t IS NULL THEN struct_pack(c := NULL, m := NULL, v := NULL, p := 'no place')
        WHEN outside IS NOT NULL THEN struct_pack(c := NULL, m := NULL, v := NULL, p := 'outside mainland China: ' || outside)
        -- rule 4: a bare city name followed by a street word is a street
        WHEN city_code IS NOT NULL AND city_form = 'city_short' AND street_follows AND len(county_cities) = 0 THEN
            CASE WHEN ctx_city IS NOT NULL THEN struct_pack(c := ctx_city, m := 'context', v := NULL, p := NULL)
                 ELSE struct_pack(c := NULL, m := NULL, v := NULL, p := 'no place recognised (a street name?)') END
        -- rule 4: 吉林 alone
        WHEN city_code IS NOT NULL AND also_province THEN
            CASE WHEN own_county THEN struct_pack(c := city_code, m := 'city+county', v := city_via, p := NULL)
                 WHEN ctx_city IS NOT NULL AND ctx_province = city_province
                     THEN struct_pack(c := ctx_city, m := 'province+context', v := NULL, p := NULL)
                 ELSE struct_pack(c := NULL, m := NULL, v := NULL, p := 'ambiguous: ' || name || ' is a province and a city') END
        WHEN city_code IS NOT NULL THEN struct_pack(c := city_code, m := city_form, v := city_via, p := NULL)
        -- rule 3: a county name
        WHEN len(county_cities) > 0 THEN
            CASE WHEN list_contains(county_cities, ctx_city) THEN struct_pack(c := ctx_city, m := 'county+context', v := county_via, p := NULL)
                 WHEN len(county_cities) = 1 THEN struct_pack(c := county_cities[1], m := 'county', v := county_via, p := NULL)
                 ELSE struct_pack(c := NULL, m := NULL, v := NULL, p := 'ambiguous: ' || name || ' is in ' || county_city_names) END
        -- rule 5: a province
        WHEN province_code IS NOT NULL THEN
            CASE WHEN ctx_city IS NOT NULL AND ctx_province = province_code
                      AND (len(province_counties) = 0 OR list_contains(province_counties, ctx_city))
                     THEN struct_pack(c := ctx_city, m := 'province+context', v := NULL, p := NULL)
                 WHEN len(province_counties) = 1 THEN struct_pack(c := province_counties[1], m := 'province+county', v := NULL, p := NULL)
                 WHEN len(province_counties) > 1
                     THEN struct_pack(c := NULL, m := NULL, v := NULL, p := 'ambiguous: the county after ' || province_name || ' is in several of its cities')
                 ELSE struct_pack(c := NULL, m := NULL, v := NULL, p := 'province only: ' || province_name) END
        WHEN ctx_city IS NOT NULL THEN struct_pack(c := ctx_city, m := 'context', v := NULL, p := NULL)
        WHEN ctx_outside IS NOT NULL THEN struct_pack(c := NULL, m := NULL, v := NULL, p := 'outside mainland China: ' || ctx_outside)
        ELSE struct_pack(c := NULL, m := NULL, v := NULL, p := 'no place recognised')
        END AS x
    FROM k2
)
SELECT place, context, x.c::VARCHAR AS city_code, x.m::VARCHAR AS method, x.v::VARCHAR AS via, x.p::VARCHAR AS problem FROM r;

-- fhi_company_name is a legal name in one canonical form: NFKC-folded, without whitespace and
-- zero-width characters, brackets in ASCII ((北京) = （北京） = 【北京】), lower case, and a place in
-- brackets moved to the front — 钱汇(杭州)网络科技有限公司 and 杭州钱汇网络科技有限公司 are the two legal
-- ways to place the region in a name, and print as one another across sources.
CREATE OR REPLACE TEMP MACRO fhi_company_name(s) AS (
    WITH a AS (
        SELECT lower(translate(regexp_replace(fhi_text(s), '\s', '', 'g'), '[]【】〔〕', '()()()')) AS t
    ),
    b AS (
        -- the bracketed texts that are places (中国 included)
        SELECT t, coalesce((SELECT list(q.x ORDER BY q.x) FROM unnest(regexp_extract_all(t, '\(([^()]*)\)', 1)) AS q(x)
                            WHERE q.x IN ('中国', '中华人民共和国')
                               OR EXISTS (SELECT 1 FROM ref_place_names n WHERE n.name = fhi_place_text(q.x) AND n.kind <> 'outside')),
                           []) AS places
        FROM a
    )
    SELECT CASE WHEN len(places) = 0 THEN t
                ELSE array_to_string(places, '') || list_reduce(list_prepend(t, places), lambda acc, x: replace(acc, '(' || x || ')', ''))
           END
    FROM b
);

-- fhi_company_key is a looser form for linking a name printed without its region or legal form:
-- fhi_company_name with the leading place (province or city, full or short) and the longest
-- organisational-form suffix of ref_company_suffixes (有限公司, 股份有限公司, 有限责任公司, 集团…)
-- dropped: 杭州钱汇网络科技有限公司, 钱汇（杭州）网络科技股份有限公司 and 钱汇网络科技 share the key 钱汇网络科技.
-- Linking uses a key only when exactly one registry company has it, so two firms that differ only
-- by region or legal form link to neither.
CREATE OR REPLACE TEMP MACRO fhi_company_key(s) AS (
    WITH c AS (SELECT fhi_company_name(s) AS u),
    c2 AS (
        SELECT u, (SELECT max(r.k) FROM range(2, 17) AS r(k)
                   WHERE r.k < length(c.u) AND EXISTS (SELECT 1 FROM ref_place_names n
                       WHERE n.name = substr(c.u, 1, r.k::INTEGER) AND n.kind IN ('city', 'province') AND n.form <> 'city_english')) AS lead
        FROM c
    ),
    d AS (SELECT CASE WHEN lead IS NULL THEN u ELSE substr(u, lead + 1) END AS v FROM c2)
    SELECT nullif(CASE WHEN x.suffix IS NULL THEN v ELSE left(v, length(v) - length(x.suffix)) END, '')
    FROM d, LATERAL (SELECT max_by(lower(s.suffix), length(s.suffix)) AS suffix FROM ref_company_suffixes s
                     WHERE ends_with(d.v, lower(s.suffix)) AND length(s.suffix) < length(d.v)) AS x
);

-- fhi_brand_key is the form brand and product names are linked in: fhi_text, lower case, without
-- whitespace and punctuation.
CREATE OR REPLACE TEMP MACRO fhi_brand_key(s) AS (
    nullif(regexp_replace(lower(fhi_text(s)), '[\s\p{P}\p{S}]', '', 'g'), '')
);
