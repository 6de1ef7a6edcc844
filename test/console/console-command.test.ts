import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConsoleStartError, startConsole } from '../../lib/console/start';
import type { LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { launchBrowser } from '../support/browser';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';
import { stubNoAwsCredentials } from '../support/no-aws-credentials';
import { runCli as cli } from '../support/run-cli';
import { type SigV4Endpoint, startSigV4Endpoint } from '../support/sigv4-endpoint';

const BIN = resolve('bin/sundial.mjs');
// Made-up temporary credentials, given to the CLI the way the default chain reads them first.
const CREDENTIALS = {
  accessKeyId: 'AKIDCLICONSOLE',
  secretAccessKey: 'cli-console-secret-key-9876543210',
  sessionToken: 'cli-console-session-token',
};
const REGION = 'eu-west-1';
/** No shared config, no instance metadata: only what a test puts in the environment. */
const ISOLATED_AWS = {
  AWS_CONFIG_FILE: '/nonexistent/sundial-test-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/sundial-test-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
let cloud: LocalCloud;
let endpoint: SigV4Endpoint;
let browser: Browser;

beforeAll(async () => {
  cloud = await startTestCloud('console-command', clock, [] as DeliveryEvent[]);
  endpoint = await startSigV4Endpoint({ credentials: CREDENTIALS, region: REGION, upstream: cloud.apiUrl });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await endpoint?.close();
  await cloud?.stop();
});

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...ISOLATED_AWS, ...extra };
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** Starts `sundial console` and resolves with the console URL it prints. */
async function startCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'console', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((found, failed) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\/console\//.exec(stdout);
      if (match) found(match[0]);
    });
    child.once('exit', (code) => failed(new Error(`sundial console exited ${code}: ${stderr}`)));
  });
  expect(stdout).toContain('signed with SigV4 (execute-api, eu-west-1) from the default credential chain');
  return { child, url };
}

describe('sundial console --endpoint', { timeout: 120_000 }, () => {
  it('serves the console on 127.0.0.1 and signs what it forwards; the browser holds no credential', async () => {
    const env = environment({
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
    });
    const { child, url } = await startCommand(
      ['--endpoint', endpoint.url, '--region', REGION, '--port', '0'],
      env,
    );
    const exited = once(child, 'exit');
    const page: Page = await browser.newPage();
    const seen: Record<string, string>[] = [];
    page.on('request', (request) => void request.allHeaders().then((headers) => seen.push(headers)));
    page.on('response', (response) => void response.allHeaders().then((headers) => seen.push(headers)));
    try {
      await page.goto(`${url}#/new`);
      await page.getByLabel('Id', { exact: true }).fill('through-the-proxy');
      await page.getByLabel('Target function').fill('sundial-recorder');
      await page.getByLabel('Cron expression').fill('30 6 * * *');
      await page.getByRole('region', { name: 'Preview' }).getByText('At 06:30 (UTC)').waitFor();
      await page.getByRole('button', { name: 'Create task' }).click();
      await page.getByRole('heading', { name: 'Task through-the-proxy' }).waitFor();
      // The run-now goes to the fire queue; this test's clock is manual, so the queue is drained by hand.
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/v1/tasks/through-the-proxy/run')),
        page.getByRole('button', { name: 'Run now' }).click(),
      ]);
      await cloud.settle();
      await page.getByRole('row', { name: /manual/ }).waitFor();
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('button', { name: 'Resume' }).waitFor();

      expect(endpoint.refused).toEqual([]);
      expect(endpoint.verified).toEqual(
        expect.arrayContaining([
          'POST /v1/schedules/preview',
          'POST /v1/tasks',
          'GET /v1/tasks/through-the-proxy',
          'GET /v1/tasks/through-the-proxy/runs',
          'POST /v1/tasks/through-the-proxy/run',
          'POST /v1/tasks/through-the-proxy/pause',
          'GET /v1/scheduler',
        ]),
      );
      const names = seen.flatMap((headers) => Object.keys(headers));
      expect(names.filter((name) => name === 'authorization' || name.startsWith('x-amz-'))).toEqual([]);
      const everything = JSON.stringify(seen) + (await page.content());
      for (const secret of [CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken]) {
        expect(everything).not.toContain(secret);
      }
    } finally {
      await page.close();
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('stops at once, in one line, when a deployed endpoint has no credentials to sign with', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'console', '--endpoint', 'https://abc123.execute-api.eu-west-1.amazonaws.com', '--port', '0'],
      { env: environment({}), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: no AWS credentials to sign requests to https:\/\/abc123\.execute-api/);
  });
});

describe('sundial console on the command line', { timeout: 60_000 }, () => {
  afterEach(() => vi.unstubAllEnvs());

  it('has its help with examples, and is listed by sundial --help', async () => {
    const help = await cli('console', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sundial console \[options\]/);
    expect(help.stdout).toMatch(/--port <n> +port on 127\.0\.0\.1 \(default 3030; 0 picks a free one\)/);
    expect(help.stdout).toMatch(/Global Options:[\s\S]*--endpoint <url>/);
    expect(help.stdout).toMatch(/Examples:\n {2}\$ sundial console --endpoint https:/);
    expect((await cli('--help')).stdout).toMatch(/\n {2}console \[options\] +serve the web console/);
  });

  it('refuses a port that is not one with exit code 2, as JSON under --output json', async () => {
    for (const port of ['70000', '-1', 'http']) {
      const out = await cli('console', '--port', port, '--output', 'json');
      expect(out).toMatchObject({ code: 2, stdout: '' });
      expect(JSON.parse(out.stderr).error).toMatchObject({
        kind: 'usage',
        code: 'commander.invalidArgument',
        message: expect.stringContaining(`'--port <n>' argument '${port}' is invalid`),
      });
    }
  });

  it('exits 1 naming the kind when there is nothing to sign with, or the port is taken', async () => {
    stubNoAwsCredentials();
    const deployed = await cli(
      'console',
      '--endpoint',
      'https://abc123.execute-api.eu-west-1.amazonaws.com',
      '--output',
      'json',
    );
    expect(deployed).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(deployed.stderr).error).toEqual({
      kind: 'credentials',
      message: expect.stringMatching(/^no AWS credentials to sign requests to https:\/\/abc123/),
    });

    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    const { port } = taken.address() as { port: number };
    try {
      const text = await cli('console', '--endpoint', cloud.apiUrl, '--port', String(port));
      expect(text).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: port ${port} is in use: choose another with --port\n`,
      });
      const json = await cli(
        'console',
        '--endpoint',
        cloud.apiUrl,
        '--port',
        String(port),
        '--output',
        'json',
      );
      expect(JSON.parse(json.stderr).error).toEqual({
        kind: 'port',
        message: expect.stringContaining(`${port}`),
      });
    } finally {
      taken.close();
    }
  });

  it('will not start without its page', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sundial-console-'));
    const error = await startConsole({ endpoint: cloud.apiUrl, port: 0, assetsDirs: [empty] }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ConsoleStartError);
    expect(error).toMatchObject({ reason: 'assets', message: expect.stringContaining(empty) });
  });

  it('prints where it listens as JSON under --output json, forwards unsigned to a local endpoint without credentials, and exits 0 on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'console', '--endpoint', cloud.apiUrl, '--port', '0', '--output', 'json'],
      { env: environment({}), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = once(child, 'exit');
    let stdout = '';
    const started = await new Promise<{ url: string }>((found, failed) => {
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
        try {
          found(JSON.parse(stdout));
        } catch {
          // Not the whole document yet.
        }
      });
      child.once('exit', (code) => failed(new Error(`sundial console exited ${code}`)));
    });
    try {
      expect(started).toEqual({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/console\/$/),
        endpoint: cloud.apiUrl,
        region: expect.any(String),
        signed: false,
      });
      expect((await fetch(started.url)).status).toBe(200);
      const health = await fetch(new URL('/v1/health', started.url));
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      child.kill('SIGINT');
    }
    expect((await exited)[0]).toBe(0);
  });
});
