/**
 * Byte sources for COGs: one small interface, a local-file and an HTTP(S) range implementation.
 *
 * Every path and URL is checked here: local files only inside the configured data directories,
 * remote URLs only to allowlisted hosts (no server-side request forgery to internal addresses).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { LookupAddress } from 'node:dns';
import { createRequire } from 'node:module';
import { BlockList, isIP } from 'node:net';
import type { Agent as HttpAgent, IncomingHttpHeaders, RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { GranaryError } from '../errors.js';

/**
 * Node's HTTP, HTTPS, TLS and DNS modules, loaded with the first remote source. Every worker child
 * loads this module and most read only local files: requiring these at its start was ~27 of the
 * ~40 ms its bundle spent loading Node's built-in modules (--cpu-prof of a child at start).
 */
interface Remote {
  http: typeof import('node:http');
  https: typeof import('node:https');
  tls: typeof import('node:tls');
  dns: typeof import('node:dns');
}
let remote: Remote | null = null;
function remoteModules(): Remote {
  if (!remote) {
    const load = createRequire(import.meta.url);
    remote = { http: load('node:http') as Remote['http'], https: load('node:https') as Remote['https'], tls: load('node:tls') as Remote['tls'], dns: load('node:dns') as Remote['dns'] };
  }
  return remote;
}

export interface Source {
  /** Stable identity used in cache keys (path or URL plus a version: mtime/size or ETag). */
  readonly key: string;
  readonly size: number;
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface SourcePolicy {
  /** Directories local files may be read from (absolute). */
  readRoots: readonly string[];
  /** Allowed remote hosts (lower-case `host` or `host:port`). */
  remoteHosts: readonly string[];
  remoteTimeoutMs: number;
  /** extra CA certificates (PEM file, NODE_EXTRA_CA_CERTS) trusted besides Node's own for remote COGs */
  extraCaFile?: string;
}

export const isRemote = (href: string) => /^https?:\/\//i.test(href);

/** True when `child` is `root` or inside it (after resolving symlinks where the path exists). */
function isInside(root: string, child: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const r = real(root);
  const c = real(child);
  const rel = relative(r, c);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
}

function assertReadablePath(path: string, policy: SourcePolicy): void {
  if (!isAbsolute(path)) throw new GranaryError('forbidden', `path must be absolute after resolution: ${path}`);
  if (!policy.readRoots.some((root) => isInside(root, path))) {
    throw new GranaryError('forbidden', `path is outside the data directories (${policy.readRoots.join(', ')}): ${path}`);
  }
}

/** Remote URLs must be http(s), carry no credentials and name an allowlisted host. */
export function assertAllowedUrl(href: string, policy: SourcePolicy): URL {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new GranaryError('bad-request', `not a valid URL: ${href.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new GranaryError('bad-request', `only http and https URLs are supported, got ${url.protocol}`);
  if (url.username || url.password) throw new GranaryError('bad-request', 'URLs with credentials are not accepted');
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  if (!policy.remoteHosts.includes(host) && !policy.remoteHosts.includes(hostname)) {
    throw new GranaryError('forbidden', `remote host "${host}" is not in GRANARY_REMOTE_HOSTS (allowed: ${policy.remoteHosts.join(', ') || 'none'})`);
  }
  return url;
}

/**
 * Addresses that are never fetched unless the address itself is allowlisted: loopback, private
 * (RFC 1918, unique-local), link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
 * "this network", multicast and reserved ranges.
 */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) INTERNAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) INTERNAL.addSubnet(net, bits, 'ipv6');

/** True for a loopback, private, link-local or otherwise non-public address (IPv4-mapped IPv6 included). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  if (family === 6) return INTERNAL.check(address, 'ipv6');
  return true; // not an address: refuse
}

/**
 * The allowlist is by host name; a name may still resolve to an internal address (by mistake or
 * by DNS rebinding). Such an address is accepted only when it is itself in GRANARY_REMOTE_HOSTS
 * (`10.0.0.5` or `10.0.0.5:9000`; IPv6 as `[fd00::5]:9000`). Checked on every connection, on the
 * addresses actually connected to.
 */
export function assertAllowedAddress(address: string, port: number, policy: SourcePolicy): void {
  if (!isInternalAddress(address)) return;
  const a = address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, '');
  const bracket = a.includes(':') ? `[${a}]` : a;
  const allowed = [a, bracket, `${bracket}:${port}`];
  if (allowed.some((x) => policy.remoteHosts.includes(x))) return;
  throw new GranaryError('forbidden', `remote host resolves to the internal address ${address}, which is not itself in GRANARY_REMOTE_HOSTS: refused (no requests to internal addresses)`);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup for http.request that refuses internal addresses at connect time. */
export function guardedLookup(policy: SourcePolicy, port: number) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, cb: LookupCallback) => {
    remoteModules().dns.lookup(hostname, { all: true, ...(typeof options.family === 'number' ? { family: options.family } : {}) }, (err, addresses) => {
      if (err) return cb(err, []);
      try {
        if (addresses.length === 0) throw new GranaryError('upstream-failed', `remote host ${hostname} has no address`);
        for (const a of addresses) assertAllowedAddress(a.address, port, policy);
      } catch (e) {
        return cb(e as NodeJS.ErrnoException, []);
      }
      if (options.all) return cb(null, addresses);
      cb(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Keep-alive connections (each one's address was checked by guardedLookup when it was opened). */
let httpAgentKept: HttpAgent | null = null;
const httpAgent = (): HttpAgent => (httpAgentKept ??= new (remoteModules().http.Agent)({ keepAlive: true, maxSockets: 32 }));
const httpsAgents = new Map<string, HttpsAgent>();
const extraCas = new Map<string, string[]>();

/**
 * The CAs an HTTPS connection under `policy` trusts: Node's own and the policy's extra CA file
 * (undefined: Node's default). Granary's processes start without NODE_EXTRA_CA_CERTS
 * (util/child-env.ts), so the file is read here, on the first connection that needs it.
 */
export function trustedCa(policy: SourcePolicy): string[] | undefined {
  const file = policy.extraCaFile;
  if (!file) return undefined;
  let ca = extraCas.get(file);
  if (!ca) {
    ca = [...remoteModules().tls.rootCertificates, readFileSync(file, 'utf8')];
    extraCas.set(file, ca);
  }
  return ca;
}

/** The keep-alive HTTPS agent for remote COGs under `policy` (its trusted CAs: trustedCa). */
function httpsAgent(policy: SourcePolicy): HttpsAgent {
  const key = policy.extraCaFile ?? '';
  let agent = httpsAgents.get(key);
  if (!agent) {
    const ca = trustedCa(policy);
    agent = new (remoteModules().https.Agent)({ keepAlive: true, maxSockets: 32, ...(ca ? { ca } : {}) });
    httpsAgents.set(key, agent);
  }
  return agent;
}

interface RangeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

const header = (h: IncomingHttpHeaders, name: string): string | null => {
  const v = h[name];
  return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
};

export class FileSource implements Source {
  private constructor(
    readonly key: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string, policy: SourcePolicy): Promise<FileSource> {
    assertReadablePath(path, policy);
    const st = await stat(path).catch(() => {
      throw new GranaryError('scene-unreadable', `file not found: ${path}`);
    });
    if (!st.isFile()) throw new GranaryError('scene-unreadable', `not a regular file: ${path}`);
    const handle = await open(path, 'r');
    return new FileSource(`${path}@${st.mtimeMs}:${st.size}`, st.size, handle);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new GranaryError('scene-unreadable', `invalid byte range ${offset}+${length}`);
    }
    if (offset + length > this.size) {
      throw new GranaryError('scene-unreadable', `the TIFF points past the end of the file (bytes ${offset}..${offset + length} of ${this.size}): truncated or corrupt`);
    }
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done < length) throw new GranaryError('scene-unreadable', `short read at ${offset}: the file changed or is truncated`);
    return buf;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

class HttpSource implements Source {
  private constructor(
    readonly key: string,
    readonly size: number,
    private readonly url: URL,
    private readonly policy: SourcePolicy,
  ) {}

  static async open(href: string, policy: SourcePolicy): Promise<HttpSource> {
    const url = assertAllowedUrl(href, policy);
    // Probe with a one-byte range: gives the size (Content-Range) and checks range support.
    const res = await HttpSource.fetchRange(url, 0, 1, policy);
    const range = header(res.headers, 'content-range');
    const total = range ? Number(range.split('/')[1]) : NaN;
    if (res.status !== 206 || !Number.isSafeInteger(total) || total <= 0) {
      throw new GranaryError('upstream-failed', `remote COG ${url.href} does not answer HTTP range requests (status ${res.status})`);
    }
    const version = header(res.headers, 'etag') ?? header(res.headers, 'last-modified') ?? '';
    return new HttpSource(`${url.href}@${version}:${total}`, total, url, policy);
  }

  /**
   * One range request with node:http(s): no redirects (a 3xx is a failure), the connected address
   * checked by guardedLookup, the whole exchange (connect, headers, body) bounded by
   * GRANARY_REMOTE_TIMEOUT_MS (504), and at most `length` bytes of body accepted.
   */
  private static fetchRange(url: URL, offset: number, length: number, policy: SourcePolicy, signal?: AbortSignal): Promise<RangeResponse> {
    const timeoutMs = policy.remoteTimeoutMs;
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal)) {
      try {
        assertAllowedAddress(literal, port, policy);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<RangeResponse>((resolvePromise, rejectPromise) => {
      let settled = false;
      const finish = (e: Error | null, v?: RangeResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (e) {
          req.destroy();
          rejectPromise(e);
        } else resolvePromise(v!);
      };
      const timer = setTimeout(() => finish(new GranaryError('upstream-timeout', `remote COG ${url.host} did not answer within ${timeoutMs} ms`)), timeoutMs);
      const onAbort = () => finish(new GranaryError('upstream-failed', `request to remote COG ${url.host} was cancelled`));
      const options: RequestOptions = {
        method: 'GET',
        headers: { Range: `bytes=${offset}-${offset + length - 1}`, 'User-Agent': 'granary', Accept: '*/*' },
        lookup: guardedLookup(policy, port) as unknown as RequestOptions['lookup'],
        agent: url.protocol === 'https:' ? httpsAgent(policy) : httpAgent(),
      };
      const req = (url.protocol === 'https:' ? remoteModules().https.request : remoteModules().http.request)(url, options, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          // never followed: the target could be anywhere (an internal address, another host)
          const to = header(res.headers, 'location') ?? '?';
          return finish(new GranaryError('forbidden', `remote COG ${url.host} redirects (${status} to ${to.slice(0, 200)}); redirects are not followed: register the final URL if its host is allowlisted`));
        }
        // A server that ignores Range may send the whole file: accept no more than asked for.
        const cap = status === 206 ? length : Math.min(length, 64 * 1024);
        const chunks: Buffer[] = [];
        let got = 0;
        res.on('data', (c: Buffer) => {
          got += c.length;
          if (got > cap) {
            if (status === 206) finish(new GranaryError('upstream-failed', `remote COG ${url.host} sent more than the ${length} bytes asked for`));
            else {
              finish(null, { status, headers: res.headers, body: new Uint8Array(0) });
              req.destroy();
            }
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => finish(null, { status, headers: res.headers, body: new Uint8Array(Buffer.concat(chunks)) }));
        res.on('error', (e) => finish(new GranaryError('upstream-failed', `remote COG ${url.host} failed: ${e.message}`)));
      });
      req.on('error', (e) => finish(e instanceof GranaryError ? e : new GranaryError('upstream-failed', `remote COG ${url.host} failed: ${e.message}`)));
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
      req.end();
    });
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new GranaryError('scene-unreadable', `invalid byte range ${offset}+${length}`);
    }
    if (length === 0) return new Uint8Array(0);
    if (offset + length > this.size) {
      throw new GranaryError('scene-unreadable', `the TIFF points past the end of the remote file (bytes ${offset}..${offset + length} of ${this.size})`);
    }
    const res = await HttpSource.fetchRange(this.url, offset, length, this.policy, signal);
    if (res.status !== 206) throw new GranaryError('upstream-failed', `remote COG answered ${res.status} to a range request`);
    if (res.body.length !== length) throw new GranaryError('upstream-failed', `remote COG returned ${res.body.length} bytes, expected ${length}`);
    return res.body;
  }

  async close(): Promise<void> {}
}

export async function openSource(href: string, policy: SourcePolicy): Promise<Source> {
  return isRemote(href) ? HttpSource.open(href, policy) : FileSource.open(href, policy);
}
