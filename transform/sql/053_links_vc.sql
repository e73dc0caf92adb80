-- requires: registry, vc
-- Link the vc records to the registry (rules in 050_registry): a deal's company (a legal name, or the product's brand where the list prints that) and its product.
-- A record left unlinked is kept in entity_links with its problem and listed by fhi quality; no
-- metric reads these links (they serve lineage), so it is not set aside: not in the quarantine.

CREATE OR REPLACE TEMP TABLE link_input AS
SELECT 'vc' AS source, record_id, run_id AS collect_run_id, NULL::VARCHAR AS credit_code,
       company AS legal_name, coalesce(fhi_value(product), company) AS brand
FROM raw_vc;

INSERT INTO entity_links SELECT * FROM fhi_link('link_input');


DROP TABLE link_input;
