import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../lib/local/cloud';
import { type DeliveryEvent, MAX_PAYLOAD_BYTES, type Problem, type Task } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const clock = new ManualClock(T0);
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-api', clock, received);
});
afterAll(() => cloud?.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    // Local mode takes writes as JSON only, with or without a body (see docs/api.md).
    headers: method === 'GET' ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const def = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  target: { function: 'sundial-recorder' },
  schedule: { cron: '0 * * * *' },
  ...over,
});

describe('create', () => {
  it('answers 201 with the task and its ETag, 409 on the same id, and replaces with replaceExisting', async () => {
    const created = await call('POST', '/v1/tasks', def('c1', { payload: { a: 1 } }));
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ id: 'c1', version: 1, nextRunAt: '2026-12-01T13:00:00.000Z' });

    const again = await call('POST', '/v1/tasks', def('c1'));
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');

    const replaced = await call('POST', '/v1/tasks', def('c1', { payload: { a: 2 }, replaceExisting: true }));
    expect(replaced.status).toBe(201);
    expect(replaced.body).toMatchObject({ id: 'c1', version: 2, payload: { a: 2 } });
    expect((await call('GET', '/v1/tasks/c1')).body).toMatchObject({ version: 2, payload: { a: 2 } });
  });

  it('rejects unknown fields, bad ids and oversize payloads with a 400 naming the field', async () => {
    const unknown = await call('POST', '/v1/tasks', def('u1', { colour: 'red' }));
    expect(unknown.status).toBe(400);
    expect((unknown.body as Problem).errors).toEqual([{ path: '', message: 'unknown field(s): colour' }]);

    const badId = await call('POST', '/v1/tasks', def('has space'));
    expect(badId.status).toBe(400);
    expect((badId.body as Problem).errors?.[0]?.path).toBe('id');

    const big = await call(
      'POST',
      '/v1/tasks',
      def('big', { payload: { blob: 'x'.repeat(MAX_PAYLOAD_BYTES) } }),
    );
    expect(big.status).toBe(400);
    expect((big.body as Problem).errors).toEqual([
      { path: 'payload', message: `must be at most ${MAX_PAYLOAD_BYTES} bytes as JSON` },
    ]);
    expect((await call('GET', '/v1/tasks/big')).status).toBe(404);

    const notJson = await call('POST', '/v1/tasks', '{not json');
    expect(notJson.body).toMatchObject({ status: 400 });
  });
});

describe('batch create', () => {
  it('creates up to 100 tasks in one call', async () => {
    const tasks = Array.from({ length: 100 }, (_, i) => def(`b-${i}`, { group: 'batch' }));
    const out = await call('POST', '/v1/tasks/batch', { tasks });
    expect(out.status).toBe(201);
    expect(out.body.tasks).toHaveLength(100);
    expect((await call('POST', '/v1/tasks/batch', { tasks: [...tasks, def('b-100')] })).status).toBe(400);
  });

  it('writes nothing when one task is invalid, and names it', async () => {
    const out = await call('POST', '/v1/tasks/batch', {
      tasks: [def('bad-0'), def('bad-1', { schedule: { cron: '61 * * * *' } }), def('bad-2')],
    });
    expect(out.status).toBe(400);
    expect((out.body as Problem).errors).toEqual([
      { path: 'tasks.1.schedule.cron', message: expect.any(String) },
    ]);
    expect((await call('GET', '/v1/tasks/bad-0')).status).toBe(404);
  });

  it('writes nothing when one id exists (409), and rejects duplicate ids in the batch', async () => {
    const out = await call('POST', '/v1/tasks/batch', { tasks: [def('fresh-0'), def('c1'), def('fresh-2')] });
    expect(out.status).toBe(409);
    expect(out.body.detail).toContain("'c1'");
    expect((await call('GET', '/v1/tasks/fresh-0')).status).toBe(404);

    const dup = await call('POST', '/v1/tasks/batch', { tasks: [def('d'), def('d')] });
    expect(dup.status).toBe(400);
    expect((dup.body as Problem).errors?.[0]?.path).toBe('tasks.1.id');
  });
});

describe('list', () => {
  it('pages through a group with opaque cursors and filters by state', async () => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call('GET', `/v1/tasks?group=batch&limit=30${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.tasks.length).toBeLessThanOrEqual(30);
      for (const t of page.body.tasks as Task[]) seen.add(t.id);
      cursor = page.body.cursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(100);
    expect(pages).toBe(4);

    await call('POST', '/v1/tasks/b-7/pause');
    const paused = await call('GET', '/v1/tasks?group=batch&state=paused');
    expect((paused.body.tasks as Task[]).map((t) => t.id)).toEqual(['b-7']);
    // Out of the way of the ticks below.
    expect((await call('DELETE', '/v1/groups/batch')).body).toMatchObject({ matched: 100, changed: 100 });
  });

  it('rejects a bad limit, an unknown query parameter and a forged cursor', async () => {
    expect((await call('GET', '/v1/tasks?limit=101')).body.errors[0].path).toBe('limit');
    expect((await call('GET', '/v1/tasks?colour=red')).status).toBe(400);
    expect((await call('GET', '/v1/tasks?cursor=bm9wZQ')).body.errors[0].path).toBe('cursor');
  });
});

describe('PATCH', () => {
  it('changes fields, recomputes the next run on a schedule change, and honours If-Match', async () => {
    await call('POST', '/v1/tasks', def('p1', { description: 'hourly', timezone: 'Europe/Lisbon' }));
    const patched = await call(
      'PATCH',
      '/v1/tasks/p1',
      { schedule: { cron: '30 14 * * *' }, description: null },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(patched.body).toMatchObject({
      version: 2,
      nextRunAt: '2026-12-01T14:30:00.000Z',
      timezone: 'Europe/Lisbon',
    });
    expect(patched.body.description).toBeUndefined();

    const stale = await call('PATCH', '/v1/tasks/p1', { description: 'x' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    const unconditional = await call('PATCH', '/v1/tasks/p1', { payload: { v: 3 } });
    expect(unconditional.body).toMatchObject({ version: 3, nextRunAt: '2026-12-01T14:30:00.000Z' });

    clock.set('2026-12-01T14:30:00Z');
    await cloud.tick();
    await cloud.settle();
    expect(received.filter((e) => e.taskId === 'p1')).toEqual([
      expect.objectContaining({ payload: { v: 3 } }),
    ]);
    // The tick does not bump the version: an If-Match read before the fire still holds.
    expect((await call('PATCH', '/v1/tasks/p1', { description: 'y' }, { 'if-match': '3' })).status).toBe(200);
  });

  it('rejects unknown fields, id changes, targets outside the allow-list and unknown tasks', async () => {
    expect((await call('PATCH', '/v1/tasks/p1', { id: 'other' })).status).toBe(400);
    const target = await call('PATCH', '/v1/tasks/p1', { target: { function: 'payroll' } });
    expect(target.body.errors[0].path).toBe('target.function');
    expect((await call('PATCH', '/v1/tasks/nope', { description: 'x' })).status).toBe(404);
    expect((await call('PATCH', '/v1/tasks/p1', { description: 'x' }, { 'if-match': 'abc' })).status).toBe(
      400,
    );
  });
});

describe('pause, resume, run now, runs, delete', () => {
  it('pauses (nothing fires), resumes from now (misfire skip), runs now with source manual, and deletes', async () => {
    clock.set('2026-12-01T15:10:00Z');
    await call(
      'POST',
      '/v1/tasks',
      def('pr', { schedule: { every: { minutes: 10 } }, misfire: { graceSeconds: 0, policy: 'skip' } }),
    );
    const paused = await call('POST', '/v1/tasks/pr/pause');
    expect(paused.body).toMatchObject({ state: 'paused', enabled: false, version: 2 });
    expect((await call('POST', '/v1/tasks/pr/pause')).body.version).toBe(2); // idempotent

    clock.set('2026-12-01T15:45:00Z');
    received.length = 0;
    await cloud.tick();
    await cloud.settle();
    expect(received.filter((e) => e.taskId === 'pr')).toHaveLength(0);

    const resumed = await call('POST', '/v1/tasks/pr/resume');
    expect(resumed.body).toMatchObject({
      state: 'active',
      version: 3,
      nextRunAt: '2026-12-01T15:50:00.000Z',
    });

    const run = await call('POST', '/v1/tasks/pr/run');
    expect(run.status).toBe(202);
    expect(run.body).toMatchObject({
      taskId: 'pr',
      source: 'manual',
      requestedAt: '2026-12-01T15:45:00.000Z',
    });
    await cloud.settle();
    expect(received.filter((e) => e.taskId === 'pr')).toEqual([
      expect.objectContaining({ taskId: 'pr', source: 'manual', runId: run.body.runId }),
    ]);

    clock.set('2026-12-01T15:50:00Z');
    await cloud.tick();
    const runs = await call('GET', '/v1/tasks/pr/runs?limit=1');
    expect(runs.body.runs).toEqual([expect.objectContaining({ source: 'schedule' })]);
    const older = await call('GET', `/v1/tasks/pr/runs?limit=1&cursor=${runs.body.cursor}`);
    expect(older.body.runs).toEqual([expect.objectContaining({ source: 'manual' })]);
    expect((await call('GET', '/v1/tasks/pr')).body).toMatchObject({ runCount: 1, version: 3 });

    expect((await call('DELETE', '/v1/tasks/pr')).status).toBe(204);
    expect((await call('GET', '/v1/tasks/pr')).status).toBe(404);
    expect((await call('POST', '/v1/tasks/pr/run')).status).toBe(404);
    expect((await call('GET', '/v1/tasks/pr/runs')).status).toBe(404);
  });
});

describe('groups', () => {
  // About 10 s on a busy 2-core machine; bench figures, not this timeout, are the speed target.
  it('pauses, resumes and deletes a group of 1,000 tasks', { timeout: 120_000 }, async () => {
    clock.set('2026-12-02T00:00:30Z');
    for (let b = 0; b < 10; b++) {
      const tasks = Array.from({ length: 100 }, (_, i) =>
        def(`g-${b * 100 + i}`, {
          group: 'thousand',
          schedule: { every: { minutes: 1 } },
          misfire: { graceSeconds: 0, policy: 'skip' },
        }),
      );
      expect((await call('POST', '/v1/tasks/batch', { tasks })).status).toBe(201);
    }
    const paused = await call('POST', '/v1/groups/thousand/pause');
    expect(paused.body).toEqual({ group: 'thousand', matched: 1000, changed: 1000 });
    expect((await call('POST', '/v1/groups/thousand/pause')).body.changed).toBe(0);

    clock.set('2026-12-02T00:05:00Z');
    received.length = 0;
    await cloud.tick();
    await cloud.settle();
    expect(received.filter((e) => e.taskId.startsWith('g-'))).toEqual([]);

    const resumed = await call('POST', '/v1/groups/thousand/resume');
    expect(resumed.body).toEqual({ group: 'thousand', matched: 1000, changed: 1000 });
    const page = await call('GET', '/v1/tasks?group=thousand&state=active&limit=100');
    expect(page.body.tasks[0]).toMatchObject({ nextRunAt: '2026-12-02T00:05:30.000Z' });

    const deleted = await call('DELETE', '/v1/groups/thousand');
    expect(deleted.body).toEqual({ group: 'thousand', matched: 1000, changed: 1000 });
    expect((await call('GET', '/v1/tasks?group=thousand')).body.tasks).toEqual([]);
    expect((await call('POST', '/v1/groups/bad%20group/pause')).status).toBe(400);
  });
});

describe('scheduler', () => {
  it('reports the tick schedule, and pausing it stops every fire until resumed', async () => {
    expect((await call('GET', '/v1/scheduler')).body).toMatchObject({
      name: 'sundial-tick',
      state: 'ENABLED',
      expression: 'rate(1 minute)',
    });
    clock.set('2026-12-03T09:00:00Z');
    await call('POST', '/v1/tasks', def('sched', { schedule: { at: '2026-12-03T09:01:00Z' } }));

    expect((await call('POST', '/v1/scheduler/pause')).body.state).toBe('DISABLED');
    expect(cloud.scheduler.schedule.State).toBe('DISABLED');
    clock.set('2026-12-03T09:02:00Z');
    expect(await cloud.tick()).toMatchObject({ handedOff: 0 });
    // Created a minute ahead, it was handed off at once; the fire worker gives it back to the paused scheduler.
    await cloud.settle();
    expect(received.filter((e) => e.taskId === 'sched')).toHaveLength(0);
    expect((await call('GET', '/v1/tasks/sched')).body).toMatchObject({
      runCount: 0,
      nextRunAt: '2026-12-03T09:01:00.000Z',
    });

    expect((await call('POST', '/v1/scheduler/resume')).body.state).toBe('ENABLED');
    // The full schedule was written back: only the state changed.
    expect(cloud.scheduler.schedule).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    received.length = 0;
    await cloud.tick();
    await cloud.settle();
    expect(received.filter((e) => e.taskId === 'sched')).toHaveLength(1);
  });
});

describe('preview, health, OpenAPI, unknown routes', () => {
  it('previews a schedule without creating a task', async () => {
    const out = await call('POST', '/v1/schedules/preview', {
      schedule: { cron: '0 9 * * *' },
      timezone: 'Europe/Lisbon',
      from: '2026-12-01T00:00:00Z',
      count: 2,
    });
    expect(out.body.occurrences).toEqual(['2026-12-01T09:00:00.000Z', '2026-12-02T09:00:00.000Z']);
  });

  it('serves health, the OpenAPI document, and problem+json for unknown routes', async () => {
    expect((await call('GET', '/v1/health')).body).toEqual({ status: 'ok' });
    const doc = await call('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/v1/tasks/{id}/runs');
    const missing = await call('GET', '/v2/nothing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });
});
