import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { startTestCloud } from '../support/cloud';
import { HookedClock } from '../support/dispatch';

// Issue 8's property: whatever interleaving of run-now, tick, pause, resume, PATCH and replace a task
// goes through, a quiet tick afterwards leaves no active task with its next run in the past, and no
// scheduled occurrence is delivered twice.
const T0 = Date.parse('2026-12-01T12:00:00Z');
const received: DeliveryEvent[] = [];
const clock = new HookedClock(T0);
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-run-now-interleavings', clock, received);
});
afterAll(() => cloud?.stop());

const SCHEDULES = [
  { every: { seconds: 10 } },
  { cron: '*/15 * * * * *' },
  { cron: '* * * * *' },
  { at: '+90s' }, // resolved against the clock when the task is (re)created
] as const;
const ACTIONS = ['runNow', 'pause', 'resume', 'patch', 'replace', 'advance'] as const;
type Action = (typeof ACTIONS)[number];
interface UserStep {
  action: Action;
  task: number;
}
/** A tick, with the user actions that land while it waits for an occurrence's second. */
interface TickStep {
  action: 'tick';
  during: UserStep[];
}
type Step = UserStep | TickStep;

const action = fc.record({ action: fc.constantFrom(...ACTIONS), task: fc.nat(2) });
const step: fc.Arbitrary<Step> = fc.oneof(
  action,
  fc.record({ action: fc.constant('tick' as const), during: fc.array(action, { maxLength: 3 }) }),
);

function definition(id: string, kind: number) {
  const schedule = SCHEDULES[kind % SCHEDULES.length] ?? SCHEDULES[0];
  const resolved = 'at' in schedule ? { at: new Date(clock.now() + 90_000).toISOString() } : schedule;
  return { id, target: { function: 'sundial-recorder' }, schedule: resolved };
}

async function perform(run: number, { action, task }: UserStep) {
  const tasks = cloud.runtime.tasks;
  const id = `r${run}-t${task}`;
  const ignoreMissing = (error: unknown) => {
    if ((error as { name?: string }).name !== 'TaskNotFoundError') throw error;
  };
  switch (action) {
    case 'runNow':
      await tasks.runTask(id).catch(ignoreMissing);
      break;
    case 'pause':
      await tasks.pauseTask(id).catch(ignoreMissing);
      break;
    case 'resume':
      await tasks.resumeTask(id).catch(ignoreMissing);
      break;
    case 'patch':
      await tasks
        .updateTask(id, { payload: { at: clock.now() }, schedule: { every: { seconds: 20 } } })
        .catch(ignoreMissing);
      break;
    case 'replace':
      await tasks.createTask({ ...definition(id, task + run), replaceExisting: true });
      break;
    case 'advance':
      clock.advance(7_000);
      break;
  }
}

async function tick(during: UserStep[], run: number) {
  let pending = [...during];
  clock.onSleep = async () => {
    const now = pending;
    pending = [];
    for (const a of now) await perform(run, a);
  };
  await cloud.tick();
  clock.onSleep = undefined;
  for (const a of pending) await perform(run, a);
  await cloud.settle();
}

describe('run-now interleavings (issue 8)', () => {
  it('a quiet tick leaves every active task with its next run ahead, and nothing fired twice', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        run++;
        for (let t = 0; t < 3; t++)
          await cloud.runtime.tasks.createTask(definition(`r${run}-t${t}`, t + run));
        for (const s of steps) {
          if (s.action === 'tick') await tick(s.during, run);
          else await perform(run, s);
          await cloud.settle();
        }
        // The quiet tick, at the next minute: no user action races it.
        clock.set(Math.ceil((clock.now() + 1) / 60_000) * 60_000);
        const quietAt = clock.now();
        await tick([], run);
        for (let t = 0; t < 3; t++) {
          const task = await cloud.runtime.tasks.getTask(`r${run}-t${t}`);
          if (task.state === 'active') expect(Date.parse(task.nextRunAt as string)).toBeGreaterThan(quietAt);
        }
        const scheduled = received.filter((e) => e.taskId.startsWith(`r${run}-`) && e.source === 'schedule');
        const runIds = scheduled.map((e) => e.runId);
        expect(new Set(runIds).size).toBe(runIds.length);
        clock.advance(3_600_000); // the next run starts on fresh tasks, far from these ones' occurrences
      }),
      { seed: 20261201, numRuns: 12, endOnFailure: true },
    );
  }, 300_000);
});
