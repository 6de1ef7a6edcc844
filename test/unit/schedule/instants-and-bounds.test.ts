import { describe, expect, it } from 'vitest';
import { createApp } from '../../../lib/api/app';
import { TaskService } from '../../../lib/api/task-service';
import { ScheduleSearchLimitError, ValidationError } from '../../../lib/errors';
import {
  compileSchedule,
  instantProblem,
  parseInstant,
  readDateTime,
  searchBudget,
} from '../../../lib/schedule';
import { buildTask } from '../../../lib/task/model';
import { previewSchedule } from '../../../lib/task/preview';
import { PROBLEM_TYPES, type Problem, TaskInput } from '../../../lib/task/schemas';
import { parseOrThrow } from '../../../lib/task/validate';
import { ManualClock } from '../../support/clock';

const now = Date.parse('2026-06-01T00:00:00Z');
const create = (fields: Record<string, unknown>) =>
  buildTask(
    {
      ...parseOrThrow(TaskInput, {
        target: { function: 'sundial-x' },
        schedule: { cron: '* * * * *' },
        ...fields,
      }),
      id: 't',
    },
    now,
  );
const errorsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
};

describe('one strict ISO 8601 parser for every instant (issue 16)', () => {
  // Each of these was accepted before: Date.parse rolls 30 February over and reads free text.
  it.each([
    ['2027-02-30T10:00:00Z', /not a date on the calendar \(2027-02 has 28 days\)/],
    ['2027-04-31T10:00:00+01:00', /not a date on the calendar \(2027-04 has 30 days\)/],
    ['foo 2030 12:00 Z', /not an ISO 8601 date-time/],
    ['+275760-09-13T00:00:00Z', /not an ISO 8601 date-time/],
    ['9999-12-31T23:59:59-14:00', /outside the instants Sundial supports/],
    ['1969-12-31T23:59:59Z', /outside the instants Sundial supports/],
    ['2026-12-01T24:00:00Z', /not a time of day/],
    ['2026-12-01T09:00:60Z', /not a time of day/],
    ['2026-12-01T09:00:00+19:00', /offset/],
    ['2026-12-01 09:00:00Z', /not an ISO 8601 date-time/],
  ])('schedule.at %s is refused', (at, message) => {
    const errors = errorsOf(() => create({ schedule: { at } }));
    expect(errors[0]).toMatchObject({ path: 'schedule.at' });
    expect(errors[0]?.message).toMatch(message);
  });

  it.each(['startAt', 'endAt'])(
    '%s goes through the same parser (9999-12-31T23:59:59-14:00 is UTC year 10000)',
    (field) => {
      const errors = errorsOf(() => create({ [field]: '9999-12-31T23:59:59-14:00' }));
      expect(errors[0]).toEqual({
        path: field,
        message:
          "'9999-12-31T23:59:59-14:00' is outside the instants Sundial supports (1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z)",
      });
      expect(errorsOf(() => create({ [field]: '2027-02-30T10:00:00Z' }))[0]?.message).toMatch(
        /not a date on the calendar/,
      );
      expect(errorsOf(() => create({ [field]: '2027-02-01T10:00:00' }))[0]?.message).toMatch(
        /needs an offset/,
      );
    },
  );

  it('the preview `from` and the EventBridge at(...) too', () => {
    const preview = errorsOf(() =>
      previewSchedule({ schedule: { cron: '* * * * *' }, from: '2027-02-30T10:00:00Z' }, now),
    );
    expect(preview[0]).toMatchObject({ path: 'from' });
    const expression = errorsOf(() => create({ schedule: { expression: 'at(2027-02-30T10:00:00)' } }));
    expect(expression[0]).toMatchObject({ path: 'schedule.expression' });
    expect(expression[0]?.message).toMatch(/not a date on the calendar/);
  });

  it('accepts RFC 3339 with or without seconds and fractions; fractions below the millisecond are dropped', () => {
    expect(instantProblem('2026-12-01T09:00:00Z')).toBeUndefined();
    expect(instantProblem('2026-12-01T09:00Z')).toBeUndefined();
    expect(instantProblem('2026-12-01T09:00:00.123456+05:30')).toBeUndefined();
    expect(instantProblem('9999-12-31T23:59:59.999Z')).toBeUndefined();
    expect(instantProblem('2028-02-29T00:00:00Z')).toBeUndefined();
    expect(parseInstant('2026-12-01T09:00:00.123456+05:30', 'UTC', 'p')).toBe(
      Date.parse('2026-12-01T03:30:00.123Z'),
    );
    // Without an offset, a wall time in the zone: 2026-12-01 09:00 in Lisbon is 09:00Z.
    expect(parseInstant('2026-12-01T09:00', 'Europe/Lisbon', 'p')).toBe(Date.parse('2026-12-01T09:00:00Z'));
    // Years below 100 keep their digits (Date.UTC alone would read 0099 as 1999).
    expect(readDateTime('0099-01-01T00:00:00Z')).toEqual({
      wall: Date.parse('0099-01-01T00:00:00Z'),
      offsetMs: 0,
    });
  });

  it('every {weeks: 1000000} has no run before the year 10000: refused at creation', () => {
    const errors = errorsOf(() => create({ schedule: { every: { weeks: 1_000_000 } } }));
    expect(errors[0]).toMatchObject({ path: 'schedule' });
    expect(errors[0]?.message).toMatch(/before the year 10000/);
    const compiled = compileSchedule({
      schedule: { every: { weeks: 1_000_000 } },
      timezone: 'UTC',
      anchorAt: now,
    });
    expect(compiled.next(now)).toBeNull();
  });
});

describe('every request bounds its schedule search (issue 16)', () => {
  // 29 February on a Monday: one occurrence in 28 years, each found by scanning days.
  const sparse = { schedule: { cron: '0 0 29 2 MON' }, cronDayMatch: 'and', count: 1000 };

  it('stops a preview after the step bound, saying which bound was hit', () => {
    const budget = searchBudget({ maxSteps: 20_000, maxMs: 500 });
    let error: unknown;
    try {
      previewSchedule(sparse, now, budget);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScheduleSearchLimitError);
    expect((error as ScheduleSearchLimitError).bound).toBe('steps');
    expect((error as Error).message).toMatch(/examined 20000 candidate times/);
  });

  it('stops a preview once the time bound has passed (the clock is injected: no waiting)', () => {
    let checks = 0;
    const budget = searchBudget({ maxSteps: 10_000_000, maxMs: 500 }, () => ++checks > 3);
    expect(() => previewSchedule(sparse, now, budget)).toThrow(/took longer than 500 ms/);
    expect(checks).toBe(4);
  });

  it('a small search is untouched by the bounds', () => {
    const budget = searchBudget({ maxSteps: 20_000, maxMs: 500 }, () => false);
    const { occurrences } = previewSchedule({ ...sparse, count: 3 }, now, budget);
    expect(occurrences).toHaveLength(3);
    for (const o of occurrences) {
      expect(o.slice(4, 10)).toBe('-02-29');
      expect(new Date(o).getUTCDay()).toBe(1);
    }
  });

  function app(limits: { maxSteps: number; maxMs: number }, elapsedMs?: () => number) {
    const tasks = new TaskService({
      store: undefined as never,
      clock: new ManualClock(now),
      targetPrefixes: ['sundial-'],
      fireQueue: undefined as never,
      searchLimits: limits,
      elapsedMs,
    });
    return createApp({ tasks, groups: undefined as never, scheduler: undefined as never });
  }

  const post = (target: ReturnType<typeof app>, path: string, body: unknown) =>
    target.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers 422 problem+json naming the bound, and keeps answering others', async () => {
    const api = app({ maxSteps: 20_000, maxMs: 500 });
    const response = await post(api, '/v1/schedules/preview', sparse);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as Problem;
    expect(problem.type).toBe(PROBLEM_TYPES.searchLimit);
    expect(problem.detail).toMatch(/examined 20000 candidate times/);
    expect(problem.errors?.[0]?.path).toBe('schedule');
    // The next request gets a fresh budget and its answer.
    const next = await post(api, '/v1/schedules/preview', { schedule: { cron: '0 9 * * *' }, count: 3 });
    expect(next.status).toBe(200);
  });

  it('times a request with the injected monotonic clock', async () => {
    let t = 0;
    const api = app({ maxSteps: 10_000_000, maxMs: 500 }, () => (t += 100));
    const problem = (await (await post(api, '/v1/schedules/preview', sparse)).json()) as Problem;
    expect(problem.detail).toMatch(/took longer than 500 ms/);
  });

  it('bounds a batch create across all its tasks: one budget per request', async () => {
    const api = app({ maxSteps: 20_000, maxMs: 500 });
    const tasks = Array.from({ length: 100 }, (_, i) => ({
      id: `t${i}`,
      target: { function: 'sundial-x' },
      schedule: { cron: '0 0 29 2 MON' },
      cronDayMatch: 'and',
    }));
    const response = await post(api, '/v1/tasks/batch', { tasks });
    expect(response.status).toBe(422);
  });
});
