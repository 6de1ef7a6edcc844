import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SundialApiError, SundialClient } from '../../lib';
import { LOCAL_TICK_FUNCTION, type LocalCloud } from '../../lib/local/cloud';
import { LOCAL_REGION } from '../../lib/local/dynamodb-local';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

// More than the tick's look-ahead (two minutes) before the first occurrence: no nudge at creation.
const T0 = Date.parse('2026-12-01T13:57:30Z');
const received: DeliveryEvent[] = [];
const clock = new ManualClock(T0);
let cloud: LocalCloud;
let sundial: SundialClient;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-walking-skeleton', clock, received, {
    functions: [
      { name: 'sundial-example-echo', path: resolve('examples/targets/echo.ts'), exportName: 'handler' },
    ],
  });
  sundial = new SundialClient({ endpoint: cloud.apiUrl });
});
afterAll(() => cloud?.stop());

describe('a task created through the SDK fires its Lambda by name', () => {
  it('delivers the event of DESIGN.md exactly once and records the run', async () => {
    const created = await sundial.createTask({
      id: 'nightly-report',
      group: 'reports',
      target: { function: 'sundial-recorder' },
      schedule: { at: '2026-12-01T14:00:00Z' },
      payload: { report: 'daily', n: 1 },
    });
    expect(created).toMatchObject({
      id: 'nightly-report',
      state: 'active',
      nextRunAt: '2026-12-01T14:00:00.000Z',
      version: 1,
    });

    // Not due within the look-ahead yet: the tick hands off nothing.
    expect(await cloud.tick()).toMatchObject({ handedOff: 0 });
    expect(received).toHaveLength(0);

    // The next tick hands it to the fire queue; the fire worker delivers it at its second.
    clock.set('2026-12-01T13:58:30Z');
    expect(await cloud.tick()).toMatchObject({ handedOff: 1, messages: 1 });
    expect(received).toHaveLength(0);
    await cloud.advanceTo(Date.parse('2026-12-01T14:00:05Z'));
    await cloud.settle();
    expect(received).toEqual([
      {
        taskId: 'nightly-report',
        group: 'reports',
        runId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
        scheduledAt: '2026-12-01T14:00:00.000Z',
        firedAt: '2026-12-01T14:00:00.000Z',
        attempt: 1,
        source: 'schedule',
        payload: { report: 'daily', n: 1 },
      },
    ]);

    // A second tick (a retried EventBridge invocation) does not fire it again.
    clock.advance(60_000);
    expect(await cloud.tick()).toMatchObject({ handedOff: 0 });
    await cloud.advanceTo(clock.now() + 120_000);
    await cloud.settle();
    expect(received).toHaveLength(1);

    const { runs } = await sundial.listRuns('nightly-report');
    expect(runs).toEqual([
      expect.objectContaining({
        runId: received[0]?.runId,
        status: 'delivered',
        firedAt: '2026-12-01T14:00:00.000Z',
      }),
    ]);
    expect(await sundial.getTask('nightly-report')).toMatchObject({
      state: 'completed',
      runCount: 1,
      lastRunAt: '2026-12-01T14:00:00.000Z',
    });
  });

  it('records a failed run when the target does not exist, and goes on', async () => {
    clock.set('2026-12-01T14:10:00Z');
    await sundial.createTask({
      id: 'ghost',
      target: { function: 'sundial-missing' },
      schedule: { every: { minutes: 5 } },
    });
    await sundial.createTask({
      id: 'echo',
      target: { function: 'sundial-example-echo' },
      schedule: { every: { minutes: 5 } },
    });
    clock.set('2026-12-01T14:15:00Z');
    const firedBefore = cloud.fired.length;
    expect(await cloud.tick()).toMatchObject({ handedOff: 2 });
    const fired = cloud.fired.slice(firedBefore);
    expect(fired.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    expect(fired.reduce((n, r) => n + r.failed, 0)).toBe(1);
    const { runs } = await sundial.listRuns('ghost');
    expect(runs[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('ResourceNotFoundException'),
    });
    expect(await sundial.getTask('ghost')).toMatchObject({
      state: 'active',
      nextRunAt: '2026-12-01T14:20:00.000Z',
    });
  });

  it('answers bad input with a 400 that names the field, and stores nothing', async () => {
    const error = await sundial
      .createTask({ id: 'bad', target: { function: 'sundial-recorder' }, schedule: { cron: '61 * * * *' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SundialApiError);
    expect((error as SundialApiError).status).toBe(400);
    expect((error as SundialApiError).problem.errors).toEqual([
      { path: 'schedule.cron', message: expect.stringContaining('61') },
    ]);
    await expect(sundial.getTask('bad')).rejects.toMatchObject({ status: 404 });
  });

  it('rejects a target outside the allow-list with a 400', async () => {
    const response = await fetch(`${cloud.apiUrl}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: { function: 'payroll' }, schedule: { cron: '0 0 * * *' } }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe(
      'target.function',
    );
  });

  it("rejects Sundial's own tick function as a target, although it matches the prefix", async () => {
    const error = await sundial
      .createTask({ target: { function: LOCAL_TICK_FUNCTION }, schedule: { cron: '0 0 * * *' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, problem: { errors: [{ path: 'target.function' }] } });
  });

  it('answers 409 for an existing id and 404 for an unknown one', async () => {
    const body = {
      id: 'twice',
      target: { function: 'sundial-recorder' },
      schedule: { cron: '0 0 * * *' },
    } as const;
    await sundial.createTask(body);
    await expect(sundial.createTask(body)).rejects.toMatchObject({ status: 409 });
    await sundial.deleteTask('twice');
    await expect(sundial.deleteTask('twice')).rejects.toMatchObject({ status: 404 });
  });
});

describe('the local Lambda endpoint', () => {
  const invoke = (name: string, payload: unknown) =>
    new LambdaClient({
      endpoint: cloud.lambdaUrl,
      region: LOCAL_REGION,
      credentials: cloud.lambda.credentials,
      maxAttempts: 1,
    }).send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));

  it('answers unknown functions with ResourceNotFoundException, as Lambda does', async () => {
    await expect(invoke('nope', {})).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('runs RequestResponse invocations and returns the result', async () => {
    const out = await invoke('sundial-example-echo', { hello: 1 });
    expect(out.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8'))).toEqual({ ok: true });
  });
});
