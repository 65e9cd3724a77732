/**
 * Configuration: the one place that reads the environment.
 *
 * Read once at start-up from the environment and an optional JSON file (GRANARY_CONFIG), validated
 * against a schema, then frozen and passed down. Library modules never read process.env.
 *
 * One table (SETTINGS) names each setting once: its environment variable, how the variable's text is
 * read, its schema and its default. The schema, the loader and the error messages all come from it.
 * A key in the JSON file that is not a setting is refused with its name (a typo must not silently
 * fall back to the default). Test-only knobs are not settings: tests inject them (see
 * test/hardening/slow-cropmap.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { DEFAULT_WORKER_HEAP_MB } from './workers/worker-heap.js';

/**
 * Repository root (where package.json, fixtures/ and models/ live): the nearest directory above this
 * module holding package.json, so the compiled copy (dist/server/config.js) finds the same root.
 */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** The dependency lock file: part of the keys of what is kept across processes (a library upgrade changes it). */
export const LOCKFILE = resolve(PACKAGE_ROOT, 'package-lock.json');

/**
 * How an environment variable's text becomes a value: a number; a string; a path (made absolute);
 * a comma-separated list (appended to the file's list), of paths or of host names (lower-cased); an
 * upper-cased code; a URL without trailing slashes; a trusted-proxy setting (false, true, a hop count or
 * a list of addresses/CIDRs/names). An empty variable counts as unset.
 */
type Reader = 'number' | 'string' | 'path' | 'list' | 'pathList' | 'hostList' | 'upper' | 'url' | 'proxy';

interface Setting<S extends TSchema> {
  env: string;
  /** a second variable, read when `env` is unset */
  alias?: string;
  read: Reader;
  schema: S;
  /** the default, given the settings read before this one (regionsConfig and reportsDb follow dataDir) */
  fallback: (earlier: Partial<Record<string, unknown>>) => Static<S>;
}

function setting<S extends TSchema>(env: string, read: Reader, schema: S, fallback: Setting<S>['fallback'], alias?: string): Setting<S> {
  const description = (schema as { description?: string }).description;
  return { env, read, schema: { ...schema, description: description ? `${env}: ${description}` : env }, fallback, ...(alias ? { alias } : {}) };
}

const SETTINGS = {
  port: setting('PORT', 'number', Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'listening port' }), () => 8080),
  host: setting('HOST', 'string', Type.String({ default: '127.0.0.1', description: '0.0.0.0 to expose' }), () => '127.0.0.1'),
  dataDir: setting('GRANARY_DATA_DIR', 'path', Type.String({ description: 'catalog, crop maps, caches (default: the bundled fixtures/)' }), () => resolve(PACKAGE_ROOT, 'fixtures')),
  readOnlyDirs: setting('GRANARY_READ_DIRS', 'pathList', Type.Array(Type.String(), { description: 'extra directories COGs may be read from (comma separated)' }), () => []),
  modelsDir: setting('GRANARY_MODELS_DIR', 'path', Type.String({ description: 'ONNX models and their cards (default: models/)' }), () => resolve(PACKAGE_ROOT, 'models')),
  regionsConfig: setting('GRANARY_REGIONS_CONFIG', 'path', Type.String({ description: 'the region join configuration (default: <dataDir>/regions.config.json, else the bundled one)' }), (c) => (existsSync(resolve(String(c.dataDir), 'regions.config.json')) ? resolve(String(c.dataDir), 'regions.config.json') : resolve(PACKAGE_ROOT, 'fixtures', 'regions.config.json'))),
  token: setting('GRANARY_TOKEN', 'string', Type.Union([Type.String({ minLength: 16 }), Type.Null()], { description: 'bearer token for writing routes; unset = writing routes disabled' }), () => null),
  remoteHosts: setting('GRANARY_REMOTE_HOSTS', 'hostList', Type.Array(Type.String(), { description: 'host[:port] allowlist for remote COG URLs (comma separated)' }), () => []),
  workers: setting('GRANARY_WORKERS', 'number', Type.Integer({ minimum: 1, maximum: 64, description: 'worker processes for interactive decode/warp/encode/inference (tiles, points) (default: CPU count)' }), () => Math.max(1, Math.min(8, availableParallelism()))),
  queueLimit: setting('GRANARY_QUEUE_LIMIT', 'number', Type.Integer({ minimum: 1, description: 'CPU tasks waiting before 503 (default 256)' }), () => 256),
  taskTimeoutMs: setting('GRANARY_TASK_TIMEOUT_MS', 'number', Type.Integer({ minimum: 100, description: 'a worker task taking longer is aborted and its worker replaced (default 30000)' }), () => 30_000),
  bulkWorkers: setting('GRANARY_BULK_WORKERS', 'number', Type.Integer({ minimum: 1, maximum: 64, description: 'worker processes for bulk work (zonal statistics, whole-scene uncertainty, scene inspection), apart from the interactive ones (default 1)' }), () => 1),
  bulkQueueLimit: setting('GRANARY_BULK_QUEUE_LIMIT', 'number', Type.Integer({ minimum: 1, description: 'bulk tasks waiting before 503 (default 64)' }), () => 64),
  bulkCpuSecondsPerMinute: setting('GRANARY_BULK_CPU_S_PER_MIN', 'number', Type.Number({ minimum: 0, description: 'bulk CPU seconds one client may use per minute, then 503 with Retry-After (default 45; 0 = no cap)' }), () => 45),
  primeBudgetMs: setting('GRANARY_PRIME_MS', 'number', Type.Integer({ minimum: 0, maximum: 10_000, description: 'each interactive worker renders the first tiles of the catalog\'s scenes for up to this long before its first request, so that a fresh process serves its first tile warm (default 150; 0 = off)' }), () => 150),
  primeCropMs: setting('GRANARY_PRIME_CROP_MS', 'number', Type.Integer({ minimum: 0, maximum: 10_000, description: 'after its imagery tiles, each interactive worker classifies the centre of the catalog\'s data scenes with the default model for up to this long (loading ONNX Runtime and the model session), so that a fresh process serves its first crop tile warm (default 300; 0 = off)' }), () => 300),
  workerHeapMb: setting('GRANARY_WORKER_HEAP_MB', 'number', Type.Integer({ minimum: 64, description: `V8 heap limit of each worker process (default ${DEFAULT_WORKER_HEAP_MB})` }), () => DEFAULT_WORKER_HEAP_MB),
  requestDecodeMb: setting('GRANARY_REQUEST_DECODE_MB', 'number', Type.Integer({ minimum: 1, description: 'decoded bytes one request may read from a COG level; a wider read is refused naming the missing overview (default 256)' }), () => 256),
  publicUrl: setting('GRANARY_PUBLIC_URL', 'url', Type.Union([Type.String({ pattern: '^https?://[^/?#]+(/[^?#]*)?$' }), Type.Null()], { description: 'origin (and path prefix) used in links (OGC, TileJSON); unset = from a validated Host header' }), () => null),
  extraCaCerts: setting('GRANARY_EXTRA_CA_CERTS', 'path', Type.Union([Type.String(), Type.Null()], { description: 'extra CA certificates (PEM) trusted for remote COGs and alert webhooks, besides Node\'s own; unset: NODE_EXTRA_CA_CERTS. Granary\'s processes other than the supervisor start without NODE_EXTRA_CA_CERTS (Node parses that file at every process start, ~50 ms here) and give this file to the connections that need it (default: unset)' }), () => null, 'NODE_EXTRA_CA_CERTS'),
  remoteTimeoutMs: setting('GRANARY_REMOTE_TIMEOUT_MS', 'number', Type.Integer({ minimum: 100, description: 'timeout of one range request to a remote COG (default 10000)' }), () => 10_000),
  blockCacheMb: setting('GRANARY_BLOCK_CACHE_MB', 'number', Type.Number({ minimum: 0, description: 'decoded COG blocks kept per worker (default 64)' }), () => 64),
  classifiedCacheMb: setting('GRANARY_CLASSIFIED_CACHE_MB', 'number', Type.Number({ minimum: 0, description: 'classified crop blocks kept on disk in <data dir>/cache/classified, so a fresh process or another replica reads them instead of running the model again (default 512; 0 = off)' }), () => 512),
  tileCacheMb: setting('GRANARY_TILE_CACHE_MB', 'number', Type.Number({ minimum: 0, description: 'rendered tiles kept in memory (default 64)' }), () => 64),
  maxZoom: setting('GRANARY_MAX_ZOOM', 'number', Type.Integer({ minimum: 0, maximum: 30, description: 'highest zoom served (default 22)' }), () => 22),
  logLevel: setting('GRANARY_LOG_LEVEL', 'string', Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]), () => 'info' as const),
  corsOrigin: setting('GRANARY_CORS_ORIGIN', 'string', Type.Union([Type.String(), Type.Null()], { description: 'allowed origin(s) for CORS, comma separated, * for any; unset = same-origin only' }), () => null),
  // footprint of computing (docs/footprint.md)
  pue: setting('GRANARY_PUE', 'number', Type.Number({ minimum: 1, description: 'data-centre power usage effectiveness multiplying the energy (default 1.0, as CodeCarbon)' }), () => 1.0),
  carbonIntensity: setting('GRANARY_CARBON_INTENSITY', 'number', Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'grid carbon intensity in g CO2e/kWh; unset = from GRANARY_GRID_COUNTRY' }), () => null),
  gridCountry: setting('GRANARY_GRID_COUNTRY', 'upper', Type.String({ description: 'ISO 3166-1 alpha-3 code for the carbon intensity table (default BRA; unknown codes use the 475 g/kWh world fallback)' }), () => 'BRA'),
  cpuTdpW: setting('GRANARY_CPU_TDP_W', 'number', Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { description: 'processor TDP in W for the energy estimate without RAPL; unset = 4 W per CPU (CodeCarbon default)' }), () => null),
  cpuTdpCores: setting('GRANARY_CPU_TDP_CORES', 'number', Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'logical CPUs sharing that TDP; unset = the CPUs the service sees' }), () => null),
  raplDir: setting('GRANARY_RAPL_DIR', 'path', Type.String({ description: 'powercap directory holding intel-rapl:<n>/energy_uj (default /sys/class/powercap)' }), () => '/sys/class/powercap'),
  // protection (docs/hardening.md)
  rateLimit: setting('GRANARY_RATE_LIMIT', 'number', Type.Integer({ minimum: 0, description: 'requests per minute per client IP, then 429 with Retry-After (default 1200: a map view loads many tiles; 0 = no limit)' }), () => 1200),
  rateLimitAllowlist: setting('GRANARY_RATE_LIMIT_ALLOWLIST', 'list', Type.Array(Type.String(), { description: 'client IPs exempt from the rate limit (comma separated)' }), () => []),
  trustProxy: setting('GRANARY_TRUST_PROXY', 'proxy', Type.Union([Type.Boolean(), Type.Integer({ minimum: 1 }), Type.Array(Type.String(), { minItems: 1 })], {
    description:
      'behind a load balancer, which peers may set X-Forwarded-For (the client address used by the rate limits and logs): unset/false = none (default; the socket address counts), ' +
      'a comma-separated list of addresses, CIDRs or loopback/linklocal/uniquelocal (e.g. loopback for nginx on the same machine), a number of hops, or true = every peer (only when nothing else can reach the service)',
  }), () => false as boolean | number | string[]),
  maxEventLoopDelayMs: setting('GRANARY_MAX_EVENT_LOOP_DELAY_MS', 'number', Type.Integer({ minimum: 0, description: 'above this event-loop delay new requests get 503 with Retry-After (default 1000; 0 = off)' }), () => 1000),
  requestTimeoutMs: setting('GRANARY_REQUEST_TIMEOUT_MS', 'number', Type.Integer({ minimum: 0, description: 'time allowed to receive a whole request (default 30000)' }), () => 30_000),
  connectionTimeoutMs: setting('GRANARY_CONNECTION_TIMEOUT_MS', 'number', Type.Integer({ minimum: 0, description: 'an idle socket is closed after this (default 120000)' }), () => 120_000),
  // field reports (docs/data-centric.md)
  reportsDb: setting('GRANARY_REPORTS_DB', 'path', Type.String({ description: 'SQLite file of the field reports (default <dataDir>/reports/field-reports.sqlite; created on the first report)' }), (c) => resolve(String(c.dataDir), 'reports', 'field-reports.sqlite')),
  reportsRateLimit: setting('GRANARY_REPORTS_RATE_LIMIT', 'number', Type.Integer({ minimum: 1, description: 'anonymous field reports per hour per client IP, then 429 (default 10; token holders are not limited)' }), () => 10),
  // cluster mode (docs/deploy.md): with neither set, the embedded default (SQLite, in-process jobs, local files)
  databaseUrl: setting('GRANARY_DATABASE_URL', 'string', Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()], { description: 'PostgreSQL with PostGIS (catalog, field reports, crop-map registry and polygons, footprint ledger); unset = embedded (files + SQLite)' }), () => null),
  redisUrl: setting('GRANARY_REDIS_URL', 'string', Type.Union([Type.String({ pattern: '^rediss?://' }), Type.Null()], { description: 'Redis for the job queue (BullMQ); unset = jobs run in-process' }), () => null),
  jobLockMs: setting('GRANARY_JOB_LOCK_MS', 'number', Type.Integer({ minimum: 1000, description: 'a worker holding a job block for longer without renewing its lock (killed, frozen) loses it to another worker (default 15000)' }), () => 15_000),
  jobAttempts: setting('GRANARY_JOB_ATTEMPTS', 'number', Type.Integer({ minimum: 1, maximum: 100, description: 'tries per job block before the job fails (default 3)' }), () => 3),
  instanceName: setting('GRANARY_INSTANCE', 'string', Type.String({ minLength: 1, maxLength: 64, description: 'name of this replica or worker in logs and metrics (default <hostname>-<pid>)' }), () => `${hostname()}-${process.pid}`),
  // alerts and webhooks (docs/answers.md)
  webhookHosts: setting('GRANARY_WEBHOOK_HOSTS', 'hostList', Type.Array(Type.String(), { description: 'host[:port] allowlist for alert webhook receivers (comma separated); empty = no webhook can be subscribed' }), () => []),
  webhookAttempts: setting('GRANARY_WEBHOOK_ATTEMPTS', 'number', Type.Integer({ minimum: 1, maximum: 20, description: 'delivery attempts per alert before it waits for the next dispatch (default 5)' }), () => 5),
  webhookBackoffMs: setting('GRANARY_WEBHOOK_BACKOFF_MS', 'number', Type.Integer({ minimum: 0, description: 'first retry delay, doubled each attempt, with full jitter (default 1000)' }), () => 1000),
  webhookTimeoutMs: setting('GRANARY_WEBHOOK_TIMEOUT_MS', 'number', Type.Integer({ minimum: 100, description: 'time a receiver has to answer (default 10000)' }), () => 10_000),
  alertsDispatchSeconds: setting('GRANARY_ALERTS_DISPATCH_SECONDS', 'number', Type.Integer({ minimum: 0, description: 'how often alerts are evaluated and sent to subscribers (default 300; 0 = only on POST /api/alerts/dispatch)' }), () => 300),
};

type Schemas = { [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K]['schema'] };
export const ConfigSchema = Type.Object(Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.schema])) as Schemas, { additionalProperties: false });
export type Config = Readonly<Static<typeof ConfigSchema>>;

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

const abs = (p: string) => (isAbsolute(p) ? p : resolve(p));
const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);

/** One setting's value: the environment variable, else the file's key, else the default. */
function readSetting(key: string, s: Setting<TSchema>, env: Env, file: Record<string, unknown>, earlier: Record<string, unknown>): unknown {
  const set = (name: string | undefined) => (name === undefined || env[name] === '' ? undefined : env[name]);
  const raw = set(s.env) ?? set(s.alias);
  const fromFile = file[key];
  const isList = s.read === 'list' || s.read === 'pathList' || s.read === 'hostList';
  let v: unknown;
  if (isList) {
    const items = [...(raw !== undefined ? list(raw) : []), ...(Array.isArray(fromFile) ? (fromFile as unknown[]) : fromFile !== undefined ? [fromFile] : [])];
    v = raw === undefined && fromFile === undefined ? s.fallback(earlier) : items;
  } else if (raw !== undefined) {
    if (s.read === 'number') {
      v = Number(raw);
      if (!Number.isFinite(v)) throw new ConfigError(`${s.env} must be a number, got "${raw}"`);
    } else if (s.read === 'proxy') v = trustProxy(raw);
    else v = raw;
  } else v = fromFile !== undefined ? fromFile : s.fallback(earlier);
  if (s.read === 'path' && typeof v === 'string') return abs(v);
  if (s.read === 'pathList' && Array.isArray(v)) return v.map((p) => (typeof p === 'string' ? abs(p) : p));
  if (s.read === 'hostList' && Array.isArray(v)) return v.map((h) => (typeof h === 'string' ? h.toLowerCase() : h));
  if (s.read === 'upper' && typeof v === 'string') return v.toUpperCase();
  if (s.read === 'url' && typeof v === 'string') return v.replace(/\/+$/, '');
  return v;
}

/** The JSON file named by GRANARY_CONFIG (none: {}); refuses keys that are not settings, naming them. */
function readConfigFile(env: Env): Record<string, unknown> {
  if (!env.GRANARY_CONFIG) return {};
  const p = resolve(env.GRANARY_CONFIG);
  if (!existsSync(p)) throw new ConfigError(`GRANARY_CONFIG file not found: ${p}`);
  let file: unknown;
  try {
    file = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new ConfigError(`GRANARY_CONFIG is not valid JSON: ${(e as Error).message}`);
  }
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new ConfigError(`GRANARY_CONFIG ${p} must hold a JSON object of settings`);
  const unknown = Object.keys(file).filter((k) => !Object.hasOwn(SETTINGS, k));
  if (unknown.length > 0) {
    throw new ConfigError(`GRANARY_CONFIG ${p}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k.slice(0, 60))).join(', ')}; known settings: ${Object.keys(SETTINGS).join(', ')}`);
  }
  return file as Record<string, unknown>;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** GRANARY_TRUST_PROXY: false | true | hops | addresses/CIDRs/names (checked here, so a typo is a config error, not a start-up crash). */
function trustProxy(raw: string): boolean | number | string[] {
  const v = raw.trim().toLowerCase();
  if (v === 'false' || v === 'off' || v === '0') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = list(v);
  for (const e of entries) {
    const [addr, bits, more] = e.split('/');
    const ok = PROXY_NAMES.has(e) || (more === undefined && isIP(addr!) !== 0 && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIP(addr!) === 4 ? 32 : 128))));
    if (!ok) throw new ConfigError(`GRANARY_TRUST_PROXY: "${e}" is not an address, a CIDR or one of ${[...PROXY_NAMES].join(', ')}`);
  }
  return entries;
}

/** Builds and validates the configuration from an environment (default: process.env). */
export function loadConfig(env: Env = process.env, overrides: Partial<Static<typeof ConfigSchema>> = {}): Config {
  const file = readConfigFile(env);
  const candidate: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as Array<[string, Setting<TSchema>]>) candidate[key] = readSetting(key, s, env, file, candidate);
  Object.assign(candidate, overrides);
  if (!Value.Check(ConfigSchema, candidate)) {
    const first = [...Value.Errors(ConfigSchema, candidate)][0];
    const key = first?.instancePath.split('/')[1];
    const named = key && Object.hasOwn(SETTINGS, key) ? `${key} (${SETTINGS[key as keyof typeof SETTINGS].env})` : (first?.instancePath ?? '/');
    throw new ConfigError(`invalid configuration: ${named}: ${first?.message ?? 'invalid'}`);
  }
  return Object.freeze(candidate as Static<typeof ConfigSchema>);
}
