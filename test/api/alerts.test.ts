import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestApp, FIXTURES, type TestApp } from '../helpers/test-app.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

/** A receiver that answers 500 to the first `failures` requests, then 200; records what it got. */
function receiver(failures: number) {
  const got: Array<{ headers: IncomingHttpHeaders; body: string; status: number }> = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = n++ < failures ? 500 : 200;
      got.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  return new Promise<{ server: Server; port: number; got: typeof got }>((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, got })));
}

let t: TestApp;
let rx: Awaited<ReturnType<typeof receiver>>;

beforeAll(async () => {
  rx = await receiver(2);
  t = await createTestApp({
    env: { GRANARY_TOKEN: TOKEN, GRANARY_WEBHOOK_HOSTS: `127.0.0.1:${rx.port}`, GRANARY_WEBHOOK_BACKOFF_MS: '20', GRANARY_WEBHOOK_ATTEMPTS: '4', GRANARY_ALERTS_DISPATCH_SECONDS: '0' },
    setup: async ({ dataDir }) => {
      await mkdir(join(dataDir, 'weather'), { recursive: true });
      await copyFile(join(FIXTURES, 'weather/inmet_mt_2025_daily.csv'), join(dataDir, 'weather/inmet_mt_2025_daily.csv'));
    },
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  rx?.server.close();
});

describe('alerts API', () => {
  it('raises dry-spell alerts from the INMET 2025 data and says why there is no crop-condition normal', async () => {
    const res = await t.app.inject({ url: '/api/alerts?region=5107909' });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.asOf).toBe('2025-12-31');
    expect(b.alerts.length).toBeGreaterThan(0);
    // Sorriso A904 (63 km from Sinop's point): no rain from 27 Sep to 8 Oct 2025
    const sorriso = b.alerts.find((a: { evidence: { stationId: string } }) => a.evidence.stationId === 'A904');
    expect(sorriso).toMatchObject({ kind: 'dry-spell', start: '2025-09-27', end: '2025-10-08', regionName: 'Sinop' });
    expect(b.rules.map((r: { kind: string }) => r.kind)).toEqual(['dry-spell', 'crop-condition-drop', 'pest-disease-cluster']);
  });

  it('carries a language-neutral code and parameters, and words them in pt-BR or English (lang, Accept-Language)', async () => {
    const en = (await t.app.inject({ url: '/api/alerts?region=5107909&kind=dry-spell' })).json();
    const a = en.alerts.find((x: { evidence: { stationId: string } }) => x.evidence.stationId === 'A904');
    expect(en.lang).toBe('en');
    expect(a.code).toMatch(/^dry-spell/);
    expect(a.params).toMatchObject({ stationId: 'A904', start: '2025-09-27', end: '2025-10-08', days: 12, region: 'Sinop' });
    expect(a.title).toBe('Dry spell of 12 days at SORRISO (63.2 km from Sinop)'.replace('63.2', String(a.params.km)));
    const pt = await t.app.inject({ url: '/api/alerts?region=5107909&kind=dry-spell&lang=pt-BR' });
    expect(pt.headers['content-language']).toBe('pt-BR');
    const apt = pt.json().alerts.find((x: { id: string }) => x.id === a.id);
    expect(apt.code).toBe(a.code);
    expect(apt.params).toEqual(a.params);
    expect(apt.title).toMatch(/^Veranico de 12 dias em SORRISO \(a [0-9]+,[0-9] km de Sinop\)$/);
    expect(apt.detail).toMatch(/27 de set\. de 2025 a 8 de out\. de 2025/);
    const byHeader = await t.app.inject({ url: '/api/alerts?region=5107909&kind=dry-spell', headers: { 'accept-language': 'en;q=0.5, pt-BR;q=0.9' } });
    expect(byHeader.json().lang).toBe('pt');
    expect(byHeader.headers.vary).toMatch(/Accept-Language/);
    const atom = await t.app.inject({ url: '/api/alerts/feed.atom?region=5107909&kind=dry-spell', headers: { 'accept-language': 'pt-BR' } });
    expect(atom.body).toMatch(/<title>Alertas do Granary<\/title>/);
    expect(atom.body).toMatch(/Veranico de 12 dias em SORRISO/);
    expect(atom.body).not.toMatch(/Dry spell/);
    const csv = await t.app.inject({ url: '/api/alerts?region=5107909&kind=dry-spell&format=csv&lang=pt' });
    expect(csv.body).toMatch(/Veranico de/);
  });

  it('serves the alerts as an Atom feed and as CSV', async () => {
    const atom = await t.app.inject({ url: '/api/alerts/feed.atom?region=5107909' });
    expect(atom.statusCode).toBe(200);
    expect(atom.headers['content-type']).toMatch(/application\/atom\+xml/);
    expect(atom.body).toMatch(/<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    expect(atom.body).toMatch(/<entry>[\s\S]*urn:granary:alert:/);
    const csv = await t.app.inject({ url: '/api/alerts?region=5107909&format=csv' });
    expect(csv.body.split(/\r?\n/)[0]).toMatch(/^id,kind,severity,regionId/);
  });

  it('needs the token to subscribe and refuses hosts that are not allowlisted', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/alerts/subscriptions', payload: { url: `http://127.0.0.1:${rx.port}/hook` } })).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'POST', url: '/api/alerts/subscriptions', headers: auth, payload: { url: 'http://169.254.169.254/latest' } });
    expect(bad.statusCode).toBe(403);
    expect(bad.json().detail).toMatch(/GRANARY_WEBHOOK_HOSTS/);
    const other = await t.app.inject({ method: 'POST', url: '/api/alerts/subscriptions', headers: auth, payload: { url: `http://127.0.0.1:${rx.port + 1}/hook` } });
    expect(other.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/alerts/subscriptions', headers: auth, payload: { url: 'ftp://x/y' } })).statusCode).toBe(400);
  });

  it('delivers signed alerts to a receiver that fails twice, once each', async () => {
    const sub = await t.app.inject({ method: 'POST', url: '/api/alerts/subscriptions', headers: auth, payload: { url: `http://127.0.0.1:${rx.port}/hook`, regions: ['5107909'], kinds: ['dry-spell'] } });
    expect(sub.statusCode).toBe(201);
    const { secret, id } = sub.json();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const expected = (await t.app.inject({ url: '/api/alerts?region=5107909&kind=dry-spell' })).json().numberMatched;

    const d = await t.app.inject({ method: 'POST', url: '/api/alerts/dispatch', headers: auth });
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({ subscriptions: 1, delivered: expected, failed: [] });
    // two 500s, then every alert once
    expect(rx.got.map((g) => g.status)).toEqual([500, 500, ...Array(expected).fill(200)]);
    expect(rx.got[0]!.headers['x-granary-delivery']).toBe(rx.got[2]!.headers['x-granary-delivery']);
    for (const g of rx.got) {
      const sig = createHmac('sha256', secret).update(`${g.headers['x-granary-timestamp']}.${g.body}`).digest('hex');
      expect(g.headers['x-granary-signature-256']).toBe(`sha256=${sig}`);
      const sent = JSON.parse(g.body).alert;
      expect(sent.regionId).toBe('5107909');
      expect(sent.code).toMatch(/^dry-spell/);
      expect(sent.text.pt.title).toMatch(/^Veranico de/);
      expect(sent.text.en.title).toMatch(/^Dry spell of/);
    }
    // nothing new: nothing sent again
    const again = await t.app.inject({ method: 'POST', url: '/api/alerts/dispatch', headers: auth });
    expect(again.json().delivered).toBe(0);
    expect(rx.got).toHaveLength(2 + expected);
    const subs = (await t.app.inject({ url: '/api/alerts/subscriptions', headers: auth })).json().subscriptions;
    expect(subs).toEqual([expect.objectContaining({ id, delivered: expected, failed: 0 })]);
    expect(JSON.stringify(subs)).not.toContain(secret);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/alerts/subscriptions/${id}`, headers: auth })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/alerts/subscriptions/${id}`, headers: auth })).statusCode).toBe(404);
  });

  it('rejects bad queries with problem+json', async () => {
    for (const url of ['/api/alerts?kind=flood', '/api/alerts?since=yesterday', '/api/alerts?region=12']) {
      const r = await t.app.inject({ url });
      expect(r.statusCode, url).toBe(400);
      expect(r.headers['content-type']).toMatch(/problem\+json/);
    }
  });
});
