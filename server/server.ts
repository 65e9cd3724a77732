/** The process: configuration, logger, listen, graceful shutdown (SIGTERM drains in-flight requests). */
import { join } from 'node:path';
import { loadConfig, LOCKFILE, PACKAGE_ROOT } from './config.js';
import { buildApp } from './app.js';
import { SchemaCode, SchemaCodeWriter } from './plugins/schema-code.js';

/** Where the build stores the route schemas' compiled code (scripts/make-schema-code.mjs). */
export const SCHEMA_CODE_DIR = join(PACKAGE_ROOT, 'dist', 'bundle', 'schemas');

export async function startServer(): Promise<void> {
  const config = loadConfig();
  // every line names this replica (GRANARY_INSTANCE) and carries the request id (X-Request-Id from the proxy)
  const app = await buildApp(config, { logger: { level: config.logLevel, base: { instance: config.instanceName } }, lazySchemas: true, schemaCode: { read: SchemaCode.open(SCHEMA_CODE_DIR, LOCKFILE) }, deferRegions: true });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  const shown = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  console.log(`\nGranary is running: http://${shown}:${port}/   (API docs: http://${shown}:${port}/docs)\n`);
}

/**
 * The build's step (scripts/make-schema-code.mjs): the app built once with the compilers' standalone
 * mode, every route's schemas compiled and their code stored in SCHEMA_CODE_DIR. Returns how many.
 */
export async function writeSchemaCode(): Promise<number> {
  const writer = new SchemaCodeWriter(SCHEMA_CODE_DIR, LOCKFILE);
  const app = await buildApp(loadConfig(), { schemaCode: { write: writer } });
  try {
    await app.ready();
    writer.finish();
  } finally {
    await app.close();
  }
  return writer.size;
}
