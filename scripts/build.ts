import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { bundleHandlers, handlerNames } from '../cdk/handler-bundling';

/**
 * `npm run build` (and `npm pack` through `prepack`): the package's dist/ from the sources.
 * - the SDK (`.`) and the construct (`./cdk`) as ESM and CommonJS, with one bundled `.d.ts`/`.d.cts` each,
 *   so consumers resolve no extensionless import of ours (NodeNext) and see only the public types;
 * - the CLI as one ESM file for bin/sundial.mjs;
 * - every handler in lambdas/ pre-bundled at dist/lambdas/<name>.mjs (with shared chunks), where the
 *   construct finds it.
 * Our own code is bundled; packages stay imports, and each must be a dependency or peer dependency.
 */
const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const ENTRIES = { index: 'lib/index.ts', 'cdk/index': 'cdk/index.ts' };
const CLI_ENTRY = { cli: 'lib/cli/main.ts' };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

const LIBRARY = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir: DIST,
  metafile: true as const,
  logLevel: 'warning',
} satisfies BuildOptions;

/** CommonJS has no import.meta: the construct locates its handlers from its own file name instead. */
const CJS_SHIM = {
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

async function buildJavaScript(): Promise<Record<string, Metafile>> {
  const esm = await build({ ...LIBRARY, entryPoints: { ...ENTRIES, ...CLI_ENTRY }, format: 'esm' });
  const cjs = await build({
    ...LIBRARY,
    ...CJS_SHIM,
    entryPoints: ENTRIES,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
  return { esm: esm.metafile, cjs: cjs.metafile };
}

/** One declaration file per entry, copied as `.d.cts` for the `require` condition. */
async function buildDeclarations(): Promise<void> {
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const bundle = await rollup({
      input: join(ROOT, entry),
      plugins: [dts({ tsconfig: join(ROOT, 'tsconfig.json') })],
    });
    const file = join(DIST, `${name}.d.ts`);
    await bundle.write({ file, format: 'es' });
    await bundle.close();
    copyFileSync(file, join(DIST, `${name}.d.cts`));
  }
}

/** Every file in lambdas/ is a handler: adding one needs no change here or in the construct's lookup. */
function buildHandlers(): string[] {
  bundleHandlers(join(ROOT, 'lambdas'), join(DIST, 'lambdas'));
  return handlerNames(join(ROOT, 'lambdas'));
}

/** A bare import the package does not declare would fail for its users (devDependencies are not installed). */
function checkImports(metafiles: Record<string, Metafile>): void {
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
  ]);
  const builtin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec);
  const packageOf = (spec: string) =>
    spec
      .split('/')
      .slice(0, spec.startsWith('@') ? 2 : 1)
      .join('/');
  const problems: string[] = [];
  for (const metafile of Object.values(metafiles)) {
    for (const [output, { imports }] of Object.entries(metafile.outputs)) {
      const sdk = output.endsWith('dist/index.js') || output.endsWith('dist/index.cjs');
      for (const { path, external } of imports) {
        if (!external || builtin(path)) continue;
        const name = packageOf(path);
        if (!declared.has(name)) problems.push(`${output} imports ${path}, which is not a dependency`);
        // The SDK stays lean: nothing of the construct (or of anything a peer dependency brings).
        if (sdk && name in (pkg.peerDependencies ?? {})) problems.push(`${output} (the SDK) imports ${path}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`build: ${problems.join('\n')}`);
}

rmSync(DIST, { recursive: true, force: true });
const metafiles = await buildJavaScript();
checkImports(metafiles);
await buildDeclarations();
const handlers = buildHandlers();
console.log(`built ${DIST}: SDK, construct, CLI and handlers ${handlers.join(', ')}`);
