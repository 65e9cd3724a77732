/**
 * server/config.ts: one table of settings gives the schema, the environment variables and the file keys.
 * A config file with a key that is no setting is refused with that key's name; the environment wins
 * over the file; every setting's variable is named once and appears in its schema's description.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigSchema, loadConfig } from '../../../server/config.js';

function fileEnv(json: unknown, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'granary-config-'));
  const p = join(dir, 'granary.json');
  writeFileSync(p, JSON.stringify(json));
  return { GRANARY_CONFIG: p, ...extra };
}

describe('configuration', () => {
  it('refuses unknown keys in the config file, naming each', () => {
    const env = fileEnv({ port: 9000, tileCacheMB: 10, workerz: 2 });
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/unknown settings "tileCacheMB", "workerz"/);
  });

  it('reads known keys from the file; the environment wins over the file', () => {
    const env = fileEnv({ port: 9000, tileCacheMb: 10, remoteHosts: ['Example.org'] }, { GRANARY_TILE_CACHE_MB: '3', GRANARY_REMOTE_HOSTS: 'A.test' });
    const c = loadConfig(env);
    expect(c.port).toBe(9000);
    expect(c.tileCacheMb).toBe(3);
    expect(c.remoteHosts).toEqual(['a.test', 'example.org']);
  });

  it('names the setting and its variable when a value is invalid', () => {
    expect(() => loadConfig({ GRANARY_WORKERS: 'many' })).toThrow(/GRANARY_WORKERS must be a number, got "many"/);
    expect(() => loadConfig({ GRANARY_WORKERS: '0' })).toThrow(/workers \(GRANARY_WORKERS\)/);
    expect(() => loadConfig(fileEnv({ maxZoom: 'deep' }))).toThrow(/maxZoom \(GRANARY_MAX_ZOOM\)/);
  });

  it('reads the extra CA file from GRANARY_EXTRA_CA_CERTS, else from Node\'s NODE_EXTRA_CA_CERTS', () => {
    expect(loadConfig({}).extraCaCerts).toBeNull();
    expect(loadConfig({ NODE_EXTRA_CA_CERTS: '/etc/node-ca.pem' }).extraCaCerts).toBe('/etc/node-ca.pem');
    expect(loadConfig({ NODE_EXTRA_CA_CERTS: '/etc/node-ca.pem', GRANARY_EXTRA_CA_CERTS: '/etc/granary-ca.pem' }).extraCaCerts).toBe('/etc/granary-ca.pem');
    expect(loadConfig({ GRANARY_EXTRA_CA_CERTS: '', NODE_EXTRA_CA_CERTS: '/etc/node-ca.pem' }).extraCaCerts).toBe('/etc/node-ca.pem');
  });

  it('has no test-only knob in the production schema', () => {
    const keys = Object.keys(ConfigSchema.properties);
    expect(keys.filter((k) => /test/i.test(k))).toEqual([]);
    const c = loadConfig({});
    expect(Object.keys(c).sort()).toEqual([...keys].sort());
  });

  it('names each environment variable once, in its setting\'s description', () => {
    const vars = Object.values(ConfigSchema.properties).map((s) => String((s as { description?: string }).description).split(':')[0]!);
    expect(vars.every((v) => /^(PORT|HOST|GRANARY_[A-Z0-9_]+)$/.test(v))).toBe(true);
    expect(new Set(vars).size).toBe(vars.length);
    expect(vars).toContain('GRANARY_TILE_CACHE_MB');
  });
});
