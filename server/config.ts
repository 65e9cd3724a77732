/**
 * Configuration: the one place that reads the environment.
 *
 * Read once at start-up from the environment and an optional JSON file (GRANARY_CONFIG), validated
 * against a schema, then frozen and passed down. Library modules never read process.env.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Repository root (where package.json, fixtures/ and models/ live): the nearest directory above this
 * module holding package.json, so the compiled copy (dist/server/config.js) finds the same root.
 */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'PORT' }),
  host: Type.String({ default: '127.0.0.1', description: 'HOST (0.0.0.0 to expose)' }),
  dataDir: Type.String({ description: 'GRANARY_DATA_DIR: catalog, crop maps, caches (default: the bundled fixtures/)' }),
  readOnlyDirs: Type.Array(Type.String(), { description: 'GRANARY_READ_DIRS: extra directories COGs may be read from (comma separated)' }),
  modelsDir: Type.String({ description: 'GRANARY_MODELS_DIR: ONNX models and their cards (default: models/)' }),
  regionsConfig: Type.String({ description: 'GRANARY_REGIONS_CONFIG: the region join configuration (default: <dataDir>/regions.config.json, else the bundled one)' }),
  token: Type.Union([Type.String({ minLength: 16 }), Type.Null()], { description: 'GRANARY_TOKEN: bearer token for writing routes; unset = writing routes disabled' }),
  remoteHosts: Type.Array(Type.String(), { description: 'GRANARY_REMOTE_HOSTS: host[:port] allowlist for remote COG URLs (comma separated)' }),
  workers: Type.Integer({ minimum: 1, maximum: 64, description: 'GRANARY_WORKERS: worker processes for interactive decode/warp/encode/inference (tiles, points) (default: CPU count)' }),
  queueLimit: Type.Integer({ minimum: 1, description: 'GRANARY_QUEUE_LIMIT: CPU tasks waiting before 503 (default 256)' }),
  taskTimeoutMs: Type.Integer({ minimum: 100, description: 'GRANARY_TASK_TIMEOUT_MS: a worker task taking longer is aborted and its worker replaced (default 30000)' }),
  bulkWorkers: Type.Integer({ minimum: 1, maximum: 64, description: 'GRANARY_BULK_WORKERS: worker processes for bulk work (zonal statistics, whole-scene uncertainty, scene inspection), apart from the interactive ones (default 1)' }),
  bulkQueueLimit: Type.Integer({ minimum: 1, description: 'GRANARY_BULK_QUEUE_LIMIT: bulk tasks waiting before 503 (default 64)' }),
  bulkCpuSecondsPerMinute: Type.Number({ minimum: 0, description: 'GRANARY_BULK_CPU_S_PER_MIN: bulk CPU seconds one client may use per minute, then 503 with Retry-After (default 45; 0 = no cap)' }),
  workerHeapMb: Type.Integer({ minimum: 64, description: 'GRANARY_WORKER_HEAP_MB: V8 heap limit of each worker process (default 2048)' }),
  requestDecodeMb: Type.Integer({ minimum: 1, description: 'GRANARY_REQUEST_DECODE_MB: decoded bytes one request may read from a COG level; a wider read is refused naming the missing overview (default 256)' }),
  publicUrl: Type.Union([Type.String({ pattern: '^https?://[^/?#]+(/[^?#]*)?$' }), Type.Null()], { description: 'GRANARY_PUBLIC_URL: origin (and path prefix) used in links (OGC, TileJSON); unset = from a validated Host header' }),
  remoteTimeoutMs: Type.Integer({ minimum: 100, description: 'GRANARY_REMOTE_TIMEOUT_MS: timeout of one range request to a remote COG (default 10000)' }),
  blockCacheMb: Type.Number({ minimum: 0, description: 'GRANARY_BLOCK_CACHE_MB: decoded COG blocks kept per worker (default 64)' }),
  tileCacheMb: Type.Number({ minimum: 0, description: 'GRANARY_TILE_CACHE_MB: rendered tiles kept in memory (default 64)' }),
  maxZoom: Type.Integer({ minimum: 0, maximum: 30, description: 'GRANARY_MAX_ZOOM: highest zoom served (default 22)' }),
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')]),
  corsOrigin: Type.Union([Type.String(), Type.Null()], { description: 'GRANARY_CORS_ORIGIN: allowed origin(s) for CORS, comma separated, * for any; unset = same-origin only' }),
  // footprint of computing (docs/footprint.md)
  pue: Type.Number({ minimum: 1, description: 'GRANARY_PUE: data-centre power usage effectiveness multiplying the energy (default 1.0, as CodeCarbon)' }),
  carbonIntensity: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'GRANARY_CARBON_INTENSITY: grid carbon intensity in g CO2e/kWh; unset = from GRANARY_GRID_COUNTRY' }),
  gridCountry: Type.String({ description: 'GRANARY_GRID_COUNTRY: ISO 3166-1 alpha-3 code for the carbon intensity table (default BRA; unknown codes use the 475 g/kWh world fallback)' }),
  cpuTdpW: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { description: 'GRANARY_CPU_TDP_W: processor TDP in W for the energy estimate without RAPL; unset = 4 W per CPU (CodeCarbon default)' }),
  cpuTdpCores: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'GRANARY_CPU_TDP_CORES: logical CPUs sharing that TDP; unset = the CPUs the service sees' }),
  raplDir: Type.String({ description: 'GRANARY_RAPL_DIR: powercap directory holding intel-rapl:<n>/energy_uj (default /sys/class/powercap)' }),
  // protection (docs/hardening.md)
  rateLimit: Type.Integer({ minimum: 0, description: 'GRANARY_RATE_LIMIT: requests per minute per client IP, then 429 with Retry-After (default 1200: a map view loads many tiles; 0 = no limit)' }),
  rateLimitAllowlist: Type.Array(Type.String(), { description: 'GRANARY_RATE_LIMIT_ALLOWLIST: client IPs exempt from the rate limit (comma separated)' }),
  maxEventLoopDelayMs: Type.Integer({ minimum: 0, description: 'GRANARY_MAX_EVENT_LOOP_DELAY_MS: above this event-loop delay new requests get 503 with Retry-After (default 1000; 0 = off)' }),
  requestTimeoutMs: Type.Integer({ minimum: 0, description: 'GRANARY_REQUEST_TIMEOUT_MS: time allowed to receive a whole request (default 30000)' }),
  connectionTimeoutMs: Type.Integer({ minimum: 0, description: 'GRANARY_CONNECTION_TIMEOUT_MS: an idle socket is closed after this (default 120000)' }),
  // field reports (docs/data-centric.md)
  reportsDb: Type.String({ description: 'GRANARY_REPORTS_DB: SQLite file of the field reports (default <dataDir>/reports/field-reports.sqlite; created on the first report)' }),
  reportsRateLimit: Type.Integer({ minimum: 1, description: 'GRANARY_REPORTS_RATE_LIMIT: anonymous field reports per hour per client IP, then 429 (default 10; token holders are not limited)' }),
  // cluster mode (docs/deploy.md): with neither set, the embedded default (SQLite, in-process jobs, local files)
  databaseUrl: Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()], { description: 'GRANARY_DATABASE_URL: PostgreSQL with PostGIS (catalog, field reports, crop-map registry and polygons, footprint ledger); unset = embedded (files + SQLite)' }),
  redisUrl: Type.Union([Type.String({ pattern: '^rediss?://' }), Type.Null()], { description: 'GRANARY_REDIS_URL: Redis for the job queue (BullMQ); unset = jobs run in-process' }),
  jobLockMs: Type.Integer({ minimum: 1000, description: 'GRANARY_JOB_LOCK_MS: a worker holding a job block for longer without renewing its lock (killed, frozen) loses it to another worker (default 15000)' }),
  jobAttempts: Type.Integer({ minimum: 1, maximum: 100, description: 'GRANARY_JOB_ATTEMPTS: tries per job block before the job fails (default 3)' }),
  instanceName: Type.String({ minLength: 1, maxLength: 64, description: 'GRANARY_INSTANCE: name of this replica or worker in logs and metrics (default <hostname>-<pid>)' }),
  // alerts and webhooks (docs/answers.md)
  webhookHosts: Type.Array(Type.String(), { description: 'GRANARY_WEBHOOK_HOSTS: host[:port] allowlist for alert webhook receivers (comma separated); empty = no webhook can be subscribed' }),
  webhookAttempts: Type.Integer({ minimum: 1, maximum: 20, description: 'GRANARY_WEBHOOK_ATTEMPTS: delivery attempts per alert before it waits for the next dispatch (default 5)' }),
  webhookBackoffMs: Type.Integer({ minimum: 0, description: 'GRANARY_WEBHOOK_BACKOFF_MS: first retry delay, doubled each attempt, with full jitter (default 1000)' }),
  webhookTimeoutMs: Type.Integer({ minimum: 100, description: 'GRANARY_WEBHOOK_TIMEOUT_MS: time a receiver has to answer (default 10000)' }),
  alertsDispatchSeconds: Type.Integer({ minimum: 0, description: 'GRANARY_ALERTS_DISPATCH_SECONDS: how often alerts are evaluated and sent to subscribers (default 300; 0 = only on POST /api/alerts/dispatch)' }),
  testSlowCropmapMs: Type.Integer({ minimum: 0, description: 'GRANARY_TEST_SLOW_CROPMAP_MS: tests only: granary cropmap sleeps this long after each block (default 0)' }),
});
export type Config = Readonly<Static<typeof ConfigSchema>>;

type Env = Record<string, string | undefined>;

const list = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x.length > 0);

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return n;
}

export class ConfigError extends Error {}

/** Builds and validates the configuration from an environment (default: process.env). */
export function loadConfig(env: Env = process.env, overrides: Partial<Static<typeof ConfigSchema>> = {}): Config {
  let file: Record<string, unknown> = {};
  if (env.GRANARY_CONFIG) {
    const p = resolve(env.GRANARY_CONFIG);
    if (!existsSync(p)) throw new ConfigError(`GRANARY_CONFIG file not found: ${p}`);
    try {
      file = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`GRANARY_CONFIG is not valid JSON: ${(e as Error).message}`);
    }
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(p));
  const dataDir = abs(env.GRANARY_DATA_DIR ?? (file.dataDir as string | undefined) ?? resolve(PACKAGE_ROOT, 'fixtures'));
  const defaultRegions = existsSync(resolve(dataDir, 'regions.config.json'))
    ? resolve(dataDir, 'regions.config.json')
    : resolve(PACKAGE_ROOT, 'fixtures', 'regions.config.json');
  const candidate = {
    port: int(env, 'PORT', (file.port as number | undefined) ?? 8080),
    host: env.HOST ?? (file.host as string | undefined) ?? '127.0.0.1',
    dataDir,
    readOnlyDirs: [...list(env.GRANARY_READ_DIRS), ...((file.readOnlyDirs as string[] | undefined) ?? [])].map(abs),
    modelsDir: abs(env.GRANARY_MODELS_DIR ?? (file.modelsDir as string | undefined) ?? resolve(PACKAGE_ROOT, 'models')),
    regionsConfig: abs(env.GRANARY_REGIONS_CONFIG ?? (file.regionsConfig as string | undefined) ?? defaultRegions),
    token: env.GRANARY_TOKEN && env.GRANARY_TOKEN.length > 0 ? env.GRANARY_TOKEN : ((file.token as string | undefined) ?? null),
    remoteHosts: [...list(env.GRANARY_REMOTE_HOSTS), ...((file.remoteHosts as string[] | undefined) ?? [])].map((h) => h.toLowerCase()),
    workers: int(env, 'GRANARY_WORKERS', (file.workers as number | undefined) ?? Math.max(1, Math.min(8, availableParallelism()))),
    queueLimit: int(env, 'GRANARY_QUEUE_LIMIT', (file.queueLimit as number | undefined) ?? 256),
    taskTimeoutMs: int(env, 'GRANARY_TASK_TIMEOUT_MS', (file.taskTimeoutMs as number | undefined) ?? 30_000),
    bulkWorkers: int(env, 'GRANARY_BULK_WORKERS', (file.bulkWorkers as number | undefined) ?? 1),
    bulkQueueLimit: int(env, 'GRANARY_BULK_QUEUE_LIMIT', (file.bulkQueueLimit as number | undefined) ?? 64),
    bulkCpuSecondsPerMinute: int(env, 'GRANARY_BULK_CPU_S_PER_MIN', (file.bulkCpuSecondsPerMinute as number | undefined) ?? 45),
    workerHeapMb: int(env, 'GRANARY_WORKER_HEAP_MB', (file.workerHeapMb as number | undefined) ?? 2048),
    requestDecodeMb: int(env, 'GRANARY_REQUEST_DECODE_MB', (file.requestDecodeMb as number | undefined) ?? 256),
    publicUrl: env.GRANARY_PUBLIC_URL ? env.GRANARY_PUBLIC_URL.replace(/\/+$/, '') : ((file.publicUrl as string | undefined) ?? null),
    remoteTimeoutMs: int(env, 'GRANARY_REMOTE_TIMEOUT_MS', (file.remoteTimeoutMs as number | undefined) ?? 10_000),
    blockCacheMb: int(env, 'GRANARY_BLOCK_CACHE_MB', (file.blockCacheMb as number | undefined) ?? 64),
    tileCacheMb: int(env, 'GRANARY_TILE_CACHE_MB', (file.tileCacheMb as number | undefined) ?? 64),
    maxZoom: int(env, 'GRANARY_MAX_ZOOM', (file.maxZoom as number | undefined) ?? 22),
    logLevel: (env.GRANARY_LOG_LEVEL ?? (file.logLevel as string | undefined) ?? 'info') as Config['logLevel'],
    corsOrigin: env.GRANARY_CORS_ORIGIN ?? (file.corsOrigin as string | undefined) ?? null,
    rateLimit: int(env, 'GRANARY_RATE_LIMIT', (file.rateLimit as number | undefined) ?? 1200),
    rateLimitAllowlist: [...list(env.GRANARY_RATE_LIMIT_ALLOWLIST), ...((file.rateLimitAllowlist as string[] | undefined) ?? [])],
    maxEventLoopDelayMs: int(env, 'GRANARY_MAX_EVENT_LOOP_DELAY_MS', (file.maxEventLoopDelayMs as number | undefined) ?? 1000),
    requestTimeoutMs: int(env, 'GRANARY_REQUEST_TIMEOUT_MS', (file.requestTimeoutMs as number | undefined) ?? 30_000),
    connectionTimeoutMs: int(env, 'GRANARY_CONNECTION_TIMEOUT_MS', (file.connectionTimeoutMs as number | undefined) ?? 120_000),
    webhookHosts: [...list(env.GRANARY_WEBHOOK_HOSTS), ...((file.webhookHosts as string[] | undefined) ?? [])].map((h) => h.toLowerCase()),
    webhookAttempts: int(env, 'GRANARY_WEBHOOK_ATTEMPTS', (file.webhookAttempts as number | undefined) ?? 5),
    webhookBackoffMs: int(env, 'GRANARY_WEBHOOK_BACKOFF_MS', (file.webhookBackoffMs as number | undefined) ?? 1000),
    webhookTimeoutMs: int(env, 'GRANARY_WEBHOOK_TIMEOUT_MS', (file.webhookTimeoutMs as number | undefined) ?? 10_000),
    alertsDispatchSeconds: int(env, 'GRANARY_ALERTS_DISPATCH_SECONDS', (file.alertsDispatchSeconds as number | undefined) ?? 300),
    testSlowCropmapMs: int(env, 'GRANARY_TEST_SLOW_CROPMAP_MS', 0),
    databaseUrl: env.GRANARY_DATABASE_URL || ((file.databaseUrl as string | undefined) ?? null),
    redisUrl: env.GRANARY_REDIS_URL || ((file.redisUrl as string | undefined) ?? null),
    jobLockMs: int(env, 'GRANARY_JOB_LOCK_MS', (file.jobLockMs as number | undefined) ?? 15_000),
    jobAttempts: int(env, 'GRANARY_JOB_ATTEMPTS', (file.jobAttempts as number | undefined) ?? 3),
    instanceName: env.GRANARY_INSTANCE || ((file.instanceName as string | undefined) ?? `${hostname()}-${process.pid}`),
    reportsDb: abs(env.GRANARY_REPORTS_DB ?? (file.reportsDb as string | undefined) ?? resolve(dataDir, 'reports', 'field-reports.sqlite')),
    reportsRateLimit: int(env, 'GRANARY_REPORTS_RATE_LIMIT', (file.reportsRateLimit as number | undefined) ?? 10),
    pue: int(env, 'GRANARY_PUE', (file.pue as number | undefined) ?? 1.0),
    carbonIntensity: env.GRANARY_CARBON_INTENSITY ? int(env, 'GRANARY_CARBON_INTENSITY', 0) : ((file.carbonIntensity as number | null | undefined) ?? null),
    gridCountry: (env.GRANARY_GRID_COUNTRY ?? (file.gridCountry as string | undefined) ?? 'BRA').toUpperCase(),
    cpuTdpW: env.GRANARY_CPU_TDP_W ? int(env, 'GRANARY_CPU_TDP_W', 0) : ((file.cpuTdpW as number | null | undefined) ?? null),
    cpuTdpCores: env.GRANARY_CPU_TDP_CORES ? int(env, 'GRANARY_CPU_TDP_CORES', 0) : ((file.cpuTdpCores as number | null | undefined) ?? null),
    raplDir: abs(env.GRANARY_RAPL_DIR ?? (file.raplDir as string | undefined) ?? '/sys/class/powercap'),
    ...overrides,
  };
  if (!Value.Check(ConfigSchema, candidate)) {
    const first = [...Value.Errors(ConfigSchema, candidate)][0];
    const where = first ? `${first.instancePath || '/'}: ${first.message}` : 'invalid';
    throw new ConfigError(`invalid configuration: ${where}`);
  }
  return Object.freeze(candidate);
}
