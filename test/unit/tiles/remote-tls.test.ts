/**
 * Remote COGs and alert webhooks over HTTPS to a server whose certificate only an extra CA file
 * vouches for: Granary's server and worker processes start without NODE_EXTRA_CA_CERTS
 * (util/child-env.ts), so the policy's `extraCaFile` (GRANARY_EXTRA_CA_CERTS) is what lets them in. The certificate is made here by openssl (a self-signed CA
 * that is its own server certificate for 127.0.0.1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSource, type SourcePolicy } from '../../../server/raster/source.js';
import { deliverWithRetry } from '../../../server/alerts/webhooks/deliver.js';
import { childEnv } from '../../../server/util/child-env.js';

const OPENSSL = '/usr/bin/openssl';
const BODY = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
let server: Server;
let dir: string;
let url: string;
let policy: SourcePolicy;

describe.skipIf(!existsSync(OPENSSL))('remote COGs over HTTPS with an extra CA file', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'granary-tls-'));
    execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      if (req.method === 'POST') return void req.resume().on('end', () => res.writeHead(204).end());
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
      if (!m) return void res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
      const [a, b] = [Number(m[1]), Math.min(Number(m[2]), BODY.length - 1)];
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${BODY.length}`, 'content-length': b - a + 1 }).end(BODY.subarray(a, b + 1));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    url = `https://127.0.0.1:${port}/scene.tif`;
    policy = { readRoots: [], remoteHosts: [`127.0.0.1:${port}`], remoteTimeoutMs: 5000 };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads ranges when the policy names the CA file', async () => {
    const src = await openSource(url, { ...policy, extraCaFile: join(dir, 'cert.pem') });
    expect(src.size).toBe(BODY.length);
    expect(Buffer.from(await src.read(100, 50))).toEqual(BODY.subarray(100, 150));
    await src.close();
  });

  it('refuses the server without it (Node\'s own CAs do not vouch for it)', async () => {
    await expect(openSource(url, policy)).rejects.toThrow();
  });

  it('delivers a webhook when the policy names the CA file, and fails without it', async () => {
    const retry = { attempts: 1, baseMs: 1, timeoutMs: 5000 };
    const ok = await deliverWithRetry(url, 'secret-secret-secret', { event: 'test' }, {}, { ...policy, extraCaFile: join(dir, 'cert.pem') }, retry);
    expect(ok).toMatchObject({ ok: true, status: 204, attempts: 1 });
    const refused = await deliverWithRetry(url, 'secret-secret-secret', { event: 'test' }, {}, policy, retry);
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/certificate/i);
  });
});

describe('the environment of the processes Granary starts', () => {
  it('moves NODE_EXTRA_CA_CERTS to GRANARY_EXTRA_CA_CERTS, keeping one that is set', () => {
    expect(childEnv({ NODE_EXTRA_CA_CERTS: '/ca.pem', PATH: '/bin' })).toEqual({ GRANARY_EXTRA_CA_CERTS: '/ca.pem', PATH: '/bin' });
    expect(childEnv({ NODE_EXTRA_CA_CERTS: '/ca.pem', GRANARY_EXTRA_CA_CERTS: '/mine.pem' })).toEqual({ GRANARY_EXTRA_CA_CERTS: '/mine.pem' });
    expect(childEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin' });
  });
});
