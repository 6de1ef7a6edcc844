import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closeHandoffs,
  compactHandoffs,
  HANDOFF_RETAIN_MS,
  type Handoff,
  handoffFires,
  isDeliverable,
  taskAsOf,
} from '../../../lib/task/in-flight';
import { buildTask, toIso } from '../../../lib/task/model';
import { planDue } from '../../../lib/task/plan';
import { type Task, TaskInput } from '../../../lib/task/schemas';
import { parseOrThrow } from '../../../lib/task/validate';

const T0 = Date.parse('2026-06-01T00:00:00Z');

function task(over: Record<string, unknown> = {}): Task {
  const input = parseOrThrow(TaskInput, {
    target: { function: 'sundial-x' },
    schedule: { every: { seconds: 10 } },
    ...over,
  });
  return buildTask({ ...input, id: 'task-1' }, T0);
}

/** What the tick does: plan at `now`, record the hand-off, store the counters as if all fired. */
function handOff(stored: Task, now: number, horizon: number) {
  const plan = planDue(stored, Date.parse(stored.nextRunAt as string), now, horizon);
  const record: Handoff = {
    at: now,
    from: plan.fire[0]?.scheduledAt as number,
    count: plan.fire.length,
    lastFire: Math.max(...plan.fire.map((f) => f.fireAt)),
    runCountBefore: stored.runCount,
    lastRunAtBefore: stored.lastRunAt === null ? null : Date.parse(stored.lastRunAt),
  };
  const after: Task = {
    ...stored,
    runCount: plan.runCount,
    lastRunAt: plan.fire.length ? toIso(plan.fire.at(-1)?.scheduledAt as number) : stored.lastRunAt,
    nextRunAt: plan.nextRunAt === null ? null : toIso(plan.nextRunAt),
    state: plan.nextRunAt === null ? 'completed' : stored.state,
  };
  return { plan, record, after };
}

describe('handoffFires', () => {
  it('recomputes exactly the fires the tick planned, misfires, jitter and maxRuns included', () => {
    fc.assert(
      fc.property(
        fc.record({
          seconds: fc.integer({ min: 1, max: 600 }),
          jitterSeconds: fc.integer({ min: 0, max: 30 }),
          policy: fc.constantFrom('skip', 'once', 'all'),
          graceSeconds: fc.integer({ min: 0, max: 600 }),
          maxRuns: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
          downMs: fc.integer({ min: 0, max: 3_600_000 }),
        }),
        ({ seconds, jitterSeconds, policy, graceSeconds, maxRuns, downMs }) => {
          const stored = task({
            schedule: { every: { seconds } },
            jitterSeconds,
            misfire: { policy, graceSeconds },
            ...(maxRuns === undefined ? {} : { maxRuns }),
          });
          const now = T0 + downMs;
          const { plan, record } = handOff(stored, now, now + 120_000);
          if (plan.fire.length === 0) return;
          expect(handoffFires(stored, record)).toEqual(plan.fire);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('closeHandoffs and taskAsOf', () => {
  const stored = task();
  const { record, after } = handOff(stored, T0 + 1_000, T0 + 121_000); // 12 fires, :10 … 2:00
  const handoffs = { tok: record };

  it('a reader sees only the fires already due: counters and next run as of now', () => {
    expect(after).toMatchObject({ runCount: 12, nextRunAt: '2026-06-01T00:02:10.000Z' });
    expect(taskAsOf(after, handoffs, T0 + 35_000)).toMatchObject({
      runCount: 3,
      lastRunAt: '2026-06-01T00:00:30.000Z',
      nextRunAt: '2026-06-01T00:00:40.000Z',
      state: 'active',
    });
    expect(taskAsOf(after, handoffs, T0 + 5_000)).toMatchObject({ runCount: 0, lastRunAt: null });
    expect(taskAsOf(after, handoffs, T0 + 200_000)).toEqual(after);
  });

  it('closing takes back the later fires and rewinds the counters; the worker drops them', () => {
    const closed = closeHandoffs(after, handoffs, T0 + 41_500);
    expect(closed.takenBack).toBe(8);
    expect(closed.task).toMatchObject({ runCount: 4, nextRunAt: '2026-06-01T00:00:50.000Z' });
    const tok = closed.handoffs.tok as Handoff;
    expect(tok).toMatchObject({
      closedAt: T0 + 41_500,
      count: 4,
      lastFire: T0 + 40_000,
      keptThrough: T0 + 40_000,
    });
    expect(isDeliverable(tok, T0 + 40_000)).toBe(true);
    expect(isDeliverable(tok, T0 + 50_000)).toBe(false);
    // Closing again changes nothing; a later view agrees with the closed counters.
    expect(closeHandoffs(closed.task, closed.handoffs, T0 + 45_000).takenBack).toBe(0);
    expect(taskAsOf(closed.task, closed.handoffs, T0 + 100_000)).toEqual(closed.task);
  });

  it('a completed one-off taken back before it fires is active again, never counted', () => {
    const once = task({ schedule: { at: '2026-06-01T00:01:00Z' } });
    const h = handOff(once, T0 + 1_000, T0 + 121_000);
    expect(h.after.state).toBe('completed');
    const closed = closeHandoffs(h.after, { t: h.record }, T0 + 30_000);
    expect(closed.task).toMatchObject({
      state: 'active',
      runCount: 0,
      nextRunAt: '2026-06-01T00:01:00.000Z',
    });
  });

  it('with jitter, the fires kept are those before the first one past the cutoff: counters and worker agree', () => {
    // Every 10 s with 30 s of jitter: fire times are not in the order of the occurrences.
    const jittered = task({ jitterSeconds: 30 });
    const h = handOff(jittered, T0 + 1_000, T0 + 121_000);
    const fires = handoffFires(jittered, h.record);
    const cutoff = T0 + 72_000;
    const firstPast = fires.findIndex((f) => f.fireAt > cutoff);
    const closed = closeHandoffs(h.after, { t: h.record }, cutoff);
    const delivered = fires.filter((f) => isDeliverable(closed.handoffs.t, f.scheduledAt));
    expect(delivered).toEqual(fires.slice(0, firstPast));
    expect(closed.task.runCount).toBe(delivered.length);
    expect(closed.task.nextRunAt).toBe(toIso(fires[firstPast]?.scheduledAt as number));
  });

  it('forgets hand-offs long past their last fire, and only those', () => {
    expect(Object.keys(compactHandoffs(handoffs, record.lastFire + HANDOFF_RETAIN_MS))).toEqual(['tok']);
    expect(compactHandoffs(handoffs, record.lastFire + HANDOFF_RETAIN_MS + 1)).toEqual({});
    expect(isDeliverable(undefined, T0)).toBe(false);
  });
});
