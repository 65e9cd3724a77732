/**
 * Signed webhook delivery: POST the JSON body with
 *   X-Granary-Signature-256: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *   X-Granary-Timestamp: <unix seconds>   (signed with the body, so a captured request cannot be replayed later)
 *   X-Granary-Event: alert, X-Granary-Delivery: <alert id>
 * only to allowlisted hosts (GRANARY_WEBHOOK_HOSTS), with the SSRF checks of remote COG reads: the host
 * must be in the list, and an internal address it resolves to must itself be listed (checked at
 * connect time). Redirects are not followed. Retries on network errors, timeouts, 408, 429 and 5xx, with
 * exponential backoff and full jitter; other 4xx are final.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { assertAllowedUrl, guardedLookup, trustedCa, type SourcePolicy } from '../../raster/source.js';

function signature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

interface PostResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  retryable: boolean;
}

async function postOnce(url: string, body: string, headers: Record<string, string>, policy: SourcePolicy, timeoutMs: number): Promise<PostResult> {
  let u: URL;
  try {
    u = assertAllowedUrl(url, policy);
  } catch (e) {
    return { ok: false, status: null, error: (e as Error).message, retryable: false };
  }
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const https = u.protocol === 'https:';
  const request = https ? httpsRequest : httpRequest;
  // the extra CA file (GRANARY_EXTRA_CA_CERTS) too: this process starts without NODE_EXTRA_CA_CERTS
  const ca = https ? trustedCa(policy) : undefined;
  return new Promise((resolve) => {
    const req = request(u, { ...(ca ? { ca } : {}), method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Granary-Webhook/1', ...headers }, lookup: guardedLookup(policy, port) as never, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => {
        const s = res.statusCode ?? 0;
        const ok = s >= 200 && s < 300;
        resolve({ ok, status: s, error: ok ? null : `receiver answered ${s}${s >= 300 && s < 400 ? ' (redirects are not followed)' : ''}`, retryable: s === 408 || s === 429 || s >= 500 });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, status: null, error: e.message, retryable: !/not in GRANARY_|internal address/.test(e.message) }));
    req.end(body);
  });
}

export interface RetryOptions {
  /** attempts in all (default 5) */
  attempts: number;
  /** first backoff in ms (default 1000), doubled each time, full jitter */
  baseMs: number;
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export async function deliverWithRetry(url: string, secret: string, payload: unknown, headers: Record<string, string>, policy: SourcePolicy, opts: RetryOptions): Promise<PostResult & { attempts: number }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const body = JSON.stringify(payload);
  let last: PostResult = { ok: false, status: null, error: 'not attempted', retryable: true };
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    const ts = String(Math.floor(Date.now() / 1000));
    last = await postOnce(url, body, { ...headers, 'x-granary-timestamp': ts, 'x-granary-signature-256': signature(secret, ts, body) }, policy, opts.timeoutMs);
    if (last.ok || !last.retryable) return { ...last, attempts: attempt };
    if (attempt < opts.attempts) await sleep(Math.round(random() * opts.baseMs * 2 ** (attempt - 1)));
  }
  return { ...last, attempts: opts.attempts };
}
