import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DeliveryEvent,
  SundialClient,
  type Task,
  TaskConflictError,
  TaskNotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../../lib';
import type { LocalCloud } from '../../lib/local/cloud';
import { MAX_PAYLOAD_BYTES } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;
let sundial: SundialClient;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-api-sdk', clock, received);
  sundial = new SundialClient({ endpoint: cloud.apiUrl });
});
afterAll(() => cloud?.stop());

const def = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  target: { function: 'sundial-recorder' },
  schedule: { cron: '0 * * * *' },
  ...over,
});

describe('the SDK against the local cloud', () => {
  it('creates, reads, updates with ifMatch, pauses, resumes, runs and deletes a task', async () => {
    const created = await sundial.createTask(def('sdk-1', { description: 'hourly' }));
    expect(created).toMatchObject({ id: 'sdk-1', version: 1, nextRunAt: '2026-12-01T13:00:00.000Z' });
    expect(await sundial.getTask('sdk-1')).toEqual(created);

    const updated = await sundial.updateTask(
      'sdk-1',
      { schedule: { every: { minutes: 15 } }, description: null },
      { ifMatch: 1 },
    );
    expect(updated).toMatchObject({ version: 2, nextRunAt: '2026-12-01T12:15:00.000Z' });
    expect(updated.description).toBeUndefined();
    await expect(sundial.updateTask('sdk-1', { description: 'x' }, { ifMatch: 1 })).rejects.toBeInstanceOf(
      VersionMismatchError,
    );

    expect(await sundial.pauseTask('sdk-1', { ifMatch: 2 })).toMatchObject({ state: 'paused', version: 3 });
    clock.set('2026-12-01T12:40:00Z');
    // Default misfire policy `once`: the latest paused-over occurrence is due at once and fires, alone.
    expect(await sundial.resumeTask('sdk-1')).toMatchObject({
      state: 'active',
      nextRunAt: '2026-12-01T12:30:00.000Z',
    });

    const run = await sundial.runTask('sdk-1');
    expect(run).toMatchObject({ taskId: 'sdk-1', source: 'manual', requestedAt: '2026-12-01T12:40:00.000Z' });
    await cloud.settle();
    // The resume started a tick for the one catch-up run of the pause (`once`: the latest missed
    // occurrence, 12:30); the run-now went straight to the fire queue. A later tick adds nothing.
    await cloud.tick();
    // Two independent deliveries: their order is not part of the contract.
    expect(received).toHaveLength(2);
    expect(received).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          taskId: 'sdk-1',
          source: 'schedule',
          scheduledAt: '2026-12-01T12:30:00.000Z',
        }),
        expect.objectContaining({ taskId: 'sdk-1', runId: run.runId, source: 'manual' }),
      ]),
    );
    expect((await sundial.listRuns('sdk-1')).runs).toContainEqual(
      expect.objectContaining({ runId: run.runId, source: 'manual', status: 'delivered' }),
    );

    await sundial.deleteTask('sdk-1');
    await expect(sundial.getTask('sdk-1')).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(sundial.deleteTask('sdk-1')).rejects.toMatchObject({ status: 404 });
  });

  it('throws typed errors: conflict, validation with field paths, oversize payload', async () => {
    await sundial.createTask(def('sdk-dup'));
    await expect(sundial.createTask(def('sdk-dup'))).rejects.toBeInstanceOf(TaskConflictError);
    expect(await sundial.createTask({ ...def('sdk-dup'), replaceExisting: true })).toMatchObject({
      version: 2,
    });

    const invalid = await sundial
      .createTasks([def('sdk-b0'), def('sdk-b1', { timezone: 'Mars/Olympus' })])
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).errors.map((e) => e.path)).toEqual(['tasks.1.timezone']);
    await expect(sundial.getTask('sdk-b0')).rejects.toBeInstanceOf(TaskNotFoundError);

    const big = await sundial
      .createTask(def('sdk-big', { payload: 'x'.repeat(MAX_PAYLOAD_BYTES) }))
      .catch((e: unknown) => e);
    expect((big as ValidationError).errors).toEqual([
      { path: 'payload', message: expect.stringContaining('bytes') },
    ]);
  });

  it('carries the request id the API echoed and logged on every error answer', async () => {
    const sent: string[] = [];
    // A pass-through fetch that only records the header: the answer comes from the real local API.
    const recording: typeof fetch = (url, init) => {
      sent.push(new Headers(init?.headers).get('x-request-id') ?? '');
      return fetch(url, init);
    };
    const client = new SundialClient({ endpoint: cloud.apiUrl, fetch: recording });
    const missing = await client.getTask('sdk-none').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TaskNotFoundError);
    expect((missing as TaskNotFoundError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent).toEqual([(missing as TaskNotFoundError).requestId]);
    const answer = await fetch(`${cloud.apiUrl}/v1/tasks/sdk-none`, {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(answer.headers.get('x-request-id')).toBe('abc-123');
  });

  it('creates a batch and pages through it with the paginators', async () => {
    const tasks = await sundial.createTasks(
      Array.from({ length: 25 }, (_, i) => def(`sdk-page-${i}`, { group: 'sdk-pages' })),
    );
    expect(tasks).toHaveLength(25);
    const ids: string[] = [];
    let pages = 0;
    for await (const page of sundial.paginateTasks({ group: 'sdk-pages', limit: 10 })) {
      pages++;
      ids.push(...page.tasks.map((t: Task) => t.id));
    }
    expect(pages).toBe(3);
    expect(ids.sort()).toEqual(tasks.map((t) => t.id).sort());

    for (let i = 0; i < 3; i++) await sundial.runTask('sdk-page-0');
    await cloud.settle(); // run-now starts a tick of the task's shard at once
    // Requests queued while that tick still delivered an earlier one wait for the next tick.
    await cloud.tick();
    await cloud.settle();
    const runIds: string[] = [];
    for await (const page of sundial.paginateRuns('sdk-page-0', { limit: 2 })) {
      runIds.push(...page.runs.map((r) => r.runId));
    }
    expect(runIds).toHaveLength(3);
    expect([...runIds].sort().reverse()).toEqual(runIds); // newest first
  });

  it('pauses, resumes and deletes a group', async () => {
    expect(await sundial.pauseGroup('sdk-pages')).toEqual({ group: 'sdk-pages', matched: 25, changed: 25 });
    expect((await sundial.listTasks({ group: 'sdk-pages', state: 'paused', limit: 100 })).tasks).toHaveLength(
      25,
    );
    expect(await sundial.resumeGroup('sdk-pages')).toMatchObject({ changed: 25 });
    expect(await sundial.deleteGroup('sdk-pages')).toMatchObject({ changed: 25 });
    expect((await sundial.listTasks({ group: 'sdk-pages' })).tasks).toEqual([]);
  });

  it('reads, pauses and resumes the scheduler, and previews a schedule', async () => {
    expect(await sundial.getScheduler()).toMatchObject({ name: 'sundial-tick', state: 'ENABLED' });
    expect(await sundial.pauseScheduler()).toMatchObject({ state: 'DISABLED' });
    expect(await sundial.getScheduler()).toMatchObject({ state: 'DISABLED' });
    expect(await sundial.resumeScheduler()).toMatchObject({ state: 'ENABLED' });

    const preview = await sundial.previewSchedule({
      schedule: { every: { hours: 6 } },
      from: '2026-12-01T00:00:00Z',
      startAt: '2026-12-01T00:00:00Z',
      count: 3,
    });
    expect(preview.occurrences).toEqual([
      '2026-12-01T06:00:00.000Z',
      '2026-12-01T12:00:00.000Z',
      '2026-12-01T18:00:00.000Z',
    ]);
  });
});
