import { request as httpRequest } from 'node:http';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TICK_FUNCTION, type LocalCloud } from '../../lib/local/cloud';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/dynamodb-local';
import type { DeliveryEvent, Problem } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;
let origin: string;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-local-guard', clock, received);
  origin = cloud.apiUrl;
  const created = await fetch(`${origin}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'guarded',
      group: 'g',
      target: { function: 'sundial-recorder' },
      schedule: { cron: '0 0 1 1 *' },
    }),
  });
  expect(created.status).toBe(201);
});
afterAll(() => cloud?.stop());

/** The state a cross-site request would change: the scheduler, the task, its group and its runs. */
async function snapshot() {
  const get = async (path: string) => (await fetch(`${origin}${path}`)).json();
  return {
    scheduler: await get('/v1/scheduler'),
    task: await get('/v1/tasks/guarded'),
    runs: await get('/v1/tasks/guarded/runs'),
    tick: cloud.lambda.calls.get(LOCAL_TICK_FUNCTION) ?? 0,
  };
}

/** What any web page open in the user's browser can send without asking the server first. */
const simpleWrites = (from: string | undefined) =>
  ['/v1/scheduler/pause', '/v1/tasks/guarded/run', '/v1/groups/g/pause', '/v1/tasks/guarded/pause'].flatMap(
    (path) =>
      (
        [
          { 'content-type': 'text/plain' },
          { 'content-type': 'application/x-www-form-urlencoded' },
          {},
        ] as Record<string, string>[]
      ).map((headers): { path: string; headers: Record<string, string> } => ({
        path,
        headers: { ...headers, ...(from ? { origin: from } : {}) },
      })),
  );

describe('local mode refuses cross-site requests', () => {
  it('refuses simple cross-site writes (text/plain, forms, no body), with or without Origin, and changes nothing', async () => {
    const before = await snapshot();
    for (const { path, headers } of [...simpleWrites('https://evil.example'), ...simpleWrites(undefined)]) {
      const body = 'content-type' in headers ? '{}' : undefined;
      const response = await fetch(`${origin}${path}`, { method: 'POST', headers, body });
      expect([403, 415], `${path} ${JSON.stringify(headers)}`).toContain(response.status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await response.json()) as Problem;
      expect(problem.errors?.[0]?.path).toMatch(/^(Origin|Content-Type)$/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses JSON from another origin, even a same-site one', async () => {
    for (const from of ['https://evil.example', 'http://127.0.0.1:1', 'null']) {
      const response = await fetch(`${origin}/v1/scheduler/pause`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: from },
      });
      expect(response.status).toBe(403);
      expect(((await response.json()) as Problem).errors?.[0]?.path).toBe('Origin');
    }
    const crossSite = await fetch(`${origin}/v1/tasks/guarded`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect((await snapshot()).scheduler).toMatchObject({ state: 'ENABLED' });
  });

  it('refuses a foreign Host (DNS rebinding), reads included', async () => {
    const { port } = new URL(origin);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/v1/tasks', headers: { host: `evil.example:${port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('serves same-origin requests from the page it serves, on 127.0.0.1 or localhost', async () => {
    const { port } = new URL(origin);
    for (const page of [origin, `http://localhost:${port}`]) {
      const read = await fetch(`${origin}/v1/tasks/guarded`, {
        headers: { origin: page, 'sec-fetch-site': 'same-origin' },
      });
      expect(read.status).toBe(200);
    }
    const paused = await fetch(`${origin}/v1/tasks/guarded/pause`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin' },
    });
    expect(paused.status).toBe(200);
    const resumed = await fetch(`${origin}/v1/tasks/guarded/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(resumed.status).toBe(200);
  });
});

describe('the local Lambda endpoint accepts only Sundial’s own calls', () => {
  it('refuses an unsigned invocation (what a web page or another local process sends)', async () => {
    const before = cloud.lambda.calls.get(LOCAL_TICK_FUNCTION) ?? 0;
    const response = await fetch(
      `${cloud.lambdaUrl}/2015-03-31/functions/${LOCAL_TICK_FUNCTION}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{}',
      },
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(cloud.lambda.calls.get(LOCAL_TICK_FUNCTION) ?? 0).toBe(before);
  });

  it('refuses an invocation signed with any key but this run’s secret', async () => {
    const outsider = new LambdaClient({
      endpoint: cloud.lambdaUrl,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    await expect(
      outsider.send(new InvokeCommand({ FunctionName: 'sundial-recorder' })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    outsider.destroy();
    expect(received).toEqual([]);
  });

  it('runs invocations signed with this run’s credentials, as Sundial’s own clients send them', async () => {
    const own = new LambdaClient({
      endpoint: cloud.lambdaUrl,
      region: LOCAL_REGION,
      credentials: cloud.lambda.credentials,
    });
    const out = await own.send(
      new InvokeCommand({ FunctionName: 'sundial-recorder', Payload: '{"taskId":"x"}' }),
    );
    expect(out.StatusCode).toBe(200);
    expect(received).toEqual([{ taskId: 'x' }]);
    own.destroy();
    expect((await cloud.tick()).handedOff).toBe(0);
  });
});
