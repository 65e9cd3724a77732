-- Cluster mode schema (GRANARY_DATABASE_URL): applied at start-up by server/store/migrate.ts
-- (node-pg-migrate, one transaction per file, an advisory lock so that replicas starting together
-- apply it once). Never edit an applied file: add the next numbered one.

-- Up Migration
CREATE EXTENSION IF NOT EXISTS postgis;

-- Catalog: one STAC Item per scene. Asset hrefs are relative to <dataDir>/catalog/ or absolute or
-- http(s), exactly as in the file catalog. Every change notifies 'granary_catalog' (LISTEN/NOTIFY),
-- so every replica reloads within a round trip.
CREATE TABLE catalog_items (
  id          text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  item        jsonb       NOT NULL,
  footprint   geometry(Polygon, 4326),
  revision    bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE catalog_revision;
CREATE INDEX catalog_items_footprint ON catalog_items USING gist (footprint);
CREATE FUNCTION catalog_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('granary_catalog', COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END $$;
CREATE TRIGGER catalog_items_notify AFTER INSERT OR UPDATE OR DELETE ON catalog_items
  FOR EACH ROW EXECUTE FUNCTION catalog_notify();

-- Field reports: the same rules as the SQLite store (server/reports/db.ts), with a PostGIS point.
CREATE TABLE field_reports (
  id            bigserial   PRIMARY KEY,
  geom          geometry(Point, 4326) NOT NULL,
  class         text        NOT NULL CHECK (length(class) BETWEEN 1 AND 64),
  observed_on   date        NOT NULL,
  note          text        CHECK (note IS NULL OR length(note) <= 500),
  model_id      text        NOT NULL,
  status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  submitted_at  timestamptz NOT NULL,
  submitted_by  text        NOT NULL CHECK (submitted_by IN ('anonymous', 'token')),
  reviewed_at   timestamptz,
  review_note   text        CHECK (review_note IS NULL OR length(review_note) <= 500)
);
CREATE INDEX field_reports_status ON field_reports (status, id);
CREATE INDEX field_reports_geom ON field_reports USING gist (geom);
CREATE TABLE field_report_events (
  id         bigserial   PRIMARY KEY,
  report_id  bigint      NOT NULL REFERENCES field_reports (id) ON DELETE CASCADE,
  event      text        NOT NULL CHECK (event IN ('submitted', 'approved', 'rejected')),
  at         timestamptz NOT NULL,
  note       text
);
CREATE INDEX field_report_events_report ON field_report_events (report_id, id);

-- Crop maps: the registry (one row per published map; the COG and its sidecars live on shared
-- storage under <dataDir>/cropmaps/) and its polygons, queried by bbox through the GiST index.
CREATE TABLE cropmaps (
  id            text        PRIMARY KEY,
  scene_id      text        NOT NULL,
  model_id      text        NOT NULL,
  model_sha256  text        NOT NULL,
  season        integer     NOT NULL,
  cog_path      text        NOT NULL,
  sidecar       jsonb       NOT NULL,
  job_id        text,
  published_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE cropmap_polygons (
  cropmap_id  text     NOT NULL REFERENCES cropmaps (id) ON DELETE CASCADE,
  fid         integer  NOT NULL,
  properties  jsonb    NOT NULL,
  geom        geometry(Polygon, 4326) NOT NULL,
  PRIMARY KEY (cropmap_id, fid)
);
CREATE INDEX cropmap_polygons_geom ON cropmap_polygons USING gist (geom);

-- Jobs: the state the API reports (GET /api/jobs); the queue itself is BullMQ on Redis. A block
-- counts as done once its result file is on shared storage and its row is here (idempotent).
CREATE TABLE jobs (
  id           text        PRIMARY KEY,
  kind         text        NOT NULL CHECK (kind IN ('cropmap')),
  params       jsonb       NOT NULL,
  state        text        NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  blocks_total integer     NOT NULL,
  request_id   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  result       jsonb,
  error        text
);
CREATE INDEX jobs_created ON jobs (created_at DESC);
CREATE TABLE job_blocks (
  job_id   text        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  block    integer     NOT NULL,
  sha256   text        NOT NULL,
  worker   text        NOT NULL,
  ms       double precision NOT NULL,
  done_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, block)
);

-- Footprint ledger: the energy and CO2e of each finished piece of work (requests are summarised per
-- replica in memory; jobs and their blocks are recorded here, so the totals survive replicas).
CREATE TABLE footprint_ledger (
  id        bigserial        PRIMARY KEY,
  at        timestamptz      NOT NULL DEFAULT now(),
  instance  text             NOT NULL,
  kind      text             NOT NULL,
  cpu_ms    double precision NOT NULL CHECK (cpu_ms >= 0),
  joules    double precision NOT NULL CHECK (joules >= 0),
  g_co2e    double precision NOT NULL CHECK (g_co2e >= 0),
  km2       double precision,
  job_id    text
);
CREATE INDEX footprint_ledger_kind ON footprint_ledger (kind, at);

-- Down Migration
DROP TABLE footprint_ledger;
DROP TABLE job_blocks;
DROP TABLE jobs;
DROP TABLE cropmap_polygons;
DROP TABLE cropmaps;
DROP TABLE field_report_events;
DROP TABLE field_reports;
DROP TRIGGER catalog_items_notify ON catalog_items;
DROP FUNCTION catalog_notify();
DROP TABLE catalog_items;
DROP SEQUENCE catalog_revision;
