/**
 * The catalog in PostgreSQL (cluster mode): one row per scene holding its STAC Item (json: key order kept) and
 * footprint (PostGIS). Every replica keeps the scenes in memory and reloads them when the database
 * notifies a change (`LISTEN granary_catalog`, sent by a trigger on every insert/update/delete), so a
 * scene added through one replica is served by every other within a round trip. If the listening
 * connection drops, the replica reconnects and reloads (a notification sent meanwhile is not lost:
 * the reload reads the table).
 *
 * Asset hrefs keep the file catalog's meaning: relative to `<dataDir>/catalog/`, absolute, or
 * http(s); shared storage gives every replica the same paths.
 */
import pg from 'pg';
import { join } from 'node:path';
import { assetFingerprint } from '../catalog/catalog.js';
import { LoadedCatalog, type CatalogEntry, type CatalogProblem } from '../catalog/scene-catalog.js';
import { sceneFromItem, SCENE_ID, type StacItem } from '../catalog/scene.js';
import { GranaryError } from '../errors.js';
import type { PgPool } from './pg.js';

const CHANNEL = 'granary_catalog';

interface Row {
  id: string;
  item: StacItem;
  revision: string;
}

export class PgCatalog extends LoadedCatalog {
  private dirty = true;
  private loading: Promise<void> | null = null;
  private listener: pg.Client | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** called after every reload caused by a notification (tests, logs) */
  onChange: (ids: string[]) => void = () => undefined;

  constructor(
    private readonly pool: PgPool,
    private readonly url: string,
    readonly dir: string,
  ) {
    super();
  }

  /** Starts listening for changes; resolves once the LISTEN is in place. */
  async start(): Promise<void> {
    await this.listen();
    await this.refresh();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'granary-catalog-listen' });
    const retry = () => {
      if (this.closed || this.reconnectTimer) return;
      this.listener = null;
      this.dirty = true;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.listen().catch(retry);
      }, 500);
      this.reconnectTimer.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL) return;
      this.dirty = true;
      void this.refresh().then(() => this.onChange(n.payload ? [n.payload] : []), () => undefined);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
    this.dirty = true; // anything changed while we were not listening
  }

  /** True when the change feed is connected (readiness). */
  get listening(): boolean {
    return this.listener !== null;
  }

  async refresh(): Promise<void> {
    // a load in flight may have read the table before the change that set `dirty`, or have been
    // started by the notification of a change this caller already saw committed (it returned 201):
    // wait for it, then load again if anything changed since. Returning the map while a load ran
    // answered a job submitted right after POST /api/scenes with "unknown scene" (404).
    if (this.loading) await this.loading.catch(() => undefined);
    if (!this.dirty && this.listener) return;
    if (!this.loading) {
      this.dirty = false;
      this.loading = this.load().finally(() => {
        this.loading = null;
      });
    }
    await this.loading;
  }

  private async load(): Promise<void> {
    try {
      const { rows } = await this.pool.query<Row>('SELECT id, item, revision FROM catalog_items ORDER BY id');
      const next = new Map<string, CatalogEntry>();
      const problems: CatalogProblem[] = [];
      for (const r of rows) {
        try {
          const version = `${r.revision}|${await assetFingerprint(r.item, this.dir)}`;
          next.set(r.id, { item: r.item, scene: sceneFromItem(r.item, join(this.dir, `${r.id}.json`), version) });
        } catch (e) {
          problems.push({ file: `catalog_items/${r.id}`, error: (e as Error).message });
        }
      }
      this.scenes = next;
      this.problems = problems;
    } catch (e) {
      this.dirty = true;
      throw e;
    }
  }

  async save(item: StacItem, { replace = false } = {}): Promise<string> {
    if (!SCENE_ID.test(item.id)) throw new GranaryError('bad-request', `invalid scene id ${item.id}`);
    const geometry = item.geometry ? JSON.stringify(item.geometry) : null;
    const sql = `INSERT INTO catalog_items (id, item, footprint, revision)
                 VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326) END, nextval('catalog_revision'))
                 ON CONFLICT (id) DO ${replace ? `UPDATE SET item = EXCLUDED.item, footprint = EXCLUDED.footprint, revision = EXCLUDED.revision, updated_at = now()` : 'NOTHING'}`;
    const r = await this.pool.query(sql, [item.id, JSON.stringify(item), geometry]);
    if (r.rowCount === 0) throw new GranaryError('conflict', `scene "${item.id}" already exists (use --replace to overwrite)`);
    this.dirty = true;
    return `catalog_items/${item.id}`;
  }

  /** Copies file-catalog items that the database does not have yet (first start on existing data). */
  async importMissing(items: StacItem[]): Promise<string[]> {
    const added: string[] = [];
    for (const item of items) {
      try {
        await this.save(item);
        added.push(item.id);
      } catch (e) {
        if (!(e instanceof GranaryError && e.kind === 'conflict')) throw e;
      }
    }
    return added;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const l = this.listener;
    this.listener = null;
    if (l) {
      l.removeAllListeners('end');
      l.removeAllListeners('error');
      l.on('error', () => undefined);
      await l.end().catch(() => undefined);
    }
  }
}
