import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { bundleHandlers, handlerNames } from '../cdk/handler-bundling';
import { buildConsole } from './build-console';

/**
 * `npm run build` (and `npm pack` through `prepack`): the package's dist/ from the sources.
 * - the SDK (`.`) and the construct (`./cdk`) as ESM and CommonJS, with one bundled `.d.ts`/`.d.cts` each,
 *   so consumers resolve no extensionless import of ours (NodeNext) and see only the public types;
 * - the CLI as one ESM file for bin/sundial.mjs, with the HTTP server `sundial console` runs bundled in;
 * - the console's page at dist/console/, where the bundled CLI finds it (next to dist/cli.js);
 * - every handler in lambdas/ pre-bundled at dist/lambdas/<name>.mjs (with shared chunks), where the
 *   construct finds it.
 * Our own code is bundled; packages stay imports, and each must be a dependency or peer dependency.
 */
const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const ENTRIES = { index: 'lib/index.ts', 'cdk/index': 'cdk/index.ts' };
const CLI_ENTRY = { cli: 'lib/cli/main.ts' };
/**
 * Bundled into dist/cli.js rather than dependencies: only `sundial console` needs them, and as packages
 * they would add 4 MB (hono's every adapter and helper) to every install of the SDK.
 */
const BUNDLED_IN_CLI = new Set(['hono', '@hono/node-server']);
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

const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/** Like `packages: 'external'`, except for the packages in BUNDLED_IN_CLI. */
const externalExceptBundled: Plugin = {
  name: 'external-except-bundled',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, ({ path }) =>
      BUNDLED_IN_CLI.has(packageOf(path)) ? undefined : { path, external: true },
    );
  },
};

async function buildJavaScript(): Promise<Record<string, Metafile>> {
  const esm = await build({ ...LIBRARY, entryPoints: ENTRIES, format: 'esm' });
  const { packages: _, ...cliOptions } = LIBRARY;
  const cli = await build({
    ...cliOptions,
    plugins: [externalExceptBundled],
    entryPoints: CLI_ENTRY,
    format: 'esm',
  });
  const cjs = await build({
    ...LIBRARY,
    ...CJS_SHIM,
    entryPoints: ENTRIES,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
  return { esm: esm.metafile, cli: cli.metafile, cjs: cjs.metafile };
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

/** `dist/cli.js 117.7 KB, of which hono and @hono/node-server 48.1 KB`: what bundling them costs. */
function cliWeight(metafile: Metafile): string {
  const [file, output] = Object.entries(metafile.outputs)[0] ?? [];
  const bundled = Object.entries(output?.inputs ?? {})
    .filter(([input]) => [...BUNDLED_IN_CLI].some((name) => input.startsWith(`node_modules/${name}/`)))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return `${file} ${kb(output?.bytes ?? 0)}, of which ${[...BUNDLED_IN_CLI].join(' and ')} ${kb(bundled)}`;
}

rmSync(DIST, { recursive: true, force: true });
const metafiles = await buildJavaScript();
checkImports(metafiles);
await buildDeclarations();
const handlers = buildHandlers();
const page = await buildConsole(join(DIST, 'console'));
console.log(
  `built ${DIST}: SDK, construct, CLI, handlers ${handlers.join(', ')} and the console (${page.length} files)\n${cliWeight(metafiles.cli as Metafile)}`,
);
