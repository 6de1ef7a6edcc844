import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors';
import { buildTask } from '../../../lib/task/model';
import { previewSchedule } from '../../../lib/task/preview';
import { TaskInput } from '../../../lib/task/schemas';
import { parseOrThrow } from '../../../lib/task/validate';

const now = Date.parse('2026-03-06T12:00:00Z');

function errorsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
}

const create = (fields: Record<string, unknown>) =>
  buildTask({ ...parseOrThrow(TaskInput, { target: { function: 'sundial-x' }, ...fields }), id: 't' }, now);

describe('previewSchedule', () => {
  it('lists the occurrences strictly after from, ascending, in UTC, and describes the schedule', () => {
    expect(
      previewSchedule(
        {
          schedule: { cron: '0 9 * * MON-FRI' },
          timezone: 'America/New_York',
          from: '2026-03-06T14:00:00Z',
          count: 3,
        },
        now,
      ),
    ).toEqual({
      occurrences: ['2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z', '2026-03-11T13:00:00.000Z'],
      description: 'At 09:00, Monday through Friday (America/New_York)',
    });
  });

  it('starts from now and lists 10 by default', () => {
    const { occurrences } = previewSchedule({ schedule: { cron: '*/5 * * * *' } }, now);
    expect(occurrences).toHaveLength(10);
    expect(occurrences[0]).toBe('2026-03-06T12:05:00.000Z');
  });

  it('lists up to 1000', () => {
    expect(previewSchedule({ schedule: { cron: '* * * * *' }, count: 1000 }, now).occurrences).toHaveLength(
      1000,
    );
  });

  it('honours the window and maxRuns, as the tick does', () => {
    const preview = previewSchedule(
      {
        schedule: { every: { hours: 1 } },
        startAt: '2026-03-07T00:00:00Z',
        endAt: '2026-03-07T10:00:00Z',
        maxRuns: 4,
        count: 20,
      },
      now,
    );
    expect(preview.occurrences).toEqual([
      '2026-03-07T00:00:00.000Z',
      '2026-03-07T01:00:00.000Z',
      '2026-03-07T02:00:00.000Z',
      '2026-03-07T03:00:00.000Z',
    ]);
    expect(preview.description).toBe(
      'Every 1 hour, from 2026-03-07T00:00:00Z, until 2026-03-07T10:00:00Z, at most 4 runs',
    );
  });

  it('shows what a created task would fire first', () => {
    const fields = { schedule: { cron: '30 2 * * *' }, timezone: 'Europe/Lisbon' };
    expect(previewSchedule(fields, now).occurrences[0]).toBe(create(fields).nextRunAt);
  });

  it.each([
    [
      { cron: '0 12 13 * FRI' },
      'and',
      'At 12:00, on day 13 of the month, and on Friday (only on days matching both) (UTC)',
    ],
    [
      { cron: '0 12 13 * FRI' },
      'or',
      'At 12:00, on day 13 of the month, and on Friday (on days matching either) (UTC)',
    ],
    [{ cron: '@daily' }, 'or', 'At 00:00 (UTC)'],
    [{ cron: '0 9 LW * *' }, 'or', 'At 09:00, on the last weekday of the month (UTC)'],
    [{ expression: 'cron(0 12 ? * MON-FRI *)' }, 'or', 'At 12:00, Monday through Friday (UTC)'],
    [{ expression: 'rate(5 minutes)' }, 'or', 'Every 5 minutes'],
    [{ at: '2026-12-01T10:00:00' }, 'or', 'Once at 2026-12-01T10:00:00 (UTC)'],
    [{ at: '2026-12-01T10:00:00Z' }, 'or', 'Once at 2026-12-01T10:00:00Z'],
    [
      { solar: { event: 'sunrise', latitude: 38.72, longitude: -9.14, offsetMinutes: 10 } },
      'or',
      'Every day 10 minutes after sunrise at 38.72, -9.14',
    ],
    [{ solar: { event: 'solar_noon', latitude: 0, longitude: 0 } }, 'or', 'Every day at solar noon at 0, 0'],
  ])('describes %j (%s)', (schedule, cronDayMatch, description) => {
    expect(previewSchedule({ schedule, cronDayMatch }, now).description).toBe(description);
  });

  it.each([
    [{ schedule: { cron: '0 0 30 2 *' } }, 'schedule.cron', /can never fire/],
    [{ schedule: { cron: '* * * * *' }, count: 1001 }, 'count', /1000/],
    [{ schedule: { cron: '* * * * *' }, count: 0 }, 'count', /1/],
    [{ schedule: { cron: '* * * * *' }, from: 'yesterday' }, 'from', /ISO 8601/],
    [{ schedule: { cron: '* * * * *' }, timezone: 'Mars/Olympus' }, 'timezone', /IANA time zone/],
    [{ schedule: { cron: '* * * * *' }, payload: {} }, '', /unknown field\(s\): payload/],
  ])('rejects %j like task creation does', (body, path, message) => {
    const errors = errorsOf(() => previewSchedule(body, now));
    expect(errors[0]?.path).toBe(path);
    expect(errors[0]?.message).toMatch(message);
  });
});

describe('the preview answers every form added by issue 15, with its description', () => {
  it.each([
    [{ cron: '0 22-2 * * *' }, 'Every hour, between 22:00 and 02:00 (UTC)', '2026-06-01T01:00:00.000Z'],
    [{ cron: '0 9 * * FRI-MON' }, 'At 09:00, Friday through Monday (UTC)', '2026-06-01T09:00:00.000Z'],
    [{ cron: '0 9 * 11-2 *' }, 'At 09:00, November through February (UTC)', '2026-11-01T09:00:00.000Z'],
    [
      { cron: '0 0 L-2 * *' },
      'At 00:00, 2 days before the last day of the month (UTC)',
      '2026-06-28T00:00:00.000Z',
    ],
    [
      { cron: '0 9 L-3W * *' },
      'At 09:00, 3 days before the last day of the month, moved to the nearest weekday (UTC)',
      '2026-06-26T09:00:00.000Z',
    ],
    [
      { cron: '0 0 29-L * *' },
      'At 00:00, between day 29 and the last day of the month (UTC)',
      '2026-06-29T00:00:00.000Z',
    ],
    [
      { cron: '0 0 12 1 1 * 2027,2029' },
      'At 12:00, on day 1 of the month, only in January, only in 2027 and 2029 (UTC)',
      '2027-01-01T12:00:00.000Z',
    ],
    [
      { expression: 'cron(0/30 20-2 ? * MON-FRI *)' },
      'Every 30 minutes, between 20:00 and 02:59, Monday through Friday (UTC)',
      '2026-06-01T00:30:00.000Z',
    ],
    [
      { expression: 'cron(0 12 ? * MON-FRI 2027)' },
      'At 12:00, Monday through Friday, only in 2027 (UTC)',
      '2027-01-01T12:00:00.000Z',
    ],
    [
      { fields: { day: '2nd fri', hour: 9 } },
      'When day=2nd fri, hour=9, minute=0, second=0 (APScheduler fields, UTC)',
      '2026-06-12T09:00:00.000Z',
    ],
  ])('%j', (schedule, description, first) => {
    const out = previewSchedule({ schedule, from: '2026-06-01T00:00:00Z', count: 2 }, 0);
    expect(out.description).toBe(description);
    expect(out.occurrences[0]).toBe(first);
  });

  it('refuses what create refuses: an endAt before startAt, an at already past', () => {
    const inverted = errorsOf(() =>
      previewSchedule(
        { schedule: { cron: '* * * * *' }, startAt: '2026-04-01T00:00:00Z', endAt: '2026-03-01T00:00:00Z' },
        now,
      ),
    );
    expect(inverted).toEqual([{ path: 'endAt', message: 'must not be before startAt' }]);
    const past = errorsOf(() => previewSchedule({ schedule: { at: '2020-01-01T00:00:00Z' } }, now));
    expect(past[0]?.path).toBe('schedule');
  });
});

describe('task creation: every invalid input class is a 400 naming the field and what to do', () => {
  it.each([
    [{ schedule: { cron: '0 0 30 2 *' } }, 'schedule.cron', /30 February/],
    [{ schedule: { cron: '0 0 15W,1 * *' } }, 'schedule.cron', /'15W' must stand alone/],
    [{ schedule: { cron: '0 0 * *' } }, 'schedule.cron', /expected 5 fields/],
    [{ schedule: { expression: 'rate(5 fortnights)' } }, 'schedule.expression', /minutes, hours or days/],
    [{ schedule: { at: '2026-02-30T10:00:00' } }, 'schedule.at', /not a date on the calendar/],
    [{ schedule: { at: '2026-01-01T10:00:00Z' } }, 'schedule', /no occurrence after now/],
    [{ schedule: { every: { minutes: -1 } } }, 'schedule.every.minutes', />=0/],
    [
      { schedule: { solar: { event: 'sunrise', latitude: 95, longitude: 0 } } },
      'schedule.solar.latitude',
      /<=90/,
    ],
    [
      { schedule: { solar: { event: 'moonrise', latitude: 0, longitude: 0 } } },
      'schedule',
      /^solar.event: .*sunrise/,
    ],
    [{ schedule: { cron: '* * * * *' }, timezone: 'EST5EDTX' }, 'timezone', /IANA time zone/],
    [{ schedule: { cron: '* * * * *' }, cronDayMatch: 'both' }, 'cronDayMatch', /"or"|"and"/],
    [{ schedule: { cron: '* * * * *' }, jitterSeconds: -5 }, 'jitterSeconds', />=0/],
    [{ schedule: { cron: '* * * * *' }, jitterSeconds: 7200 }, 'jitterSeconds', /<=3600/],
    [{ schedule: { cron: '* * * * *' }, misfire: { policy: 'later' } }, 'misfire.policy', /skip|once|all/],
    [
      { schedule: { cron: '* * * * *' }, misfire: { graceSeconds: 1.5 } },
      'misfire.graceSeconds',
      /expected int/,
    ],
    [{ schedule: { cron: '* * * * *' }, runImmediately: 'yes' }, 'runImmediately', /boolean/],
    [
      { schedule: { cron: '* * * * *' }, startAt: '2026-04-01T00:00:00Z', endAt: '2026-03-01T00:00:00Z' },
      'endAt',
      /before startAt/,
    ],
    [
      { schedule: { cron: '* * * * *' }, startAt: '2026-04-01' },
      'startAt',
      /is not an ISO 8601 date-time such as 2026-12-01T09:00:00Z/,
    ],
  ])('%j', (fields, path, message) => {
    const errors = errorsOf(() => create(fields));
    expect(errors[0]?.path).toBe(path);
    expect(errors[0]?.message).toMatch(message);
  });

  it('stores both the expression and its normalised form', () => {
    const task = create({ schedule: { expression: 'cron(0 12 ? * MON-FRI *)' } });
    expect(task.schedule).toEqual({ expression: 'cron(0 12 ? * MON-FRI *)' });
    expect(task.normalizedSchedule).toEqual({ cron: '0 12 * * MON-FRI' });
    expect(task.nextRunAt).toBe('2026-03-09T12:00:00.000Z');
    expect(create({ schedule: { cron: '0 12 * * *' } }).normalizedSchedule).toBeUndefined();
  });

  it('defaults: UTC, POSIX day match, misfire once with 300 s grace, no jitter', () => {
    expect(create({ schedule: { cron: '0 12 * * *' } })).toMatchObject({
      timezone: 'UTC',
      cronDayMatch: 'or',
      misfire: { graceSeconds: 300, policy: 'once' },
      runImmediately: false,
    });
  });
});
