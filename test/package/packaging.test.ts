import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlerNames } from '../../cdk/handler-bundling';
import packageJson from '../../package.json';
import { closedEndpoint } from '../support/closed-port';

/**
 * The package as a user gets it: `npm run build`, `npm pack`, then `npm install` of the tarball into a
 * fresh project outside this repository (so nothing resolves from our node_modules), from the npm cache
 * when it has the packages (`--prefer-offline`). Plain `node` runs everything there: no tsx, no esbuild.
 */

/** What an install of the package alone (the SDK and the CLI; no peer dependencies) may weigh at most. */
const SDK_INSTALL_LIMIT = { packages: 30, bytes: 15_000_000 };

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(import.meta.dirname, 'consumer');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let work: string;
let consumer: string;
let tarballFiles: string[];

/** The environment of a user's shell: none of the variables `npm test` exports to its scripts. */
const userEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|NODE_OPTIONS$|VITEST)/.test(key)),
  );

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, args, { cwd, env: userEnv(), maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error
        ? fail(new Error(`${command} ${args.join(' ')} (in ${cwd}): ${error.message}\n${stderr}`))
        : done(stdout),
    );
  });
}

const node = (args: string[], cwd = consumer) => run(process.execPath, args, cwd);
const npmInstall = (specs: string[]) =>
  run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...specs],
    consumer,
  );
/** The version this repository's lock file installed, so the consumer's install is served from the cache. */
const lockedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** Packages (folders with a package.json right under a node_modules or @scope) and bytes of every file. */
function weigh(dir: string): { packages: number; bytes: number; names: string[] } {
  const names: string[] = [];
  let bytes = 0;
  const walk = (path: string, parentIsModules: boolean, scope = '') => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (!entry.isDirectory()) {
        bytes += lstatSync(full).size;
        continue;
      }
      const isScope = parentIsModules && entry.name.startsWith('@');
      if (parentIsModules && !isScope && existsSync(join(full, 'package.json')))
        names.push(`${scope}${entry.name}`);
      walk(full, isScope || entry.name === 'node_modules', isScope ? `${entry.name}/` : '');
    }
  };
  walk(join(dir, 'node_modules'), true);
  return { packages: names.length, bytes, names };
}

beforeAll(async () => {
  await run('npm', ['run', 'build'], ROOT);
  work = mkdtempSync(join(tmpdir(), 'sundial-package-'));
  const [packed] = JSON.parse(
    await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT),
  ) as { filename: string; files: { path: string }[] }[];
  tarballFiles = packed?.files.map((f) => f.path) ?? [];
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  cpSync(FIXTURE, consumer, { recursive: true });
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  await npmInstall([join(work, packed?.filename ?? 'missing.tgz')]);
}, 600_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', { timeout: 300_000 }, () => {
  it('holds the built entries, the bin, every handler in lambdas/, and no sources, tests or configs', () => {
    for (const file of tarballFiles) {
      expect(file).toMatch(
        /^(dist\/.+\.(js|cjs|mjs|d\.ts|d\.cts)|dist\/console\/(index\.html|assets\/[\w-]+\.(css|svg))|bin\/sundial\.mjs|package\.json|README\.md)$/,
      );
    }
    for (const entry of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/cli.js',
    ]) {
      expect(tarballFiles).toContain(entry);
    }
    for (const entry of [
      'dist/cdk/index.js',
      'dist/cdk/index.cjs',
      'dist/cdk/index.d.ts',
      'dist/cdk/index.d.cts',
    ]) {
      expect(tarballFiles).toContain(entry);
    }
    for (const name of handlerNames(join(ROOT, 'lambdas')))
      expect(tarballFiles).toContain(`dist/lambdas/${name}.mjs`);
  });

  it("holds the console's page and every file it names", () => {
    const html = readFileSync(
      join(consumer, 'node_modules', packageJson.name, 'dist/console/index.html'),
      'utf8',
    );
    const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => `dist/console/${m[1]}`);
    expect(named).toHaveLength(3);
    expect(tarballFiles).toEqual(expect.arrayContaining(['dist/console/index.html', ...named]));
  });
});

describe('an install of the package alone (SDK and CLI)', { timeout: 300_000 }, () => {
  it(`weighs less than ${SDK_INSTALL_LIMIT.packages} packages and ${SDK_INSTALL_LIMIT.bytes / 1e6} MB, with no server, CDK, tsx or esbuild`, () => {
    const { packages, bytes, names } = weigh(consumer);
    console.log(`SDK-only install: ${packages} packages, ${(bytes / 1e6).toFixed(1)} MB`);
    expect(packages).toBeLessThanOrEqual(SDK_INSTALL_LIMIT.packages);
    expect(bytes).toBeLessThan(SDK_INSTALL_LIMIT.bytes);
    expect(names).toContain(packageJson.name);
    const heavy =
      /^(aws-cdk-lib|constructs|esbuild|tsx|typescript|hono|@hono\/.*|@aws-sdk\/client-.*|@aws-sdk\/lib-dynamodb|@aws-lambda-powertools\/.*)$/;
    expect(names.filter((name) => heavy.test(name))).toEqual([]);
  });

  it('imports the SDK from plain Node, ESM and CommonJS', async () => {
    const endpoint = await closedEndpoint();
    const expected = { network: true, endpoint };
    expect(JSON.parse(await node(['sdk.mjs', endpoint]))).toEqual(expected);
    expect(JSON.parse(await node(['sdk.cjs', endpoint]))).toEqual(expected);
  });

  it('runs the installed CLI: sundial --version and --help, and npx sundial-scheduler', async () => {
    const bin = join(consumer, 'node_modules/.bin');
    expect(await run(join(bin, 'sundial'), ['--version'], consumer)).toBe(`${packageJson.version}\n`);
    expect(await run(join(bin, 'sundial'), ['--help'], consumer)).toMatch(/Usage: sundial[\s\S]*Examples:/);
    expect(await run('npx', ['--offline', 'sundial-scheduler', '--version'], consumer)).toBe(
      `${packageJson.version}\n`,
    );
    expect(await run(join(bin, 'sundial'), ['console', '--help'], consumer)).toMatch(
      /^Usage: sundial console \[options\][\s\S]*--port <n>[\s\S]*Examples:\n {2}\$ sundial console --endpoint/,
    );
  });

  it('serves the console from the installed package, from another working directory, and forwards its API calls', async () => {
    const upstream = await startHealthEndpoint();
    const outside = mkdtempSync(join(work, 'cwd-'));
    const child = spawn(
      join(consumer, 'node_modules/.bin/sundial'),
      ['console', '--endpoint', upstream.url, '--port', '0'],
      { cwd: outside, env: withoutAwsCredentials(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = once(child, 'exit');
    try {
      const url = await consoleUrl(child);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      const script = /src="([^"]+\.js)"/.exec(await page.text())?.[1] as string;
      expect((await fetch(new URL(script, url))).headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await (await fetch(new URL('/v1/health', url))).json()).toEqual({ status: 'ok' });
      expect(upstream.paths).toEqual(['/v1/health']);
    } finally {
      child.kill('SIGTERM');
      upstream.server.close();
    }
    expect((await exited)[0]).toBe(0);
  });
});

/** A user's environment where the default credential chain finds nothing (a local endpoint needs none). */
const withoutAwsCredentials = () => ({
  ...Object.fromEntries(Object.entries(userEnv()).filter(([key]) => !key.startsWith('AWS_'))),
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
});

/** A stand-in for the Sundial API that answers its health route and records what reached it. */
async function startHealthEndpoint(): Promise<{ url: string; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, paths, server };
}

/** The console URL `sundial console` prints once it listens. */
function consoleUrl(child: ReturnType<typeof spawn>): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((found, failed) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/console\//.exec(stdout);
      if (match) found(match[0]);
    });
    child.once('exit', (code) => failed(new Error(`sundial console exited ${code}: ${stderr}`)));
  });
}

describe('with the peer dependencies a CDK app brings', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    await npmInstall(
      ['aws-cdk-lib', 'constructs', '@types/node'].map((name) => `${name}@${lockedVersion(name)}`),
    );
  }, 600_000);

  // skipLibCheck is off under NodeNext: our declarations and what they pull in are checked whole. Bundler
  // repeats only the resolution and the consumer's code; the CDK app needs it on because aws-cdk-lib's own
  // declarations do not compile under exactOptionalPropertyTypes.
  it('type-checks TypeScript consumers: NodeNext (ESM and CJS), Bundler and a CDK app, all strict with exactOptionalPropertyTypes', async () => {
    const configs = ['tsconfig.nodenext.json', 'tsconfig.bundler.json', 'tsconfig.cdk.json'];
    await Promise.all(configs.map((config) => node([TSC, '-p', config])));
  });

  it('synthesizes a CDK app from node_modules alone, ESM and CommonJS, from another working directory', async () => {
    const outside = mkdtempSync(join(work, 'cwd-'));
    const esm = JSON.parse(await node([join(consumer, 'synth.mjs'), join(work, 'out-esm')], outside));
    const cjs = JSON.parse(await node([join(consumer, 'synth.cjs'), join(work, 'out-cjs')], outside));
    for (const { template } of [esm, cjs]) {
      const functions = Object.values(
        template.Resources as Record<string, { Type: string; Properties: { Handler: string } }>,
      )
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => r.Properties.Handler);
      expect(functions.sort()).toEqual([
        'api.handler',
        'fire.handler',
        'jobs.handler',
        'outcome.handler',
        'tick.handler',
      ]);
    }
    const assets = readdirSync(join(work, 'out-esm')).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    for (const name of handlerNames(join(ROOT, 'lambdas'))) {
      expect(existsSync(join(work, 'out-esm', assets[0] as string, `${name}.mjs`))).toBe(true);
    }
    expect(esm.invalid).toMatch(/^Sundial \(Invalid\/Sundial\): invalid props: shards: .*\(got "abc"\)$/);
    expect(existsSync(join(consumer, 'node_modules/esbuild'))).toBe(false);
  });
});
