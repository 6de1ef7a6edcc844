import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTask, compileTaskSchedule } from '../../../lib/task/model';
import { fireTimeOf, MAX_FIRES_PER_PLAN, MISFIRE_ALL_CAP, planDue } from '../../../lib/task/plan';
import { TaskInput } from '../../../lib/task/schemas';

const created = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;

const scenario = fc.record({
  schedule: fc.oneof(
    fc.constantFrom({ cron: '*/10 * * * *' }, { cron: '0 * * * *' }, { cron: '30 2 * * *' }),
    fc.integer({ min: 30, max: 7200 }).map((seconds) => ({ every: { seconds } })),
  ),
  timezone: fc.constantFrom('UTC', 'America/New_York', 'Australia/Lord_Howe'),
  policy: fc.constantFrom('skip', 'once', 'all'),
  graceSeconds: fc.integer({ min: 0, max: 900 }),
  jitterSeconds: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
  maxRuns: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
  downFor: fc.integer({ min: 0, max: 48 * HOUR }),
  lookAhead: fc.integer({ min: 0, max: 2 * HOUR }),
});

describe('property: planDue', () => {
  it('fires ascending, within jitter, within maxRuns and the policy, and accounts for every late occurrence', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const task = buildTask(
          {
            ...TaskInput.parse({
              target: { function: 'sundial-x' },
              schedule: s.schedule,
              timezone: s.timezone,
              misfire: { policy: s.policy, graceSeconds: s.graceSeconds },
              jitterSeconds: s.jitterSeconds,
              maxRuns: s.maxRuns,
            }),
            id: 'prop',
          },
          created,
        );
        const first = Date.parse(task.nextRunAt as string);
        const now = first + s.downFor;
        const plan = planDue(task, fireTimeOf(task, first), now, now + s.lookAhead);

        const jitter = (s.jitterSeconds ?? 0) * 1000;
        let previous = Number.NEGATIVE_INFINITY;
        for (const f of plan.fire) {
          expect(f.scheduledAt).toBeGreaterThan(previous);
          expect(Math.abs(f.fireAt - f.scheduledAt)).toBeLessThanOrEqual(jitter);
          expect(f.fireAt).toBeLessThanOrEqual(now + s.lookAhead);
          previous = f.scheduledAt;
        }
        expect(plan.runCount).toBe(plan.fire.length);
        if (s.maxRuns !== undefined) expect(plan.runCount).toBeLessThanOrEqual(s.maxRuns);
        expect(plan.late).toBeLessThanOrEqual({ skip: 0, once: 1, all: MISFIRE_ALL_CAP }[s.policy]);
        expect(plan.fire.length - plan.late).toBeLessThanOrEqual(MAX_FIRES_PER_PLAN);
        if (plan.nextRunAt !== null) expect(plan.nextRunAt).toBeGreaterThan(previous);

        // Every occurrence found late is either fired (late) or skipped.
        const compiled = compileTaskSchedule(task);
        let lateCount = 0;
        for (let t: number | null = first; t !== null; t = compiled.next(t)) {
          if (fireTimeOf(task, t) >= now - s.graceSeconds * 1000) break;
          lateCount++;
        }
        if (s.maxRuns === undefined || lateCount <= s.maxRuns) {
          expect(plan.late + plan.skipped).toBe(lateCount);
        }
      }),
      { numRuns: 100 },
    );
  });
});
