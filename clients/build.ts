/**
 * Builds the browser pages with Vite into dist/pages/<page>/: the homepage page, the
 * merchant mini-program page, the merchant console and the playground (GraphiQL, every asset bundled from
 * npm). Runs before `npm start` and `npm test`; it rebuilds only when a source file,
 * the lockfile or this script changed (dist/pages/build-stamp.json holds the hash of
 * what was built), so a fresh clone builds once and later runs start at once.
 *
 *   npm run build:pages [-- --force]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The pages, each a Vite app in clients/<name>/, served by the gateway at /<name>/. */
export const PAGES = ['homepage', 'miniprogram', 'console', 'playground'] as const;
export type PageName = (typeof PAGES)[number];

/** Where the built pages go (git-ignored). */
export const PAGES_DIR = path.join(root, 'dist', 'pages');

const STAMP = 'build-stamp.json';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** A hash of everything the built pages depend on. */
export function sourcesHash(): string {
  const files = [
    ...[...PAGES, 'shared'].flatMap((dir) => filesUnder(path.join(root, 'clients', dir))),
    path.join(root, 'package-lock.json'),
    fileURLToPath(import.meta.url),
  ].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(root, file));
    hash.update(fs.readFileSync(file));
  }
  return hash.digest('hex');
}

/** True when dist/pages holds a build of the current sources. */
export function pagesAreCurrent(outDir = PAGES_DIR): boolean {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, STAMP), 'utf8')).hash === sourcesHash();
  } catch {
    return false;
  }
}

/** Builds every page unless the current sources are already built; returns whether it built. */
export async function buildPages(options: { outDir?: string; force?: boolean } = {}): Promise<boolean> {
  const outDir = options.outDir ?? PAGES_DIR;
  if (!options.force && pagesAreCurrent(outDir)) return false;
  const release = await lock(`${outDir}.lock`);
  try {
    // another process may have built them while this one waited
    if (!options.force && pagesAreCurrent(outDir)) return false;
    await buildInto(outDir);
    return true;
  } finally {
    release();
  }
}

/** Holds a lock directory while building, so parallel test files build once; a lock older than 5 minutes is stale. */
async function lock(dir: string): Promise<() => void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(dir);
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = fs.statSync(dir, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 5 * 60_000) fs.rmSync(dir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function buildInto(outDir: string): Promise<void> {
  const hash = sourcesHash();
  const { build } = await import('vite');
  // build beside the target, then swap, so a server never serves a half-written page
  const staging = `${outDir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  for (const page of PAGES) {
    await build({
      configFile: false,
      root: path.join(root, 'clients', page),
      base: `/${page}/`,
      logLevel: 'warn',
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      build: {
        outDir: path.join(staging, page),
        emptyOutDir: true,
        chunkSizeWarningLimit: 4096,
        reportCompressedSize: false,
        rollupOptions: {
          // React libraries mark files "use client"; it means nothing in a plain bundle
          onwarn(warning, warn) {
            if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
          },
        },
      },
    });
  }
  fs.writeFileSync(path.join(staging, STAMP), JSON.stringify({ hash, builtAt: new Date().toISOString() }, null, 2));
  const old = `${outDir}.old-${process.pid}`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
  fs.renameSync(staging, outDir);
  fs.rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.env.NODE_ENV === 'production') {
    console.log('Pages are not built in production (the playground and the demo pages are development tools).');
  } else {
    const started = Date.now();
    const built = await buildPages({ force: process.argv.includes('--force') });
    console.log(built ? `Built the Plaza pages into ${path.relative(root, PAGES_DIR)}/ in ${((Date.now() - started) / 1000).toFixed(1)}s` : 'Plaza pages are up to date');
  }
}
