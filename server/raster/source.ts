/**
 * Byte sources for COGs: one small interface, a local-file and an HTTP(S) range implementation.
 *
 * Every path and URL is checked here: local files only inside the configured data directories,
 * remote URLs only to allowlisted hosts (no server-side request forgery to internal addresses).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { GranaryError } from '../errors.js';

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
}

export const isRemote = (href: string) => /^https?:\/\//i.test(href);

/** True when `child` is `root` or inside it (after resolving symlinks where the path exists). */
export function isInside(root: string, child: string): boolean {
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

export function assertReadablePath(path: string, policy: SourcePolicy): void {
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
    throw new GranaryError('bad-request', `not a valid URL: ${href}`);
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

export class HttpSource implements Source {
  private constructor(
    readonly key: string,
    readonly size: number,
    private readonly url: URL,
    private readonly timeoutMs: number,
  ) {}

  static async open(href: string, policy: SourcePolicy): Promise<HttpSource> {
    const url = assertAllowedUrl(href, policy);
    // Probe with a one-byte range: gives the size (Content-Range) and checks range support.
    const res = await HttpSource.fetchRange(url, 0, 1, policy.remoteTimeoutMs);
    const range = res.headers.get('content-range');
    const total = range ? Number(range.split('/')[1]) : NaN;
    if (res.status !== 206 || !Number.isFinite(total)) {
      throw new GranaryError('upstream-failed', `remote COG ${url.href} does not answer HTTP range requests (status ${res.status})`);
    }
    await res.arrayBuffer();
    const version = res.headers.get('etag') ?? res.headers.get('last-modified') ?? '';
    return new HttpSource(`${url.href}@${version}:${total}`, total, url, policy.remoteTimeoutMs);
  }

  private static async fetchRange(url: URL, offset: number, length: number, timeoutMs: number, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` }, signal: combined, redirect: 'error' });
    } catch (e) {
      if (timeout.aborted) throw new GranaryError('upstream-timeout', `remote COG ${url.host} did not answer within ${timeoutMs} ms`);
      throw new GranaryError('upstream-failed', `remote COG ${url.host} failed: ${(e as Error).message}`);
    }
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (offset + length > this.size) {
      throw new GranaryError('scene-unreadable', `the TIFF points past the end of the remote file (bytes ${offset}..${offset + length} of ${this.size})`);
    }
    const res = await HttpSource.fetchRange(this.url, offset, length, this.timeoutMs, signal);
    if (res.status !== 206) throw new GranaryError('upstream-failed', `remote COG answered ${res.status} to a range request`);
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.length !== length) throw new GranaryError('upstream-failed', `remote COG returned ${buf.length} bytes, expected ${length}`);
    return buf;
  }

  async close(): Promise<void> {}
}

export async function openSource(href: string, policy: SourcePolicy): Promise<Source> {
  return isRemote(href) ? HttpSource.open(href, policy) : FileSource.open(href, policy);
}
