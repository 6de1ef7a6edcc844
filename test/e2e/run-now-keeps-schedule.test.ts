import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SundialClient } from '../../lib';
import type { LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

// Issue 8: once the tick had delivered the queued run-now requests, the task kept an empty `manualRuns`
// list; every later acknowledgement expected the attribute absent, failed, and the schedule stopped.
const T0 = Date.parse('2026-12-01T10:00:00Z');
const received: DeliveryEvent[] = [];
const clock = new ManualClock(T0);
let cloud: LocalCloud;
let sundial: SundialClient;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-run-now-keeps-schedule', clock, received);
  sundial = new SundialClient({ endpoint: cloud.apiUrl });
});
afterAll(() => cloud?.stop());

const of = (taskId: string, source: DeliveryEvent['source']) =>
  received.filter((e) => e.taskId === taskId && e.source === source);

/** Ticks once a minute for `minutes` minutes, as the local clock does, and waits for every delivery. */
async function tickMinutes(minutes: number) {
  for (let i = 0; i < minutes; i++) {
    const start = Math.ceil((clock.now() + 1) / 60_000) * 60_000;
    clock.set(start);
    await cloud.tick();
    await cloud.settle();
  }
}

describe('a run-now never stops the schedule (issue 8)', () => {
  it.each([
    ['every second', { every: { seconds: 1 } }],
    ['a 6-field cron', { cron: '* * * * * *' }],
  ])('%s: keeps firing every occurrence after a run-now', async (_name, schedule) => {
    const id = `s-${Object.keys(schedule)[0]}`;
    await sundial.createTask({ id, target: { function: 'sundial-recorder' }, schedule });
    const runNow = await sundial.runTask(id);
    await cloud.settle();
    expect(of(id, 'manual').map((e) => e.runId)).toEqual([runNow.runId]);

    const before = clock.now();
    await tickMinutes(3);
    const scheduled = of(id, 'schedule').map((e) => Date.parse(e.scheduledAt));
    // Every second from creation to the last tick's horizon, each once.
    expect(new Set(scheduled).size).toBe(scheduled.length);
    expect(scheduled.length).toBeGreaterThanOrEqual(180);
    expect(Math.max(...scheduled)).toBeGreaterThanOrEqual(before + 3 * 60_000);
    const task = await sundial.getTask(id);
    expect(task.runCount).toBe(scheduled.length);
    expect(Date.parse(task.nextRunAt as string)).toBeGreaterThan(clock.now());
  });

  it('a one-off that received a run-now still fires once and completes', async () => {
    clock.set(Math.ceil(clock.now() / 60_000) * 60_000 + 5_000);
    const at = new Date(clock.now() + 120_000).toISOString();
    await sundial.createTask({ id: 'once', target: { function: 'sundial-recorder' }, schedule: { at } });
    await sundial.runTask('once');
    await cloud.settle();
    await tickMinutes(4);
    expect(of('once', 'manual')).toHaveLength(1);
    expect(of('once', 'schedule').map((e) => e.scheduledAt)).toEqual([at]);
    expect(await sundial.getTask('once')).toMatchObject({ state: 'completed', runCount: 1, nextRunAt: null });
  });

  it('run-now requests before, between and after ticks, with pause and resume in between', async () => {
    clock.set(Math.ceil(clock.now() / 60_000) * 60_000 + 1_000);
    const id = 'mixed';
    await sundial.createTask({
      id,
      target: { function: 'sundial-recorder' },
      schedule: { every: { seconds: 10 } },
    });
    await sundial.runTask(id);
    await sundial.runTask(id);
    await tickMinutes(1);
    await sundial.runTask(id);
    await sundial.pauseTask(id);
    await sundial.runTask(id);
    await cloud.settle();
    await sundial.resumeTask(id);
    await tickMinutes(2);
    await sundial.runTask(id);
    await cloud.settle();
    await tickMinutes(2);
    expect(of(id, 'manual')).toHaveLength(5);
    const task = await sundial.getTask(id);
    expect(task.state).toBe('active');
    expect(Date.parse(task.nextRunAt as string)).toBeGreaterThan(clock.now());
    const scheduled = of(id, 'schedule').map((e) => e.scheduledAt);
    expect(new Set(scheduled).size).toBe(scheduled.length);
    expect(task.runCount).toBe(scheduled.length);
  });
});
