import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:console` writes the console's static files (gitignored), beside these sources. */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/**
 * Where the built console is looked for: in `console/` beside the running module (a bundled CLI in a
 * package, e.g. dist/cli.js with dist/console/), then where the sources build it.
 */
export const CONSOLE_ASSETS_DIRS = [
  fileURLToPath(new URL('./console/', import.meta.url)),
  CONSOLE_ASSETS_DIR,
];

export interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

/** The built console, by path under /console/ (`index.html`, `assets/main-HASH.js`, …). */
export type ConsoleAssets = Map<string, Asset>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The build writes index.html and assets/*: two levels, no deeper. */
async function filesUnder(dir: string): Promise<string[]> {
  const top = await readdir(dir);
  const nested = await readdir(join(dir, 'assets')).catch(() => []);
  return [...top.filter((name) => name !== 'assets'), ...nested.map((name) => `assets/${name}`)].map((name) =>
    join(dir, name),
  );
}

/**
 * Reads the built console into memory (a few tens of KB) from the first of `dirs` that has it, so serving
 * it never touches the file system and no request path can reach a file outside it. Resolves to
 * undefined when it has not been built.
 */
export async function loadConsoleAssets(
  dirs: string | readonly string[] = CONSOLE_ASSETS_DIRS,
): Promise<ConsoleAssets | undefined> {
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    const assets = await loadFrom(dir);
    if (assets) return assets;
  }
  return undefined;
}

async function loadFrom(dir: string): Promise<ConsoleAssets | undefined> {
  const files = await filesUnder(dir).catch(() => []);
  if (!files.some((file) => relative(dir, file) === 'index.html')) return undefined;
  const assets: ConsoleAssets = new Map();
  for (const file of files) {
    const body = await readFile(file);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(relative(dir, file).split('\\').join('/'), { body, type, etag });
  }
  return assets;
}
