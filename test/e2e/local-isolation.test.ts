import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../lib/local/cloud';
import { LOCAL_REGION } from '../../lib/local/dynamodb-local';
import type { InvocationOutcome } from '../../lib/local/invocation';
import { IsolatedFunction } from '../../lib/local/isolated-function';
import { LocalLambdaEndpoint } from '../../lib/local/lambda-endpoint';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

const FIXTURES = resolve('test/fixtures/targets.ts');
const module = (name: string, exportName: string, timeoutMs?: number) => ({
  name,
  path: FIXTURES,
  exportName,
  timeoutMs,
});
const dir = mkdtempSync(join(tmpdir(), 'sundial-isolation-'));
const outcomes: { name: string; outcome: InvocationOutcome }[] = [];
let cloud: LocalCloud;
let lambda: LambdaClient;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-local-isolation', new ManualClock(Date.now()), [], {
    functions: [
      module('sundial-blocker', 'block'),
      module('sundial-spinner', 'spin', 1_000),
      module('sundial-failer', 'fail'),
      module('sundial-echo', 'echo'),
    ],
  });
  cloud.lambda.onAsyncOutcome = (name, _event, outcome) => outcomes.push({ name, outcome });
  lambda = new LambdaClient({
    endpoint: cloud.lambdaUrl,
    region: LOCAL_REGION,
    credentials: cloud.lambda.credentials,
    maxAttempts: 1,
  });
}, 120_000);
afterAll(async () => {
  lambda?.destroy();
  await cloud?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const invoke = async (name: string, payload: unknown, type?: 'Event' | 'DryRun') => {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload), InvocationType: type }),
  );
  const text = Buffer.from(out.Payload ?? []).toString('utf8');
  return { status: out.StatusCode, error: out.FunctionError, body: text ? JSON.parse(text) : undefined };
};

describe('local target functions run isolated from the local API', () => {
  it('keeps the API answering while a target blocks its event loop', async () => {
    const stopFile = join(dir, 'stop');
    const doneFile = join(dir, 'done');
    expect((await invoke('sundial-blocker', { stopFile, doneFile }, 'Event')).status).toBe(202);
    // The target spins until told to stop: the API answers meanwhile, or never.
    expect((await fetch(`${cloud.apiUrl}/v1/health/live`)).status).toBe(200);
    expect((await fetch(`${cloud.apiUrl}/v1/tasks`)).status).toBe(200);
    expect(existsSync(doneFile)).toBe(false);
    writeFileSync(stopFile, 'stop');
    await cloud.settle();
    expect(outcomes.find((o) => o.name === 'sundial-blocker')?.outcome).toMatchObject({
      ok: true,
      result: { blocked: true },
    });
  }, 60_000);

  it('times out a hung target, reports Sandbox.Timedout, and runs the next invocation in a fresh environment', async () => {
    const hung = await invoke('sundial-spinner', { forever: true });
    expect(hung).toMatchObject({ status: 200, error: 'Unhandled', body: { errorType: 'Sandbox.Timedout' } });
    expect(hung.body.errorMessage).toBe('Task timed out after 1.00 seconds');
    expect(await invoke('sundial-spinner', {})).toMatchObject({ status: 200, body: { alive: true } });
  }, 60_000);

  it('answers with the result or the thrown error and its type, as Lambda does', async () => {
    expect(await invoke('sundial-echo', { a: 1 })).toEqual({
      status: 200,
      error: undefined,
      body: { event: { a: 1 }, functionName: 'sundial-echo', hasTime: true },
    });
    const failed = await invoke('sundial-failer', { message: 'bad input' });
    expect(failed).toMatchObject({
      status: 200,
      error: 'Unhandled',
      body: { errorType: 'TypeError', errorMessage: 'bad input' },
    });
    expect(await invoke('sundial-echo', {}, 'DryRun')).toMatchObject({ status: 204 });
  });

  it('reports each asynchronous outcome: result or error (name, message) and duration', async () => {
    outcomes.length = 0;
    expect((await invoke('sundial-failer', { message: 'async bad' }, 'Event')).status).toBe(202);
    expect((await invoke('sundial-echo', { b: 2 }, 'Event')).status).toBe(202);
    await cloud.settle();
    const byName = Object.fromEntries(outcomes.map((o) => [o.name, o.outcome]));
    expect(byName['sundial-failer']).toMatchObject({
      ok: false,
      error: { errorType: 'TypeError', errorMessage: 'async bad' },
    });
    expect(byName['sundial-echo']).toMatchObject({ ok: true, result: { event: { b: 2 } } });
    for (const outcome of Object.values(byName)) expect(outcome?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('stops at once with a target still spinning: its invocation ends as the runtime exiting', async () => {
    const endpoint = new LocalLambdaEndpoint();
    const spinner = new IsolatedFunction(module('sundial-forever', 'spin'));
    endpoint.registerFunction('sundial-forever', spinner); // Lambda's default 15-minute timeout
    const seen: InvocationOutcome[] = [];
    endpoint.onAsyncOutcome = (_name, _event, outcome) => seen.push(outcome);
    const client = new LambdaClient({
      endpoint: await endpoint.listen(0),
      region: LOCAL_REGION,
      credentials: endpoint.credentials,
    });
    await client.send(
      new InvokeCommand({
        FunctionName: 'sundial-forever',
        InvocationType: 'Event',
        Payload: '{"forever":true}',
      }),
    );
    client.destroy();
    await endpoint.close();
    expect(seen).toEqual([
      expect.objectContaining({
        ok: false,
        error: expect.objectContaining({ errorType: 'Runtime.ExitError' }),
      }),
    ]);
  }, 60_000);

  it('fails at startup, naming the function, when its module has no such export', async () => {
    await expect(
      startTestCloud('e2e-local-isolation-broken', new ManualClock(Date.now()), [], {
        functions: [module('sundial-broken', 'nope')],
      }),
    ).rejects.toThrow(/sundial-broken.*no exported function 'nope'/);
  }, 60_000);
});
