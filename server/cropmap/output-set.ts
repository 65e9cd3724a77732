/**
 * A crop map's files published as ONE set: the COG, its `.aux.xml` and `.json` sidecars and its
 * `.polygons.geojson` change together, by one rename, or not at all.
 *
 * Layout in the output directory (for `x.tif`):
 *
 *   .sets/x.<host>.<pid>.<rand>/x.tif, x.tif.aux.xml, x.json, x.polygons.geojson   one complete set
 *   x.current -> .sets/x.<...>        symlink: THE publication, replaced by one rename(2)
 *   x.tif -> x.current/x.tif          stable symlinks under the usual names (GDAL, QGIS and the
 *   x.tif.aux.xml, x.json,            service open these); created once, never rewritten
 *   x.polygons.geojson -> x.current/...
 *
 *   x.previous -> .sets/x.<...>       the set `x.current` pointed at before the last publication
 *
 * A set is written in full (each file fsynced, then the directory) before `x.current` points at it,
 * so a process killed at any moment leaves either the old set or the new one published, plus at
 * most an unreferenced partial set directory, which the next writer removes (`removeLeftovers`).
 * A reader that wants several files of one set resolves `x.current` once (`currentSetDir`, or
 * `publishedSet` for the paths of all four) and reads them from there; opening the usual names one
 * by one gives each file from the set current at that instant, which may differ between files.
 * The set a publication supersedes stays on disk (as `x.previous`) until the next publication, so
 * a reader that resolved it just before the switch can still open its files a while later (a zonal
 * task waiting in the bulk queue); the one before that is removed.
 *
 * Files from before this layout (plain files under the usual names) are first moved into a set of
 * their own by hard links, then each name becomes a symlink to the same content, so readers see the
 * old map throughout; only then is the new set published.
 */
import { link, lstat, mkdir, open, readdir, readlink, realpath, rename, rm, symlink, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const SET_DIR = '.sets';
/** The files of a set, by suffix after the stem (`x`), in the order they are written. */
const SET_SUFFIXES = ['.tif.aux.xml', '.json', '.polygons.geojson', '.tif'] as const;
type SetSuffix = (typeof SET_SUFFIXES)[number];

const HOST = hostname().replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40) || 'host';

function stemOf(out: string): string {
  return basename(out).replace(/\.tif$/, '');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeDurable(path: string, data: string | Uint8Array | string[]): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    // a list of strings is written piece by piece (a text too long for one string: polygon-file.ts)
    if (Array.isArray(data)) for (const piece of data) await fh.write(piece);
    else await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces (or creates) the symlink `path` -> `target` by one rename. */
async function replaceLink(path: string, target: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await symlink(target, tmp);
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

async function isLink(path: string): Promise<boolean | null> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return null; // absent
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The directory of the set `out` currently publishes, or null when none is published. */
export async function currentSetDir(out: string): Promise<string | null> {
  return realpath(join(dirname(out), `${stemOf(out)}.current`)).catch(() => null);
}

/** The set the last publication superseded (kept until the next one), or null. */
async function previousSetDir(out: string): Promise<string | null> {
  return realpath(join(dirname(out), `${stemOf(out)}.previous`)).catch(() => null);
}

/**
 * The paths of the four files of the set `out` publishes now, all in one set directory (resolved
 * once); null when `out` is not published as a set (plain files of the older layout: the caller
 * reads the usual names).
 */
export async function publishedSet(out: string): Promise<Record<SetSuffix, string> | null> {
  const set = await currentSetDir(out);
  if (!set) return null;
  const stem = stemOf(out);
  return Object.fromEntries(SET_SUFFIXES.map((s) => [s, join(set, stem + s)])) as Record<SetSuffix, string>;
}

/**
 * Removes what killed writers of `out` left: set directories that are not published and whose
 * writer (on this host) is gone, or that are older than a day (another host's), and temporary
 * links. A set being written by a live process is left alone.
 */
async function removeLeftovers(out: string): Promise<string[]> {
  const dir = dirname(out);
  const stem = stemOf(out);
  const removed: string[] = [];
  const current = await currentSetDir(out);
  const previous = await previousSetDir(out);
  const sets = join(dir, SET_DIR);
  const ours = new RegExp(`^${escape(stem)}\\.([A-Za-z0-9-]+)\\.(\\d+)\\.[0-9a-f]{8}$`);
  for (const name of await readdir(sets).catch(() => [] as string[])) {
    const m = ours.exec(name);
    if (!m) continue;
    const path = join(sets, name);
    const real = await realpath(path).catch(() => path);
    if (real === current || real === previous) continue;
    const [, host, pid] = m;
    const age = Date.now() - (await lstat(path)).mtimeMs;
    const gone = host === HOST ? Number(pid) !== process.pid && !alive(Number(pid)) : age > 86_400_000;
    if (!gone) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  const tmp = new RegExp(`^\\.${escape(stem)}\\.(?:current|previous)\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = tmp.exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      await unlink(join(dir, name)).catch(() => undefined);
      removed.push(join(dir, name));
    }
  }
  return removed;
}

/**
 * `removeLeftovers` for every crop map of `dir` that has a set (published or not): the service
 * runs it at start, so a run killed while writing leaves nothing behind past the next start.
 */
export async function removeLeftoversIn(dir: string): Promise<string[]> {
  const stems = new Set<string>();
  for (const name of await readdir(join(dir, SET_DIR)).catch(() => [] as string[])) {
    const m = /^(.+)\.[A-Za-z0-9-]+\.\d+\.[0-9a-f]{8}$/.exec(name);
    if (m) stems.add(m[1]!);
  }
  const removed: string[] = [];
  for (const stem of stems) removed.push(...(await removeLeftovers(join(dir, `${stem}.tif`))));
  return removed;
}

/** Moves plain files under the usual names (older layout, bundled fixtures) into a set, without changing what readers see. */
async function adoptPlainFiles(out: string, setsDir: string): Promise<void> {
  const dir = dirname(out);
  const stem = stemOf(out);
  const plain: SetSuffix[] = [];
  for (const s of SET_SUFFIXES) if ((await isLink(join(dir, stem + s))) === false) plain.push(s);
  if (plain.length === 0) return;
  const legacy = join(setsDir, `${stem}.${HOST}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await mkdir(legacy);
  for (const s of plain) await link(join(dir, stem + s), join(legacy, stem + s));
  await fsyncPath(legacy);
  await replaceLink(join(dir, `${stem}.current`), join(SET_DIR, basename(legacy)));
  for (const s of plain) await replaceLink(join(dir, stem + s), join(`${stem}.current`, stem + s));
  await fsyncPath(dir);
}

/**
 * Publishes `files` (every suffix of SET_SUFFIXES) as the set of `out`. `onSetDir` is told the
 * directory being written (a signal handler can remove it), then null once it is published.
 */
export async function publishSet(out: string, files: Record<SetSuffix, string | Uint8Array | string[]>, onSetDir?: (dir: string | null) => void): Promise<{ setDir: string }> {
  const dir = dirname(out);
  const stem = stemOf(out);
  await mkdir(join(dir, SET_DIR), { recursive: true });
  await removeLeftovers(out);
  const setsDir = join(dir, SET_DIR);
  await adoptPlainFiles(out, setsDir);
  const previous = await currentSetDir(out);
  const older = await previousSetDir(out);
  const setDir = join(setsDir, `${stem}.${HOST}.${process.pid}.${randomBytes(4).toString('hex')}`);
  onSetDir?.(setDir);
  await mkdir(setDir);
  for (const s of SET_SUFFIXES) await writeDurable(join(setDir, stem + s), files[s]);
  await fsyncPath(setDir);
  await fsyncPath(setsDir);
  // the publication: one rename
  await replaceLink(join(dir, `${stem}.current`), join(SET_DIR, basename(setDir)));
  onSetDir?.(null); // published: no longer a partial set to remove on interrupt
  await fsyncPath(dir);
  // stable names (first publication, or a name that is missing or not ours)
  for (const s of SET_SUFFIXES) {
    const name = join(dir, stem + s);
    const want = join(`${stem}.current`, stem + s);
    if ((await isLink(name)) !== true || (await readlink(name)) !== want) await replaceLink(name, want);
  }
  // the superseded set stays readable until the next publication; the one before it goes
  const published = await realpath(setDir);
  if (previous && previous !== published) await replaceLink(join(dir, `${stem}.previous`), join(SET_DIR, basename(previous)));
  if (older && older !== previous && older !== published) await rm(older, { recursive: true, force: true });
  return { setDir };
}
