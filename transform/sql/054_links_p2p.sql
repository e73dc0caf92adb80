-- requires: registry, p2p
-- Link the p2p records to the registry (rules in 050_registry): a platform's 统一社会信用代码 when the directory shows it, else its (brand) name.
-- A record left unlinked is kept in entity_links with its problem and listed in the quarantine.

CREATE OR REPLACE TEMP TABLE link_input AS
SELECT 'p2p' AS source, record_id, collect_run_id, credit_code, NULL::VARCHAR AS legal_name, name AS brand
FROM clean_p2p_platforms;

INSERT INTO entity_links SELECT * FROM fhi_link('link_input');

INSERT INTO quarantine (source, record_id, reason, value)
SELECT l.source, l.record_id, 'unlinked: ' || l.problem, concat_ws(' | ', i.legal_name, i.brand, i.credit_code)
FROM entity_links l JOIN link_input i ON i.record_id = l.record_id
WHERE l.source = 'p2p' AND l.company_id IS NULL;

DROP TABLE link_input;
