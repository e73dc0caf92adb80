-- requires: p2p
-- industry.p2p.firms: operating platforms registered in the city (status through ref_statuses).
-- industry.p2p.volume: their summed 2016 turnover, yuan (platforms without a figure add nothing).
-- Every sample city gets a value: a city without platforms truly has zero.

INSERT INTO metric_records (indicator, city_code, record_id, source, collect_run_id)
SELECT i.indicator, p.city_code, p.record_id, 'p2p', p.collect_run_id
FROM clean_p2p_platforms p
CROSS JOIN (VALUES ('industry.p2p.firms'), ('industry.p2p.volume')) AS i(indicator)
WHERE p.in_sample AND p.operating
  AND (i.indicator = 'industry.p2p.firms' OR p.turnover_2016_yuan IS NOT NULL);

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'industry.p2p.firms', c.code, c.name, count(p.record_id), count(p.record_id)
FROM ref_cities c
LEFT JOIN clean_p2p_platforms p ON p.city_code = c.code AND p.operating
GROUP BY c.code, c.name;

INSERT INTO metrics (indicator, city_code, city, value, n_records)
SELECT 'industry.p2p.volume', c.code, c.name, coalesce(sum(p.turnover_2016_yuan), 0), count(p.turnover_2016_yuan)
FROM ref_cities c
LEFT JOIN clean_p2p_platforms p ON p.city_code = c.code AND p.operating
GROUP BY c.code, c.name;
