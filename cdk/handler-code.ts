import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { bundleHandlers } from './handler-bundling';

/**
 * Where the handlers are, relative to this module (never to the working directory). In the published
 * package this module is bundled into dist/cdk/ and the handlers are pre-bundled in dist/lambdas/
 * (`<name>.mjs` and shared chunks); in this repository it is cdk/handler-code.ts and lambdas/<name>.ts are
 * the sources, bundled at synth the same way.
 */
const LAMBDAS = resolve(dirname(fileURLToPath(import.meta.url)), '../lambdas');

/**
 * The code and handler setting of the handler `name` (the file name of lambdas/<name>.ts). Every function
 * shares one asset holding all handlers: CDK uploads it once, and each function loads only its own entry.
 */
export function lambdaHandler(name: string): { code: Code; handler: string } {
  const handler = `${name}.handler`;
  if (existsSync(join(LAMBDAS, `${name}.mjs`))) return { code: Code.fromAsset(LAMBDAS), handler };
  if (!existsSync(join(LAMBDAS, `${name}.ts`))) {
    throw new Error(`Sundial: no handler '${name}': neither ${name}.mjs nor ${name}.ts is in ${LAMBDAS}`);
  }
  const code = Code.fromAsset(LAMBDAS, {
    assetHashType: AssetHashType.OUTPUT,
    // Bundling always happens locally (tryBundle never declines), so this image is never pulled.
    bundling: { image: DockerImage.fromRegistry('sundial-local-bundling'), local: new LocalBundling() },
  });
  return { code, handler };
}

/** esbuild in this process; CDK's asset cache makes it one bundling per synth for all functions. */
class LocalBundling implements ILocalBundling {
  tryBundle(outputDir: string): boolean {
    bundleHandlers(LAMBDAS, outputDir);
    return true;
  }
}
