-- What a field report is about (server/contract/reports.ts REPORT_CATEGORIES; the same column and check
-- as SQLite migration 3 in server/reports/db.ts). NULL = not stated, as every report before this
-- migration: a category is the reporter's word, not guessed from the note. Only pest and disease
-- reports feed the pest-disease-cluster alert (server/alerts/rules.ts).

-- Up Migration
ALTER TABLE field_reports ADD COLUMN category text CHECK (category IS NULL OR category IN ('pest', 'disease', 'weather_damage', 'crop_condition', 'other'));

-- Down Migration
ALTER TABLE field_reports DROP COLUMN category;
