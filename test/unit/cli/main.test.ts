import { afterEach, describe, expect, it, vi } from 'vitest';
import packageJson from '../../../package.json';
import { closedEndpoint } from '../../support/closed-port';
import { stubNoAwsCredentials } from '../../support/no-aws-credentials';
import { runCli as run } from '../../support/run-cli';

afterEach(() => vi.unstubAllEnvs());

describe('the sundial program', () => {
  it('prints its version and a help with examples for every command', async () => {
    expect(await run('--version')).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const group of ['tasks', 'groups', 'scheduler', 'schedules']) expect(help.stdout).toContain(group);
    const create = await run('tasks', 'create', '--help');
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/^Usage: sundial tasks create \[options\]/);
    expect(create.stdout).toMatch(/--every <duration>/);
    expect(create.stdout).toMatch(/Global Options:[\s\S]*--endpoint <url>/);
    expect(create.stdout).toMatch(/Examples:\n {2}\$ sundial tasks create /);
    expect((await run('schedules', 'preview', '--help')).stdout).toContain(
      '$ sundial schedules preview --cron',
    );
  });

  it('exits 2 on a bad command line, with one JSON document on stderr under --output json', async () => {
    const text = await run('tasks', 'create', '--cron', '0 * * * *', '--every', '5m');
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(
      /^error: option '--cron <expr>' cannot be used with option '--every <duration>'/,
    );
    const json = await run('tasks', 'create', '--every', '5 minutes', '--output', 'json');
    expect(json).toMatchObject({ code: 2, stdout: '' });
    expect(JSON.parse(json.stderr)).toEqual({
      error: { kind: 'usage', code: 'commander.invalidArgument', message: expect.stringMatching(/--every/) },
    });
    const missing = await run('tasks', 'create', '--every', '5m', '--output=json');
    expect(JSON.parse(missing.stderr).error).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/--target/),
    });
    expect((await run('tasks', 'frobnicate')).code).toBe(2);
    expect((await run()).code).toBe(2);
  });

  it('names the endpoint and the cause when the API cannot be reached', async () => {
    const endpoint = await closedEndpoint();
    const text = await run('tasks', 'list', '--endpoint', endpoint);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(
      new RegExp(`^error: cannot reach ${endpoint}: connect ECONNREFUSED .+ \\[request [0-9a-f-]{36}\\]\\n$`),
    );
    const json = await run('tasks', 'list', '--endpoint', endpoint, '--output', 'json');
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        kind: 'network',
        endpoint,
        message: expect.stringContaining('ECONNREFUSED'),
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
  });

  it('exits 1 without sending anything when an AWS endpoint needs credentials that cannot be loaded', async () => {
    stubNoAwsCredentials();
    const endpoint = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
    const out = await run('scheduler', 'status', '--endpoint', endpoint, '--output', 'json');
    expect(out).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(out.stderr).error).toMatchObject({
      kind: 'credentials',
      message: expect.stringMatching(/^no AWS credentials to sign the request to https:\/\/abc123/),
    });
  });
});
