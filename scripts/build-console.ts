// Builds the console (console/src, Preact) into static assets that Sundial serves: index.html plus one
// script and one stylesheet with content hashes in their names. Run from sources by `npm start`,
// `npm test` (global setup) and `npm run build:console`; a package build calls buildConsole(outDir).
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CONSOLE_ASSETS_DIR } from '../lib/console/assets';

const SOURCE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

/** Bundles the console into `outDir` (emptied first); resolves to the names of the files written. */
export async function buildConsole(outDir: string = CONSOLE_ASSETS_DIR): Promise<string[]> {
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(SOURCE_DIR, 'src/main.tsx')],
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(SOURCE_DIR, 'tsconfig.json'),
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = outputs.find((name) => name.endsWith('.js'));
  const style = outputs.find((name) => name.endsWith('.css'));
  if (!script || !style) throw new Error(`console build: expected a script and a stylesheet, got ${outputs}`);
  const iconBody = await readFile(join(SOURCE_DIR, 'favicon.svg'));
  const icon = `favicon-${createHash('sha256').update(iconBody).digest('hex').slice(0, 8)}.svg`;
  await writeFile(join(outDir, 'assets', icon), iconBody);
  const template = await readFile(join(SOURCE_DIR, 'index.html'), 'utf8');
  const html = template
    .replace('%SCRIPT%', `assets/${script}`)
    .replace('%STYLE%', `assets/${style}`)
    .replace('%ICON%', `assets/${icon}`);
  await writeFile(join(outDir, 'index.html'), html);
  return ['index.html', ...[...outputs, icon].map((name) => `assets/${name}`)];
}

/** `main-X.js 41.2 KB (gzip 14.9 KB)` for each file: what a browser downloads on a first visit. */
async function sizes(outDir: string, files: string[]): Promise<string> {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const lines = await Promise.all(
    files.map(async (name) => {
      const body = await readFile(join(outDir, name));
      return `  ${name}  ${kb(body.length)} (gzip ${kb(gzipSync(body).length)})`;
    }),
  );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? CONSOLE_ASSETS_DIR;
  const files = await buildConsole(out);
  console.log(`sundial: console built into ${out}\n${await sizes(out, files)}`);
}
