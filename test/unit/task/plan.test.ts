import { describe, expect, it } from 'vitest';
import { buildTask } from '../../../lib/task/model';
import {
  DEFAULT_MISFIRE,
  fireTimeOf,
  MAX_FIRES_PER_PLAN,
  MISFIRE_ALL_CAP,
  nextRunOnResume,
  type PlanTask,
  planDue,
} from '../../../lib/task/plan';
import { TaskInput } from '../../../lib/task/schemas';
import { parseOrThrow } from '../../../lib/task/validate';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const created = t('2026-06-01T00:00:00Z');

function task(over: Record<string, unknown> = {}, state: Partial<PlanTask> = {}): PlanTask {
  const input = parseOrThrow(TaskInput, {
    target: { function: 'sundial-x' },
    schedule: { cron: '0 * * * *' },
    ...over,
  });
  return { ...buildTask({ ...input, id: 'task-1' }, created), ...state };
}

describe('planDue: on time', () => {
  it('fires the due occurrence and moves to the next one', () => {
    const plan = planDue(task(), t('2026-06-01T01:00:00Z'), t('2026-06-01T01:00:05Z'));
    expect(plan.fire).toEqual([
      { scheduledAt: t('2026-06-01T01:00:00Z'), fireAt: t('2026-06-01T01:00:00Z') },
    ]);
    expect(iso(plan.nextRunAt)).toBe('2026-06-01T02:00:00.000Z');
    expect(plan).toMatchObject({ runCount: 1, skipped: 0, late: 0 });
  });

  it('plans nothing before the occurrence fires', () => {
    const plan = planDue(task(), t('2026-06-01T01:00:00Z'), t('2026-06-01T00:59:00Z'));
    expect(plan).toMatchObject({ fire: [], runCount: 0, nextRunAt: t('2026-06-01T01:00:00Z') });
  });

  it('looks ahead to the horizon, ascending, capped per plan', () => {
    const every = task({ schedule: { every: { seconds: 10 } } });
    const start = t('2026-06-01T00:00:10Z');
    const plan = planDue(every, start, start, start + 50_000);
    expect(plan.fire.map((f) => f.scheduledAt - start)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000]);
    expect(plan.nextRunAt).toBe(start + 60_000);
    const capped = planDue(every, start, start, start + 3_600_000);
    expect(capped.fire).toHaveLength(MAX_FIRES_PER_PLAN);
    expect(capped.nextRunAt).toBe(start + MAX_FIRES_PER_PLAN * 10_000);
  });

  it('fires within the grace period as on time, whatever the policy', () => {
    const late = t('2026-06-01T01:00:00Z') + DEFAULT_MISFIRE.graceSeconds * 1000;
    const plan = planDue(task({ misfire: { policy: 'skip' } }), t('2026-06-01T01:00:00Z'), late);
    expect(plan).toMatchObject({ skipped: 0, late: 0, runCount: 1 });
  });

  it('stops at maxRuns and then has no next run', () => {
    const plan = planDue(
      task({ maxRuns: 2 }, { runCount: 1 }),
      t('2026-06-01T01:00:00Z'),
      t('2026-06-01T05:00:00Z'),
      t('2026-06-01T09:00:00Z'),
    );
    expect(plan.fire).toHaveLength(1);
    expect(plan).toMatchObject({ runCount: 2, nextRunAt: null });
  });

  it('ends with the window (endAt inclusive)', () => {
    const windowed = task({ endAt: '2026-06-01T02:00:00Z' });
    const plan = planDue(
      windowed,
      t('2026-06-01T01:00:00Z'),
      t('2026-06-01T01:00:00Z'),
      t('2026-06-01T03:00:00Z'),
    );
    expect(plan.fire.map((f) => iso(f.scheduledAt))).toEqual([
      '2026-06-01T01:00:00.000Z',
      '2026-06-01T02:00:00.000Z',
    ]);
    expect(plan.nextRunAt).toBeNull();
  });
});

describe('planDue: misfire policies (down from 01:00 to 05:30, hourly)', () => {
  const due = t('2026-06-01T01:00:00Z');
  const now = t('2026-06-01T05:30:00Z');

  it.each([
    ['skip', [], 5, '2026-06-01T06:00:00.000Z'],
    ['once', ['2026-06-01T05:00:00.000Z'], 4, '2026-06-01T06:00:00.000Z'],
    [
      'all',
      [
        '2026-06-01T01:00:00.000Z',
        '2026-06-01T02:00:00.000Z',
        '2026-06-01T03:00:00.000Z',
        '2026-06-01T04:00:00.000Z',
        '2026-06-01T05:00:00.000Z',
      ],
      0,
      '2026-06-01T06:00:00.000Z',
    ],
  ])('%s', (policy, fired, skipped, next) => {
    const plan = planDue(task({ misfire: { policy, graceSeconds: 60 } }), due, now);
    expect(plan.fire.map((f) => iso(f.scheduledAt))).toEqual(fired);
    expect(plan.skipped).toBe(skipped);
    expect(plan.late).toBe(fired.length);
    expect(iso(plan.nextRunAt)).toBe(next);
    expect(plan.runCount).toBe(fired.length);
  });

  it('a late run counts towards maxRuns, and all stops there', () => {
    const plan = planDue(task({ maxRuns: 3, misfire: { policy: 'all', graceSeconds: 60 } }), due, now);
    expect(plan.fire).toHaveLength(3);
    expect(plan).toMatchObject({ runCount: 3, nextRunAt: null });
  });

  it(`all is capped at ${MISFIRE_ALL_CAP}, the most recent, and the rest are counted as skipped`, () => {
    const minutely = task({ schedule: { cron: '* * * * *' }, misfire: { policy: 'all', graceSeconds: 0 } });
    const plan = planDue(minutely, t('2026-06-01T00:01:00Z'), t('2026-06-01T10:00:30Z'));
    expect(plan.fire).toHaveLength(MISFIRE_ALL_CAP);
    expect(iso(plan.fire.at(-1)?.scheduledAt ?? null)).toBe('2026-06-01T10:00:00.000Z');
    expect(plan.skipped).toBe(600 - MISFIRE_ALL_CAP);
    expect(iso(plan.nextRunAt)).toBe('2026-06-01T10:01:00.000Z');
  });

  it.each([
    ['once', 1],
    ['all', MISFIRE_ALL_CAP],
  ] as const)('a week-long outage on an every-second schedule stays bounded (%s)', (policy, fired) => {
    const dense = task({ schedule: { every: { seconds: 1 } }, misfire: { policy, graceSeconds: 0 } });
    const now = t('2026-06-08T00:00:00.500Z');
    const plan = planDue(dense, created, now);
    expect(plan.fire).toHaveLength(fired);
    expect(plan.fire.at(-1)?.scheduledAt).toBe(t('2026-06-08T00:00:00Z')); // the most recent missed one
    expect(plan.skipped).toBeGreaterThanOrEqual(10_000 - fired);
    expect(plan.skipped).toBeLessThan(7 * 86_400);
    expect(plan.nextRunAt).toBe(t('2026-06-08T00:00:01Z'));
  });
});

describe('jitter', () => {
  const jittered = task({ jitterSeconds: 30 });

  it('moves each occurrence by a deterministic offset within ±jitterSeconds', () => {
    const offsets = Array.from({ length: 200 }, (_, i) => {
      const at = created + i * 3_600_000;
      expect(fireTimeOf(jittered, at)).toBe(fireTimeOf({ ...jittered }, at)); // a retried tick agrees
      return fireTimeOf(jittered, at) - at;
    });
    for (const o of offsets) expect(Math.abs(o)).toBeLessThanOrEqual(30_000);
    expect(offsets.some((o) => o < -10_000)).toBe(true);
    expect(offsets.some((o) => o > 10_000)).toBe(true);
    expect(new Set(offsets).size).toBeGreaterThan(190);
  });

  it('differs between tasks at the same occurrence', () => {
    const at = t('2026-06-01T05:00:00Z');
    expect(fireTimeOf(jittered, at)).not.toBe(fireTimeOf({ ...jittered, id: 'task-2' }, at));
  });

  it('is absent without jitterSeconds', () => {
    expect(fireTimeOf(task(), created + 1)).toBe(created + 1);
  });

  it('planDue fires at the jittered time, reading the occurrence from nextRunAt, not the index key', () => {
    const scheduled = t('2026-06-01T01:00:00Z');
    const fireAt = fireTimeOf(jittered, scheduled);
    const plan = planDue({ ...jittered, nextRunAt: iso(scheduled) }, fireAt, Math.max(fireAt, scheduled));
    expect(plan.fire).toEqual([{ scheduledAt: scheduled, fireAt }]);
    expect(planDue({ ...jittered, nextRunAt: iso(scheduled) }, fireAt, fireAt - 1).fire).toEqual([]);
  });
});

describe('runImmediately', () => {
  it('fires once at creation, unjittered, then follows the schedule', () => {
    const immediate = task({ runImmediately: true, jitterSeconds: 60 });
    expect(immediate.nextRunAt).toBe(iso(created));
    expect(fireTimeOf(immediate, created)).toBe(created);
    const plan = planDue(immediate, created, created);
    expect(plan.fire).toEqual([{ scheduledAt: created, fireAt: created }]);
    expect(iso(plan.nextRunAt)).toBe('2026-06-01T01:00:00.000Z');
  });

  it('counts towards maxRuns', () => {
    const once = task({ runImmediately: true, maxRuns: 1 });
    expect(planDue(once, created, created)).toMatchObject({ runCount: 1, nextRunAt: null });
  });
});

describe('nextRunOnResume', () => {
  const pausedAt = '2026-06-01T01:00:00.000Z';
  const now = t('2026-06-01T04:10:00Z');

  it('skip: resumes at the first occurrence from now on; the paused-over ones never fire', () => {
    const paused = task({ misfire: { policy: 'skip' } }, { nextRunAt: pausedAt });
    expect(iso(nextRunOnResume(paused, now))).toBe('2026-06-01T05:00:00.000Z');
  });

  it.each([
    ['once', '2026-06-01T04:00:00.000Z', 1],
    ['all', pausedAt, 4], // 01:00 to 04:00
  ] as const)('%s: resumes at %s, and the tick fires %i paused-over occurrence(s)', (policy, at, fired) => {
    // A grace longer than the pause: every paused-over occurrence is still on time, and `once` must
    // still fire only one of them (issue 9).
    const paused = task({ misfire: { policy, graceSeconds: 86_400 } }, { nextRunAt: pausedAt });
    const resumed = nextRunOnResume(paused, now) as number;
    expect(iso(resumed)).toBe(at);
    const plan = planDue({ ...paused, nextRunAt: iso(resumed) }, resumed, now);
    expect(plan.fire).toHaveLength(fired);
    expect(iso(plan.nextRunAt)).toBe('2026-06-01T05:00:00.000Z');
  });

  it('once: a dense schedule paused for a year resumes at its latest paused-over occurrence, found quickly', () => {
    const dense = task({ schedule: { every: { seconds: 1 } } }, { nextRunAt: '2025-06-01T00:00:00.000Z' });
    expect(iso(nextRunOnResume(dense, now))).toBe('2026-06-01T04:09:59.000Z');
  });

  it('keeps a next run that is still ahead', () => {
    const paused = task({}, { nextRunAt: '2026-06-01T05:00:00.000Z' });
    expect(iso(nextRunOnResume(paused, now))).toBe('2026-06-01T05:00:00.000Z');
  });

  it('has nothing to resume once the runs are used up', () => {
    expect(nextRunOnResume(task({ maxRuns: 1 }, { nextRunAt: null, runCount: 1 }), now)).toBeNull();
  });
});
