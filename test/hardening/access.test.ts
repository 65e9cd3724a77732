/**
 * Access, tested as an attacker would: writing routes without / with a wrong token, path traversal
 * in every id and in the hrefs of POST /api/scenes (relative escapes, absolute paths, a symlink
 * in the data directory pointing to /etc), static-file escapes, and server-side request forgery:
 * hosts off the allowlist, an allowlisted *name* resolving to loopback, redirects, credentials,
 * odd schemes. Every one refused with a 4xx problem+json; /etc/passwd never in a body.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, SINOP, SINOP_NDVI, type TestApp } from '../helpers/test-app.js';
import { expectProblem, rangeServer, TOKEN, type LocalServer, type RangeServerMode } from './support.js';
import { assertAllowedAddress, isInternalAddress } from '../../server/raster/source.js';

let t: TestApp;
let open: TestApp; // no token configured
let byName: TestApp; // allowlist by name only: localhost:<port>
let remote: LocalServer & { mode: RangeServerMode };
const auth = { authorization: `Bearer ${TOKEN}` };
const PASSWD = /root:.*:0:0:/;

beforeAll(async () => {
  remote = await rangeServer({ '/sinop_ndvi.tif': SINOP_NDVI }, { '/redirect.tif': 'http://169.254.169.254/latest/meta-data/' });
  t = await createTestApp({
    scenes: [SINOP],
    env: {
      GRANARY_TOKEN: TOKEN,
      // by address: explicitly allowed
      GRANARY_REMOTE_HOSTS: `127.0.0.1:${remote.port}`,
      GRANARY_REMOTE_TIMEOUT_MS: '3000',
      GRANARY_RATE_LIMIT: '0',
    },
  });
  open = await createTestApp({ scenes: [SINOP], env: { GRANARY_RATE_LIMIT: '0' } });
  // by name only: localhost resolves to loopback, which is not itself allowlisted here
  byName = await createTestApp({ env: { GRANARY_TOKEN: TOKEN, GRANARY_REMOTE_HOSTS: `localhost:${remote.port}`, GRANARY_RATE_LIMIT: '0' } });
  // hostile things inside the data directory
  await symlink('/etc', join(t.dataDir, 'etc-link'));
  await mkdir(join(t.dataDir, 'inside'), { recursive: true });
  await symlink('/etc/passwd', join(t.dataDir, 'inside', 'passwd.tif'));
});
afterAll(async () => {
  await t?.close();
  await open?.close();
  await byName?.close();
  await remote?.close();
});

const post = (app: TestApp, hrefs: string[], headers: Record<string, string> = auth) =>
  app.app.inject({ method: 'POST', url: '/api/scenes', headers, payload: { id: 'attack', hrefs, variables: ['ndvi'] } });

describe('writing routes need the configured bearer token', () => {
  it('no token configured: 403 writing-disabled, even with a token', async () => {
    const res = await post(open, [SINOP_NDVI]);
    expectProblem(res, 403);
    expect(res.json().detail).toMatch(/disabled/);
  });
  it.each([
    ['no header', {}],
    ['wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
    ['basic auth', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }],
    ['token without scheme', { authorization: TOKEN }],
    ['token in the query string', {}],
  ])('%s: 401 with WWW-Authenticate', async (name, headers) => {
    const res = await t.app.inject({ method: 'POST', url: `/api/scenes${name.includes('query') ? `?token=${TOKEN}` : ''}`, headers, payload: { id: 'attack', hrefs: [SINOP_NDVI] } });
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });
  it('an anonymous request with a hostile body is refused (400 or 401) and reads nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/scenes', payload: { id: '../../x', hrefs: ['/etc/passwd'] } });
    expect([400, 401]).toContain(res.statusCode);
    expect(res.body).not.toMatch(PASSWD);
  });
});

describe('path traversal in POST /api/scenes hrefs is refused', () => {
  const cases = [
    '../../etc/passwd',
    '../../../../../../../../etc/passwd',
    '/etc/passwd',
    '/etc/hostname',
    'imagery/../../../../etc/passwd',
    'etc-link/passwd', // a symlink in the data directory pointing to /etc
    'etc-link/../etc-link/hostname',
    'inside/passwd.tif', // a symlinked file pointing outside
    '/proc/self/environ',
    '/dev/zero',
    '..\\..\\etc\\passwd',
    '%2e%2e/%2e%2e/etc/passwd',
    'file:///etc/passwd',
    'a\u0000b.tif',
    `${'../'.repeat(300)}etc/passwd`,
  ];
  it.each(cases)('%s', async (href) => {
    const res = await post(t, [href]);
    expectProblem(res, (s) => s >= 400 && s < 500);
    expect(res.body).not.toMatch(PASSWD);
  });
  it('refusals of files outside name the rule (403 forbidden)', async () => {
    for (const href of ['../../etc/passwd', '/etc/passwd', 'etc-link/passwd', 'inside/passwd.tif']) {
      const res = await post(t, [href]);
      expect(res.statusCode, href).toBe(403);
      expect(res.json().detail).toMatch(/outside the data directories/);
    }
  });
  it('a scene id with a path is a 400 (the catalog file name comes from the id)', async () => {
    for (const id of ['../evil', '..', 'a/b', '/etc/x', 'a\\b', '.hidden', '']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id, hrefs: [SINOP_NDVI] } });
      expectProblem(res, 400);
    }
  });
  it('a catalog item planted with an absolute href outside the data directories is not read', async () => {
    const item = JSON.parse(JSON.stringify(await t.catalog.get('sinop').then(() => t.app.inject({ url: '/api/scenes/sinop' }).then((r) => r.json()))));
    item.id = 'planted';
    for (const a of Object.values(item.assets as Record<string, { href: string }>)) a.href = '/etc/passwd';
    await writeFile(join(t.dataDir, 'catalog', 'planted.json'), JSON.stringify(item));
    const res = await t.app.inject({ url: '/tiles/planted/10/354/545.png' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toMatch(PASSWD);
  });
});

describe('path traversal in ids and static files is refused', () => {
  const urls = [
    '/api/scenes/..%2F..%2Fetc%2Fpasswd',
    '/api/scenes/../../etc/passwd',
    '/tiles/..%2F..%2Fetc/1/1/1.png',
    '/tiles/%2e%2e/1/1/1.png',
    '/tiles/sinop/crops/1/1/1.png?model=..%2F..%2Fetc%2Fpasswd',
    '/api/models/..%2F..%2Fetc%2Fpasswd',
    '/api/models/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/api/colormaps/..%2F..%2Fetc%2Fpasswd',
    '/collections/..%2F..%2Fetc%2Fpasswd',
    '/collections/..%2F..%2Fetc%2Fpasswd/items',
    '/collections/regions/items/..%2F..%2Fetc%2Fpasswd',
    '/api/layers/..%2F..%2F..%2Fetc%2Fpasswd.geojson',
    '/api/layers/%2e%2e%2f%2e%2e%2fetc%2fpasswd.csv',
    '/api/regions/..%2F..%2Fetc%2Fpasswd',
    '/api/zonal-stats?scene=..%2F..%2Fetc%2Fpasswd',
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%5c..%5c..%5cetc%5cpasswd',
    '/docs/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
  ];
  it.each(urls)('%s', async (url) => {
    const method = url.startsWith('/api/zonal-stats') ? 'POST' : 'GET';
    const res = await t.app.inject({ method, url, ...(method === 'POST' ? { payload: { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } } } : {}) });
    expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toMatch(PASSWD);
  });
});

describe('server-side request forgery is refused', () => {
  it('an allowlisted address (127.0.0.1:<port>) is served', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id: 'remote-ok', hrefs: [`http://127.0.0.1:${remote.port}/sinop_ndvi.tif`], variables: ['ndvi'], scale: 0.0001 } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
  });
  it('an allowlisted name resolving to loopback (localhost) is refused unless the address is allowlisted', async () => {
    const before = remote.hits.length;
    const res = await post(byName, [`http://localhost:${remote.port}/sinop_ndvi.tif`]);
    expectProblem(res, 403);
    expect(res.json().detail).toMatch(/internal address/);
    expect(remote.hits.length).toBe(before); // no request reached the server
    // the same name is fine where its address is allowlisted too
    const ok = await t.app.inject({ method: 'POST', url: '/api/scenes', headers: auth, payload: { id: 'by-name', hrefs: [`http://localhost:${remote.port}/sinop_ndvi.tif`], variables: ['ndvi'] } });
    expect(ok.statusCode).toBe(403); // t allowlists 127.0.0.1:<port> only: the name itself is not allowlisted
  });
  const refused: Array<[string, number]> = [
    ['http://169.254.169.254/latest/meta-data/', 403], // cloud metadata
    ['http://metadata.google.internal/computeMetadata/v1/', 403],
    ['http://127.0.0.1:22/', 403], // allowlisted address, other port
    ['http://127.0.0.1/', 403],
    ['http://[::1]:8080/x.tif', 403],
    ['http://0.0.0.0:8080/x.tif', 403],
    ['http://2130706433/x.tif', 403], // 127.0.0.1 as a number, other port
    ['http://10.0.0.1/x.tif', 403],
    ['http://192.168.1.1/x.tif', 403],
    ['http://evil.example/x.tif', 403],
    [`http://127.0.0.1:${'0'}@evil.example/x.tif`, 400], // credentials
    [`http://user:pass@127.0.0.1/x.tif`, 400],
    ['gopher://127.0.0.1:6379/_FLUSHALL', 422], // not http(s): a (missing) local file name
    ['http://', 400],
  ];
  it.each(refused)('%s -> %i', async (href, status) => {
    const res = await post(t, [href]);
    expectProblem(res, status);
  });
  it('a redirect from an allowlisted host is not followed', async () => {
    const res = await post(t, [`http://127.0.0.1:${remote.port}/redirect.tif`]);
    expectProblem(res, 403);
    expect(res.json().detail).toMatch(/redirect/);
  });
  it('the address check covers private, link-local, mapped and reserved ranges', () => {
    for (const a of ['127.0.0.1', '127.255.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) {
      expect(isInternalAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isInternalAddress(a), a).toBe(false);
    const policy = { readRoots: [], remoteHosts: ['10.0.0.5:9000', '[fd00::5]'], remoteTimeoutMs: 1000 };
    expect(() => assertAllowedAddress('10.0.0.5', 9000, policy)).not.toThrow();
    expect(() => assertAllowedAddress('10.0.0.5', 9001, policy)).toThrow(/internal address/);
    expect(() => assertAllowedAddress('fd00::5', 443, policy)).not.toThrow();
    expect(() => assertAllowedAddress('8.8.8.8', 80, policy)).not.toThrow();
  });
});
