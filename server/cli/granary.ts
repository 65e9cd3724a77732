/**
 * granary: the command line. Same configuration as the server (one loader), so `scenes add` writes
 * the catalog that a server started with the same GRANARY_DATA_DIR reads, without a restart.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadConfig, ConfigError } from '../config.js';
import { GranaryError } from '../errors.js';
import { isRemote } from '../raster/source.js';
import { sourcePolicy } from '../raster/source-policy.js';
import { startEarlyWorker } from '../workers/fork-child.js';
import { siblingModule } from '../sibling-module.js';
import { workerInit } from '../workers/worker-init.js';
import { catalogDirOf } from '../store/catalog-dir.js';
import type { PrimeCatalog } from '../services/prime-tiles.js';
// Everything heavier is imported by the command that needs it: `granary serve` (the supervisor)
// must not load the service it supervises, and each command pays only for its own modules.

const HELP = `granary: satellite crop monitoring service

Usage:
  granary serve [--no-supervisor]        start the HTTP service (PORT, HOST, GRANARY_* variables), restarted if it dies
  granary scenes list                    list the scenes in the catalog
  granary scenes add <path-or-url>... --id <sceneId> [--variable <name>]... [--scale s] [--offset o]
                     [--nodata v] [--date <iso>]... [--title t] [--attribution a] [--replace]
  granary train [--variables ndvi,evi] [--model-id id] [--seed n] [--folds k] [--out models]
  granary evaluate --samples <samples.csv> --timeseries <timeseries.csv> [--model <id>]
  granary cropmap <sceneId> [--model <id>] [--out <file.tif>] [--queue]   (--queue: enqueue as a job, cluster mode)
  granary worker                         process crop-map jobs from the queue (GRANARY_REDIS_URL, GRANARY_DATABASE_URL)
  granary labels audit|review|export-reports ...   label audit, reviewed decisions, field reports as samples
  granary phenology <sceneId> [--variable ndvi] [--samples <csv>] [--fraction 0.2]
                                         start of season per pixel (scene <sceneId>-sos) and class windows
  granary weather add <INMET csv>... | granary weather list
                                         import INMET automatic-station archive files (hourly -> daily)

granary train and granary labels audit|review run the trainer (models/train); bin/granary.js sends
them there, the service itself never imports it.

Configuration comes from the environment (see README): GRANARY_DATA_DIR, GRANARY_MODELS_DIR, ...
`;

type Sub = (args: string[]) => Promise<number>;

async function scenesList(): Promise<number> {
  const config = loadConfig();
  const { createBackends } = await import('../store/backends.js');
  // the configured catalog: files (embedded) or PostgreSQL (GRANARY_DATABASE_URL)
  const backends = await createBackends(config);
  const catalog = backends.catalog;
  const scenes = await catalog.list().finally(() => backends.close());
  for (const s of scenes) {
    console.log(`${s.id}\t${s.title}\t${s.grid.width}x${s.grid.height}\t${s.variables.join(',')}\t${s.dates.length} dates${s.dates.length ? ` ${s.dates[0]}..${s.dates[s.dates.length - 1]}` : ''}\t${s.crs.epsg ? 'EPSG:' + s.crs.epsg : s.crs.proj4.trim()}`);
  }
  for (const p of catalog.problems) console.error(`warning: ${p.file}: ${p.error}`);
  if (scenes.length === 0) console.log('(no scenes: add one with granary scenes add)');
  return 0;
}

async function scenesAdd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      variable: { type: 'string', multiple: true },
      scale: { type: 'string' },
      offset: { type: 'string' },
      nodata: { type: 'string' },
      date: { type: 'string', multiple: true },
      title: { type: 'string' },
      attribution: { type: 'string' },
      replace: { type: 'boolean' },
    },
  });
  if (!values.id) throw new GranaryError('bad-request', '--id <sceneId> is required');
  if (positionals.length === 0) throw new GranaryError('bad-request', 'give one or more COG paths or URLs');
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = v.toLowerCase() === 'nan' ? NaN : Number(v);
    if (Number.isNaN(n) && v.toLowerCase() !== 'nan') throw new GranaryError('bad-request', `--${name} must be a number, got "${v}"`);
    return n;
  };
  const config = loadConfig();
  const [{ createBackends }, { inspectScene }] = await Promise.all([import('../store/backends.js'), import('../catalog/inspect.js')]);
  const backends = await createBackends(config);
  const catalog = backends.catalog;
  try {
    const hrefs = positionals.map((p) => (isRemote(p) ? p : resolve(p)));
    const item = await inspectScene(
      hrefs,
      {
        id: values.id,
        ...(values.title ? { title: values.title } : {}),
        ...(values.attribution ? { attribution: values.attribution } : {}),
        ...(values.variable ? { variables: values.variable } : {}),
        ...(values.date ? { dates: values.date } : {}),
        ...(values.scale !== undefined ? { scale: num('scale', values.scale)! } : {}),
        ...(values.offset !== undefined ? { offset: num('offset', values.offset)! } : {}),
        ...(values.nodata !== undefined ? { nodata: num('nodata', values.nodata)! } : {}),
      },
      sourcePolicy(config),
      catalog.dir,
      config.requestDecodeMb * 1024 * 1024,
    );
    const path = await catalog.save(item, { replace: values.replace ?? false });
    const vars = [...new Set(Object.values(item.assets).flatMap((a) => a['raster:bands'].map((b) => b['granary:variable'])))];
    const dates = [...new Set(Object.values(item.assets).flatMap((a) => a['raster:bands'].map((b) => b['granary:date'])).filter(Boolean))];
    console.log(`added scene ${item.id}: ${vars.join(', ')} x ${dates.length || 'no'} dates -> ${path}`);
    return 0;
  } finally {
    await backends.close();
  }
}

const commands: Record<string, Sub> = {
  serve: async (args) => {
    if (args.includes('--supervised') || args.includes('--no-supervisor')) {
      // the first worker child loads its modules and primes (its first tiles and crop tiles, read
      // from the file catalog) while this process loads and builds the server (workers/fork-child.ts)
      const config = loadConfig();
      const prime = (config.primeBudgetMs > 0 || config.primeCropMs > 0) && config.databaseUrl === null;
      startEarlyWorker(siblingModule('../workers/worker-main.ts', import.meta.url), config.workerHeapMb, {
        init: { t: 'init', init: workerInit(config), extra: [] },
        ...(prime ? { first: { kind: 'prime-catalog', input: { catalogDir: catalogDirOf(config), modelsDir: config.modelsDir, budgetMs: config.primeBudgetMs, cropBudgetMs: config.primeCropMs } satisfies PrimeCatalog } } : {}),
      });
      const { startServer } = await import('../server.js');
      await startServer();
      return 0;
    }
    // the HTTP service in a child process, restarted if it dies (server/supervisor.ts)
    const { supervise } = await import('../supervisor.js');
    return supervise({ script: process.argv[1]!, args: ['serve', '--supervised'] });
  },
  scenes: async (args) => {
    const [sub, ...rest] = args;
    if (sub === 'list') return scenesList();
    if (sub === 'add') return scenesAdd(rest);
    console.error('usage: granary scenes list | granary scenes add <path-or-url>... --id <sceneId>');
    return 2;
  },
  evaluate: async (args) => {
    const m = await import('./evaluate.js');
    return m.main(args);
  },
  cropmap: async (args) => {
    const m = await import('./cropmap.js');
    return m.main(args);
  },
  worker: async () => {
    const { startWorker } = await import('../jobs/worker.js');
    const w = await startWorker(loadConfig());
    await new Promise<void>((resolve) => {
      const stop = () => void w.close().then(resolve);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  },
  labels: async (args) => {
    const m = await import('./labels.js');
    return m.main(args);
  },
  phenology: async (args) => {
    const m = await import('./phenology.js');
    return m.main(args);
  },
  weather: async (args) => {
    const m = await import('./weather.js');
    return m.main(args);
  },
};

/** The build's step that stores the route schemas' compiled code (scripts/make-schema-code.mjs; server.ts). */
export async function writeSchemaCode(): Promise<number> {
  return (await import('../server.js')).writeSchemaCode();
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(HELP);
    return cmd ? 0 : 2;
  }
  const run = commands[cmd];
  if (!run) {
    console.error(`unknown command "${cmd}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    if (e instanceof GranaryError || e instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`granary ${cmd}: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}
