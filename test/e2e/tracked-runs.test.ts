import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SundialClient } from '../../lib';
import {
  LOCAL_FIRE_QUEUE,
  LOCAL_OUTCOME_QUEUE,
  LOCAL_RUN_DEAD_LETTERS,
  type LocalCloud,
} from '../../lib/local/cloud';
import type { DeliveryEvent, Run, TaskInput } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

// Issue 10: outcomes of local targets come back through the outcome queue, as registered targets' Lambda
// destinations do in AWS; retries, overlap slots and the sweeper run on the test's manual clock.
const T0 = Date.parse('2026-12-01T10:00:00Z');
const received: DeliveryEvent[] = [];
const clock = new ManualClock(T0);
let cloud: LocalCloud;
let sundial: SundialClient;

/** Attempts a run failed so far, by runId: `flaky` fails the first `payload.failures` attempts of a run. */
const failures = new Map<string, number>();
/** A latch per runId: `slow` waits until the test opens it. */
const latches = new Map<string, () => void>();
let running = 0;
let mostRunning = 0;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-tracked-runs', clock, received, {
    recorders: [],
    trackOutcomes: true,
    functions: [
      {
        name: 'sundial-flaky',
        handler: async (event: unknown) => {
          const e = event as DeliveryEvent;
          received.push(e);
          const failed = failures.get(e.runId) ?? 0;
          if (failed < (e.payload as { failures: number }).failures) {
            failures.set(e.runId, failed + 1);
            throw new Error(`boom ${e.attempt}`);
          }
          return { ok: true, attempt: e.attempt };
        },
      },
      {
        name: 'sundial-quick',
        timeoutMs: 5_000,
        handler: async (event: unknown) => void received.push(event as DeliveryEvent),
      },
      {
        name: 'sundial-slow',
        handler: async (event: unknown) => {
          const e = event as DeliveryEvent;
          received.push(e);
          running++;
          mostRunning = Math.max(mostRunning, running);
          await new Promise<void>((resolve) => latches.set(e.runId, resolve));
          running--;
          return 'done';
        },
      },
    ],
  });
  sundial = new SundialClient({ endpoint: cloud.apiUrl });
});
afterAll(async () => {
  for (const open of latches.values()) open();
  await cloud?.stop();
});

const runsOf = async (id: string): Promise<Run[]> => (await sundial.listRuns(id)).runs;
const eventsOf = (id: string) => received.filter((e) => e.taskId === id);
/** Milliseconds between a task's consecutive deliveries. */
const gapsOf = (id: string) =>
  eventsOf(id)
    .map((e) => Date.parse(e.firedAt))
    .map((t, i, all) => t - (all[i - 1] ?? t))
    .slice(1);

/** Moves the clock to the next minute's start and ticks there, as EventBridge Scheduler does. */
async function tickAtNextMinute() {
  clock.set(Math.ceil((clock.now() + 1) / 60_000) * 60_000);
  await cloud.tick();
}

/** A one-off on `sundial-flaky` 5 s after the next minute's tick, handed off by that tick; its time. */
async function flakyOneOff(id: string, failures: number, retry: TaskInput['retry']): Promise<string> {
  await tickAtNextMinute();
  const at = new Date(clock.now() + 5_000).toISOString();
  await sundial.createTask({
    id,
    target: { function: 'sundial-flaky' },
    payload: { failures },
    schedule: { at },
    retry,
  });
  await cloud.tick();
  return at;
}

/** Opens the latch of every slow run started so far, then waits for their outcomes. */
async function openLatches() {
  for (const [runId, open] of latches) {
    latches.delete(runId);
    open();
  }
  await cloud.settle();
}

describe('outcomes and retries', () => {
  it('retries a failing target with backoff and dead-letters its event after the last attempt', async () => {
    const at = await flakyOneOff('always-fails', 99, { maxAttempts: 3, delaySeconds: 10, backoffRate: 2 });
    await cloud.advanceTo(Date.parse(at) + 1_000);
    const [first] = await runsOf('always-fails');
    expect(first).toMatchObject({ status: 'failed', attempt: 1, errorType: 'Error', errorMessage: 'boom 1' });
    expect(Date.parse(first?.retryAt ?? '')).toBe(Date.parse(first?.finishedAt ?? '') + 10_000);

    await cloud.advanceTo(clock.now() + 60_000);
    const [last] = await runsOf('always-fails');
    expect(last).toMatchObject({ runId: first?.runId, status: 'failed', attempt: 3, errorMessage: 'boom 3' });
    expect(last?.retryAt).toBeUndefined();
    expect(last?.attempts?.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
    ]);
    // Delays of 10 s, then 20 s (backoff rate 2), each from the previous failure.
    const [gap1 = 0, gap2 = 0] = gapsOf('always-fails');
    expect(gap1).toBeGreaterThanOrEqual(10_000);
    expect(gap2).toBeGreaterThanOrEqual(20_000);
    expect(eventsOf('always-fails').map((e) => [e.runId, e.attempt])).toEqual([
      [first?.runId, 1],
      [first?.runId, 2],
      [first?.runId, 3],
    ]);
    const letters = cloud.queue.queue(LOCAL_RUN_DEAD_LETTERS).receive(10);
    expect(letters).toHaveLength(1);
    const letter = JSON.parse(letters[0]?.message.body ?? '{}');
    expect(letter).toMatchObject({
      event: { taskId: 'always-fails', runId: first?.runId, attempt: 3, payload: { failures: 99 } },
      status: 'failed',
      errorMessage: 'boom 3',
    });
    expect(await sundial.getTask('always-fails')).toMatchObject({
      lastStatus: 'failed',
      consecutiveFailures: 1,
      lastError: 'Error: boom 3',
      runsInProgress: 0,
    });
  });

  it('a target that succeeds on the 2nd attempt ends succeeded with attempt 2', async () => {
    const at = await flakyOneOff('second-time', 1, { maxAttempts: 3, delaySeconds: 5 });
    await cloud.advanceTo(Date.parse(at) + 30_000);
    const runs = await runsOf('second-time');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'succeeded', attempt: 2, response: '{"ok":true,"attempt":2}' });
    expect(runs[0]?.attempts?.map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(await sundial.getTask('second-time')).toMatchObject({
      lastStatus: 'succeeded',
      consecutiveFailures: 0,
    });
  });

  it('honours a PATCH of the retry policy between attempts', async () => {
    const at = await flakyOneOff('patched', 99, { maxAttempts: 2, delaySeconds: 30 });
    await cloud.advanceTo(Date.parse(at) + 1_000);
    expect((await runsOf('patched'))[0]).toMatchObject({ attempt: 1, status: 'failed' });
    await sundial.updateTask('patched', { retry: { maxAttempts: 4, delaySeconds: 3, backoffRate: 1 } });
    await cloud.advanceTo(clock.now() + 120_000);
    const [run] = await runsOf('patched');
    // Attempt 2 was scheduled under the old policy (30 s); the failures after the PATCH follow the new one.
    expect(run).toMatchObject({ attempt: 4, status: 'failed' });
    const [gap1 = 0, , gap3 = 0] = gapsOf('patched');
    expect(gap1).toBeGreaterThanOrEqual(30_000);
    expect(gap3).toBeLessThan(10_000);
  });

  it('a duplicated outcome message changes nothing', async () => {
    await tickAtNextMinute();
    const at = new Date(clock.now() + 5_000).toISOString();
    await sundial.createTask({
      id: 'twice-told',
      target: { function: 'sundial-flaky' },
      payload: { failures: 1 },
      schedule: { at },
      retry: { maxAttempts: 2, delaySeconds: 20 },
    });
    const outcomes = cloud.queue.queue(LOCAL_OUTCOME_QUEUE);
    const bodies: string[] = [];
    const unsubscribe = outcomes.subscribe(() => undefined);
    const send = outcomes.send.bind(outcomes);
    outcomes.send = (input) => {
      bodies.push(input.body);
      return send(input);
    };
    await cloud.tick();
    await cloud.advanceTo(Date.parse(at) + 1_000);
    outcomes.send = send;
    unsubscribe();
    const before = await runsOf('twice-told');
    expect(before[0]).toMatchObject({ status: 'failed', attempt: 1 });
    // The same record again, as Lambda may deliver a destination record more than once.
    for (const body of bodies) outcomes.send({ body, attributes: {} });
    await cloud.settle();
    expect(await runsOf('twice-told')).toEqual(before);
    await cloud.advanceTo(clock.now() + 60_000);
    expect(eventsOf('twice-told').map((e) => e.attempt)).toEqual([1, 2]);
    expect((await runsOf('twice-told'))[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
  });
});

describe('duplicates', () => {
  it('a fire message delivered twice invokes a tracked target once', async () => {
    await tickAtNextMinute();
    const fire = cloud.queue.queue(LOCAL_FIRE_QUEUE);
    const send = fire.send.bind(fire);
    // Every fire message arrives twice, as SQS may deliver a message more than once.
    fire.send = (input) => {
      send(input);
      return send(input);
    };
    await sundial.createTask({
      id: 'doubled',
      target: { function: 'sundial-quick' },
      schedule: { every: { seconds: 10 } },
    });
    await cloud.tick();
    await cloud.advanceTo(clock.now() + 59_000);
    fire.send = send;
    const runIds = eventsOf('doubled').map((e) => e.runId);
    expect(runIds.length).toBeGreaterThanOrEqual(5);
    expect(new Set(runIds).size).toBe(runIds.length);
    const runs = await runsOf('doubled');
    expect(runs.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
    await sundial.pauseTask('doubled');
  });
});

describe('overlap', () => {
  it('skip: never more than maxConcurrent in progress, skipped occurrences recorded', async () => {
    await tickAtNextMinute();
    mostRunning = 0;
    await sundial.createTask({
      id: 'skipper',
      target: { function: 'sundial-slow' },
      schedule: { every: { seconds: 10 } },
      overlap: { policy: 'skip', maxConcurrent: 2 },
    });
    await cloud.tick();
    // Six occurrences in the next minute while no run ends: two start, four are skipped.
    await cloud.events.advanceTo(clock.now() + 59_000);
    await cloud.outcomeEvents.deliverVisible();
    expect(mostRunning).toBe(2);
    const runs = await runsOf('skipper');
    expect(runs.filter((r) => r.status === 'delivered')).toHaveLength(2);
    const skipped = runs.filter((r) => r.status === 'skipped');
    expect(skipped.length).toBeGreaterThanOrEqual(3);
    expect(skipped.every((r) => r.reason === 'overlap')).toBe(true);
    expect(await sundial.getTask('skipper')).toMatchObject({ runsInProgress: 2 });
    await openLatches();
    expect((await runsOf('skipper')).filter((r) => r.status === 'succeeded')).toHaveLength(2);
    expect(await sundial.getTask('skipper')).toMatchObject({ runsInProgress: 0 });
    await sundial.pauseTask('skipper');
  });

  it('queue: a queued occurrence fires as soon as a slot frees, one at a time', async () => {
    await tickAtNextMinute();
    mostRunning = 0;
    await sundial.createTask({
      id: 'queuer',
      target: { function: 'sundial-slow' },
      schedule: { every: { seconds: 20 } },
      overlap: { policy: 'queue', maxConcurrent: 1 },
    });
    await cloud.tick();
    await cloud.events.advanceTo(clock.now() + 65_000);
    expect(eventsOf('queuer')).toHaveLength(1);
    expect(await sundial.getTask('queuer')).toMatchObject({ runsInProgress: 1, queuedRuns: 2 });
    // Each outcome frees the slot for the oldest queued occurrence, which fires at once, as attempt 1.
    for (let n = 2; n <= 3; n++) {
      for (const [runId, open] of latches) {
        latches.delete(runId);
        open();
      }
      await cloud.lambda.drain();
      await cloud.outcomeEvents.deliverVisible();
      await cloud.events.deliverVisible();
      expect(eventsOf('queuer')).toHaveLength(n);
    }
    expect(mostRunning).toBe(1);
    const events = eventsOf('queuer');
    expect(events.map((e) => e.attempt)).toEqual([1, 1, 1]);
    expect(new Set(events.map((e) => e.scheduledAt)).size).toBe(3);
    await sundial.pauseTask('queuer');
    await openLatches();
  });

  it('a run whose outcome never comes is closed as timed_out and its slot freed', async () => {
    await tickAtNextMinute();
    // The outcome of this task's first run is lost (as a crashed function's would be).
    const report = cloud.lambda.onAsyncOutcome;
    let lost = 0;
    cloud.lambda.onAsyncOutcome = (name, event, outcome) => {
      if ((event as DeliveryEvent).taskId === 'crashy' && lost++ === 0) return;
      report(name, event, outcome);
    };
    await sundial.createTask({
      id: 'crashy',
      target: { function: 'sundial-quick' },
      schedule: { every: { minutes: 1 } },
      overlap: { policy: 'skip', maxConcurrent: 1 },
    });
    await cloud.tick();
    await cloud.advanceTo(clock.now() + 59_000);
    expect(await sundial.getTask('crashy')).toMatchObject({ runsInProgress: 1 });
    // Its deadline: 5 s (the function's timeout) + 60 s of margin after the fire. The next occurrence,
    // a minute later, is skipped: the slot is still held.
    await tickAtNextMinute();
    await cloud.advanceTo(clock.now() + 30_000);
    expect((await runsOf('crashy')).map((r) => r.status)).toContain('skipped');
    // The next scheduled tick sweeps: the run is closed, the slot freed, and the next occurrence runs.
    await tickAtNextMinute();
    const [timedOut] = (await runsOf('crashy')).filter((r) => r.status === 'timed_out');
    expect(timedOut).toMatchObject({ errorType: 'Sundial.NoOutcome', attempt: 1 });
    await cloud.advanceTo(clock.now() + 30_000);
    expect((await runsOf('crashy')).filter((r) => r.status === 'succeeded')).toHaveLength(1);
    expect(await sundial.getTask('crashy')).toMatchObject({ runsInProgress: 0, lastStatus: 'succeeded' });
    cloud.lambda.onAsyncOutcome = report;
    await sundial.pauseTask('crashy');
  });
});
