-- requires: registry, licensees
-- Link the licensees records to the registry (rules in 050_registry): a licensee's legal name, then its brand.
-- A record left unlinked is kept in entity_links with its problem and listed in the quarantine.

CREATE OR REPLACE TEMP TABLE link_input AS
SELECT 'licensees' AS source, record_id, collect_run_id, NULL::VARCHAR AS credit_code, company AS legal_name, brand
FROM clean_licensees;

INSERT INTO entity_links SELECT * FROM fhi_link('link_input');

INSERT INTO quarantine (source, record_id, reason, value)
SELECT l.source, l.record_id, 'unlinked: ' || l.problem, concat_ws(' | ', i.legal_name, i.brand, i.credit_code)
FROM entity_links l JOIN link_input i ON i.record_id = l.record_id
WHERE l.source = 'licensees' AND l.company_id IS NULL;

DROP TABLE link_input;
