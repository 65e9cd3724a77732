-- The STAC Item as `json` (its text as written), not `jsonb`: jsonb reorders object keys (shorter
-- keys first), and a scene's variables follow the order of its assets ("ndvi", "evi"), so a scene
-- read back from jsonb listed "evi" first in cluster mode. Found by running the API suite in cluster
-- mode (test/api/scenes.test.ts). Items saved before this migration keep jsonb's order; saving them
-- again (granary scenes add --replace) restores theirs.

-- Up Migration
ALTER TABLE catalog_items ALTER COLUMN item TYPE json USING item::json;

-- Down Migration
ALTER TABLE catalog_items ALTER COLUMN item TYPE jsonb USING item::jsonb;
