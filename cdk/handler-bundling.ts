import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';

/**
 * How the handlers in lambdas/ are bundled: by `npm run build` into the package, and at synth in this
 * repository. All of them at once, as ESM with the code they share split into common chunks, so the
 * package carries the AWS SDK and the rest once rather than once per handler.
 */
export const HANDLER_BUNDLE: BuildOptions = {
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Without a package.json in the Lambda zip, only .mjs files are ESM to Node.
  outExtension: { '.js': '.mjs' },
  // The AWS SDK's ESM builds tree-shake better.
  mainFields: ['module', 'main'],
  minify: true,
  // No source maps: the functions never enabled them (--enable-source-maps), and every install would carry them.
  sourcemap: false,
  // Bundle our pinned SDK rather than the runtime's copy, so what runs is what the tests ran.
  external: [],
  // Some bundled CommonJS dependencies call require(); ESM output needs it defined.
  banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
};

/** Every file in lambdas/ is a handler, known by its file name: `tick` for lambdas/tick.ts. */
export function handlerNames(lambdasDir: string): string[] {
  return readdirSync(lambdasDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

/** Bundles every handler of `lambdasDir` into `outdir/<name>.mjs`, plus shared chunks and maps. */
export function bundleHandlers(lambdasDir: string, outdir: string): void {
  // esbuild is a devDependency of this repository: loaded only here, never when the package is imported.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const entryPoints = handlerNames(lambdasDir).map((name) => join(lambdasDir, `${name}.ts`));
  esbuild.buildSync({ ...HANDLER_BUNDLE, entryPoints, outdir });
}
