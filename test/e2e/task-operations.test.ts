import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SundialClient, TaskNotFoundError, ValidationError, VersionMismatchError } from '../../lib';
import type { LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent, Problem, Task } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

// Issue 15: list-of-ids operations and moving next runs, through the HTTP API of the local cloud (the
// SDK for the happy paths, raw requests where the problem document is the point).
const T0 = Date.parse('2026-12-01T10:00:00Z');
const MIN = 60_000;
const received: DeliveryEvent[] = [];
const clock = new ManualClock(T0);
let cloud: LocalCloud;
let sundial: SundialClient;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-task-operations', clock, received);
  sundial = new SundialClient({ endpoint: cloud.apiUrl });
});
afterAll(() => cloud?.stop());

const iso = (ms: number) => new Date(ms).toISOString();

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text ? JSON.parse(text) : undefined,
  };
}

async function createAll(ids: string[], over: Record<string, unknown> = {}) {
  return sundial.createTasks(
    ids.map((id) => ({
      id,
      target: { function: 'sundial-recorder' },
      schedule: { cron: '0 * * * *' },
      ...over,
    })),
  );
}

/** The stored tasks, to compare before and after a refused request. */
const stored = async (ids: string[]) => (await sundial.getTasks(ids)).tasks;

describe('list-of-ids operations', () => {
  it('fetches tasks in the order asked and lists the ids not found', async () => {
    await createAll(['f1', 'f2']);
    const out = await sundial.getTasks(['f2', 'nope', 'f1']);
    expect(out.tasks.map((t) => t.id)).toEqual(['f2', 'f1']);
    expect(out.notFound).toEqual(['nope']);
  });

  it('pauses and resumes a list, all or nothing: a missing id is a 404 naming it, and nothing changes', async () => {
    await createAll(['p1', 'p2', 'p3']);
    const before = await stored(['p1', 'p2', 'p3']);
    const refused = await post('/v1/tasks/pause', { ids: ['p1', 'missing', 'p2'] });
    expect(refused.status).toBe(404);
    expect(refused.type).toBe('application/problem+json');
    expect((refused.body as Problem).errors).toEqual([
      { path: 'ids.1', message: "task 'missing' does not exist" },
    ]);
    expect(await stored(['p1', 'p2', 'p3'])).toEqual(before);
    await expect(sundial.pauseTasks(['p1', 'missing'])).rejects.toBeInstanceOf(TaskNotFoundError);

    const paused = await sundial.pauseTasks(['p1', 'p2', 'p3']);
    expect(paused.changed).toBe(3);
    expect(paused.tasks.map((t) => [t.id, t.state, t.version])).toEqual([
      ['p1', 'paused', 2],
      ['p2', 'paused', 2],
      ['p3', 'paused', 2],
    ]);
    expect((await sundial.pauseTasks(['p1', 'p2'])).changed).toBe(0);
    const resumed = await sundial.resumeTasks(['p1', 'p2', 'p3']);
    expect(resumed.tasks.every((t) => t.state === 'active' && t.version === 3)).toBe(true);
  });

  it.each([
    [{ ids: ['p1', 'has space'] }, 'ids.1', /letters, digits/],
    [{ ids: ['p1', 'p2', 'p1'] }, 'ids.2', /same id as ids.0/],
    [{ ids: [] }, 'ids', />=1/],
    [{ ids: Array.from({ length: 101 }, (_, i) => `x${i}`) }, 'ids', /<=100/],
    [{ ids: ['p1'], extra: true }, '', /unknown field\(s\): extra/],
  ])(
    'refuses a partly invalid list %# with a 400 naming the field, and changes nothing',
    async (body, path, message) => {
      const before = await stored(['p1', 'p2']);
      for (const route of ['pause', 'resume', 'delete', 'fetch']) {
        const refused = await post(`/v1/tasks/${route}`, body);
        expect(refused.status).toBe(400);
        expect(refused.body.errors[0].path).toBe(path);
        expect(refused.body.errors[0].message).toMatch(message);
      }
      expect(await stored(['p1', 'p2'])).toEqual(before);
    },
  );

  it('deletes a list all or nothing', async () => {
    await createAll(['d1', 'd2']);
    const refused = await post('/v1/tasks/delete', { ids: ['d1', 'gone', 'd2'] });
    expect(refused.status).toBe(404);
    expect(refused.body.errors).toEqual([{ path: 'ids.1', message: "task 'gone' does not exist" }]);
    expect((await sundial.getTasks(['d1', 'd2'])).notFound).toEqual([]);
    expect(await sundial.deleteTasks(['d1', 'd2'])).toEqual(['d1', 'd2']);
    expect((await sundial.getTasks(['d1', 'd2'])).notFound).toEqual(['d1', 'd2']);
  });
});

describe('setting next runs', () => {
  it('moves one task without changing its schedule; the schedule resumes from there', async () => {
    clock.set(T0);
    const [task] = await createAll(['r1'], { endAt: iso(T0 + 6 * 60 * MIN) });
    const moved = await sundial.rescheduleTask('r1', iso(T0 + 15 * MIN), { ifMatch: task?.version });
    expect(moved).toMatchObject({
      nextRunAt: iso(T0 + 15 * MIN),
      version: 2,
      schedule: { cron: '0 * * * *' },
    });
    await expect(sundial.rescheduleTask('r1', iso(T0 + 20 * MIN), { ifMatch: 1 })).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
    const late = await post('/v1/tasks/r1/reschedule', { nextRunAt: iso(T0 + 7 * 60 * MIN) });
    expect(late.status).toBe(400);
    expect(late.body.errors[0]).toMatchObject({
      path: 'nextRunAt',
      message: expect.stringMatching(/after endAt/),
    });
    const badDate = await post('/v1/tasks/r1/reschedule', { nextRunAt: '2027-02-30T10:00:00Z' });
    expect(badDate.body.errors[0]).toMatchObject({
      path: 'nextRunAt',
      message: expect.stringMatching(/calendar/),
    });

    clock.set(T0 + 15 * MIN);
    await cloud.tick();
    await cloud.settle();
    expect(received.filter((e) => e.taskId === 'r1').map((e) => e.scheduledAt)).toEqual([iso(T0 + 15 * MIN)]);
    expect(await sundial.getTask('r1')).toMatchObject({ runCount: 1, nextRunAt: iso(T0 + 60 * MIN) });
  });

  it('moves many tasks all or nothing: one bad time, a missing id or a stale version changes nothing', async () => {
    clock.set(T0 + 2 * 60 * MIN);
    await createAll(['m1', 'm2'], { endAt: iso(T0 + 10 * 60 * MIN) });
    const before = await stored(['m1', 'm2']);
    const at = iso(T0 + 3 * 60 * MIN + 5 * MIN);
    const badTime = await post('/v1/tasks/reschedule', {
      tasks: [
        { id: 'm1', nextRunAt: at },
        { id: 'm2', nextRunAt: iso(T0 + 11 * 60 * MIN) },
      ],
    });
    expect(badTime.status).toBe(400);
    expect(badTime.body.errors[0]).toMatchObject({ path: 'tasks.1.nextRunAt' });
    const missing = await post('/v1/tasks/reschedule', {
      tasks: [
        { id: 'm1', nextRunAt: at },
        { id: 'm9', nextRunAt: at },
      ],
    });
    expect(missing.status).toBe(404);
    expect(missing.body.errors).toEqual([{ path: 'tasks.1.id', message: "task 'm9' does not exist" }]);
    const stale = await post('/v1/tasks/reschedule', {
      tasks: [
        { id: 'm1', nextRunAt: at },
        { id: 'm2', nextRunAt: at, version: 7 },
      ],
    });
    expect(stale.status).toBe(412);
    const malformed = await post('/v1/tasks/reschedule', { tasks: [{ id: 'm1', nextRunAt: 'tomorrow' }] });
    expect(malformed.body.errors[0]).toMatchObject({ path: 'tasks.0.nextRunAt' });
    expect(await stored(['m1', 'm2'])).toEqual(before);

    const moved = await sundial.rescheduleTasks([
      { id: 'm1', nextRunAt: at },
      { id: 'm2', nextRunAt: at, version: 1 },
    ]);
    expect(moved.map((t) => [t.id, t.nextRunAt, t.version])).toEqual([
      ['m1', at, 2],
      ['m2', at, 2],
    ]);
    await expect(sundial.rescheduleTasks([{ id: 'm1', nextRunAt: 'x' }])).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('a list racing a tick', () => {
  const ids = Array.from({ length: 20 }, (_, i) => `race-${i}`);
  const deliveries = (id: string) => received.filter((e) => e.taskId === id && e.source === 'schedule');

  async function dueTasks(prefix: string): Promise<{ tasks: Task[]; due: number }> {
    clock.set(Math.ceil(clock.now() / (60 * MIN)) * 60 * MIN + 60 * MIN);
    const start = clock.now();
    const tasks = await sundial.createTasks(
      ids.map((id) => ({
        id: `${prefix}${id}`,
        target: { function: 'sundial-recorder' },
        schedule: { cron: '*/10 * * * *' },
      })),
    );
    clock.set(start + 10 * MIN);
    return { tasks, due: start + 10 * MIN };
  }

  /**
   * A latch, not a mock: the API's next transaction waits until a whole real tick has run, so the tick
   * fires the tasks between the list's read and its write (the write then finds dueAt moved, re-reads
   * and recomputes). Every DynamoDB call still goes to DynamoDB Local.
   */
  function tickBetweenReadAndWrite(): () => void {
    const doc = cloud.runtime.store.doc;
    const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
    let armed = true;
    (doc as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command) => {
      if (armed && command instanceof TransactWriteCommand) {
        armed = false;
        await cloud.tick();
      }
      return send(command);
    };
    return () => {
      (doc as unknown as { send: unknown }).send = send;
    };
  }

  /** After the race: each task fired its due occurrence at most once, and runCount says how often. */
  async function expectFiredAtMostOnce(tasks: Task[], due: number) {
    for (const t of tasks) {
      const fired = deliveries(t.id);
      expect(fired.map((e) => e.scheduledAt).every((s) => s === iso(due))).toBe(true);
      expect(fired.length).toBeLessThanOrEqual(1);
      expect((await sundial.getTask(t.id)).runCount).toBe(fired.length);
    }
  }

  it.each([
    ['a tick between the read and the write', true],
    ['a tick running at the same time', false],
  ])('moving next runs with %s: every move lands, nothing fires twice or is lost', async (_name, latched) => {
    const { tasks, due } = await dueTasks(latched ? 'mv-latched-' : 'mv-free-');
    const target = due + 25 * MIN;
    const moves = tasks.map((t) => ({ id: t.id, nextRunAt: iso(target) }));
    let moved: Task[];
    if (latched) {
      const restore = tickBetweenReadAndWrite();
      moved = await sundial.rescheduleTasks(moves).finally(restore);
    } else {
      [moved] = await Promise.all([sundial.rescheduleTasks(moves), cloud.tick()]);
    }
    await cloud.settle();
    expect(moved.every((t) => t.nextRunAt === iso(target))).toBe(true);
    await expectFiredAtMostOnce(tasks, due);
    if (latched) for (const t of tasks) expect(deliveries(t.id)).toHaveLength(1);
    for (const t of tasks) expect((await sundial.getTask(t.id)).nextRunAt).toBe(iso(target));

    clock.set(target);
    await cloud.tick();
    await cloud.settle();
    for (const t of tasks) {
      expect(deliveries(t.id).filter((e) => e.scheduledAt === iso(target))).toHaveLength(1);
      expect((await sundial.getTask(t.id)).nextRunAt).toBe(iso(target + 5 * MIN));
    }
  });

  it('pausing a list with a tick between the read and the write: every task ends paused and fires nothing more', async () => {
    const { tasks, due } = await dueTasks('pa-');
    const restore = tickBetweenReadAndWrite();
    const paused = await sundial.pauseTasks(tasks.map((t) => t.id)).finally(restore);
    await cloud.settle();
    expect(paused.changed).toBe(tasks.length);
    await expectFiredAtMostOnce(tasks, due);
    for (const t of tasks) {
      expect(deliveries(t.id)).toHaveLength(1);
      expect(await sundial.getTask(t.id)).toMatchObject({ state: 'paused', version: 2 });
    }
    clock.set(due + 30 * MIN);
    await cloud.tick();
    await cloud.settle();
    for (const t of tasks) expect(deliveries(t.id)).toHaveLength(1);
  });
});
