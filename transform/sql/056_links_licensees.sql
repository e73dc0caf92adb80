-- requires: registry, licensees
-- Link the licensees records to the registry (rules in 050_registry): a licensee's legal name, then its brand.
-- A record left unlinked is kept in entity_links with its problem and listed by fhi quality; no
-- metric reads these links (they serve lineage), so it is not set aside: not in the quarantine.

CREATE OR REPLACE TEMP TABLE link_input AS
SELECT 'licensees' AS source, record_id, collect_run_id, NULL::VARCHAR AS credit_code, company AS legal_name, brand
FROM clean_licensees;

INSERT INTO entity_links SELECT * FROM fhi_link('link_input');


DROP TABLE link_input;
