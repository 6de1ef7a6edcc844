import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../../lib/errors';
import { compileSchedule, effectiveFields, type Fields } from '../../../lib/schedule';
import { isoWeek } from '../../../lib/schedule/fields';
import { previewSchedule } from '../../../lib/task/preview';
import { HOST_ZONES, occurrencesFrom, underHostZone } from '../../support/schedule';

const iso = (ms: number) => new Date(ms).toISOString();

/** Occurrences from `from` inclusive (APScheduler's get_next_fire_time(None, start) is inclusive). */
const fieldsFrom = (fields: Fields, from: string, n: number, timezone = 'UTC') =>
  occurrencesFrom({ fields }, from, n, timezone);

function refusal(fields: Fields): { path: string; message: string } {
  try {
    compileSchedule({ schedule: { fields }, timezone: 'UTC', anchorAt: 0 });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidScheduleError);
    return (error as InvalidScheduleError).errors[0] as { path: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe.each(HOST_ZONES)("APScheduler's fielded trigger under process TZ=%s", (hostZone) => {
  underHostZone(hostZone);

  // agronholm/apscheduler, tests/test_triggers.py (3.x), class TestCronTrigger, zone Europe/Berlin.
  it.each([
    [
      'test_cron_trigger_1',
      { year: '2009/2', month: '1/3', day: '5-13' },
      '2008-12-01T00:00:00+01:00',
      '2009-01-05T00:00:00+01:00',
    ],
    [
      'test_cron_trigger_2',
      { year: '2009/2', month: '1/3', day: '5-13' },
      '2009-10-14T00:00:00+02:00',
      '2011-01-05T00:00:00+01:00',
    ],
    [
      'test_cron_trigger_3',
      { year: '2009', month: 'feb-dec', hour: '8-10' },
      '2009-01-01T00:00:00+01:00',
      '2009-02-01T08:00:00+01:00',
    ],
    [
      'test_cron_trigger_4',
      { year: '2012', month: '2', day: 'last' },
      '2012-02-01T00:00:00+01:00',
      '2012-02-29T00:00:00+01:00',
    ],
    ['test_cron_year_list', { year: '2009,2008' }, '2009-01-01T00:00:00+01:00', '2009-01-01T00:00:00+01:00'],
    [
      'test_cron_weekday_overlap',
      { year: 2009, month: 1, day: '6-10', day_of_week: '2-4' },
      '2009-01-01T00:00:00+01:00',
      '2009-01-07T00:00:00+01:00',
    ],
    [
      'test_cron_weekday_positional',
      { year: 2009, month: 1, day: '4th wed' },
      '2009-01-01T00:00:00+01:00',
      '2009-01-28T00:00:00+01:00',
    ],
    [
      'test_week_1',
      { year: 2009, month: 2, week: 8 },
      '2009-01-01T00:00:00+01:00',
      '2009-02-16T00:00:00+01:00',
    ],
    [
      'test_week_2',
      { year: 2009, week: 15, day_of_week: 2 },
      '2009-01-01T00:00:00+01:00',
      '2009-04-08T00:00:00+02:00',
    ],
    ['test_cron_extra_coverage', { day: '6,8' }, '2009-12-31T00:00:00+01:00', '2010-01-06T00:00:00+01:00'],
    [
      'test_cron_increment_weekday',
      { hour: '5-6' },
      '2009-09-25T07:00:00+02:00',
      '2009-09-26T05:00:00+02:00',
    ],
    ['test_month_rollover', { day: 30 }, '2016-02-01T00:00:00+01:00', '2016-03-30T00:00:00+02:00'],
  ] as [string, Fields, string, string][])('%s', (_name, fields, from, expected) => {
    expect(fieldsFrom(fields, from, 1, 'Europe/Berlin')).toEqual([iso(Date.parse(expected))]);
  });

  it('test_cron_weekday_nomatch: fields that match no date at all are refused at creation', () => {
    expect(refusal({ year: 2009, month: 1, day: '6-10', day_of_week: '0,6' }).message).toMatch(
      /can never fire/,
    );
  });

  it('fields left out above the least significant one given are *, below it their minimum', () => {
    expect(effectiveFields({ day: 1, minute: 20 })).toEqual({
      year: '*',
      month: '*',
      day: '1',
      week: '*',
      day_of_week: '*',
      hour: '*',
      minute: '20',
      second: '0',
    });
    // minute 20 of every hour of the 1st of every month
    expect(fieldsFrom({ day: 1, minute: 20 }, '2026-01-31T00:00:00Z', 3)).toEqual([
      '2026-02-01T00:20:00.000Z',
      '2026-02-01T01:20:00.000Z',
      '2026-02-01T02:20:00.000Z',
    ]);
    // week and day_of_week stay * below: {month: 6} is midnight of 1 June
    expect(effectiveFields({ month: 6 })).toMatchObject({ day: '1', week: '*', day_of_week: '*', hour: '0' });
  });

  it('day_of_week counts 0-6 from Monday and takes names; day takes last, xth y and last x', () => {
    // 2026-01-01 is a Thursday.
    expect(fieldsFrom({ day_of_week: 0, hour: 9 }, '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-05T09:00:00.000Z',
    ]);
    expect(fieldsFrom({ day_of_week: 'sun', hour: 9 }, '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-04T09:00:00.000Z',
    ]);
    expect(fieldsFrom({ day_of_week: 'mon-fri', hour: 9 }, '2026-01-02T10:00:00Z', 2)).toEqual([
      '2026-01-05T09:00:00.000Z',
      '2026-01-06T09:00:00.000Z',
    ]);
    expect(fieldsFrom({ day: '2nd fri', hour: 9 }, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-09T09:00:00.000Z',
      '2026-02-13T09:00:00.000Z',
    ]);
    expect(fieldsFrom({ day: 'last sun', hour: 9 }, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-25T09:00:00.000Z',
      '2026-02-22T09:00:00.000Z',
    ]);
    expect(fieldsFrom({ day: '5th mon' }, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-03-30T00:00:00.000Z',
      '2026-06-29T00:00:00.000Z',
    ]);
    expect(fieldsFrom({ day: '1,last' }, '2026-02-02T00:00:00Z', 2)).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
  });

  it('week is the ISO week (weeks start on Monday, week 1 holds the first Thursday)', () => {
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe(1);
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toBe(53);
    expect(isoWeek(new Date('2021-01-03T00:00:00Z'))).toBe(53);
    expect(fieldsFrom({ week: 53, day_of_week: 'fri' }, '2026-01-01T00:00:00Z', 2)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2032-12-31T00:00:00.000Z',
    ]);
  });

  it('steps count from the minimum (*/15) or the start of the range (10-40/10)', () => {
    expect(fieldsFrom({ minute: '*/15' }, '2026-01-01T00:00:00Z', 5).map((t) => t.slice(11, 16))).toEqual([
      '00:00',
      '00:15',
      '00:30',
      '00:45',
      '01:00',
    ]);
    expect(fieldsFrom({ minute: '10-40/10' }, '2026-01-01T00:00:00Z', 5).map((t) => t.slice(11, 16))).toEqual(
      ['00:10', '00:20', '00:30', '00:40', '01:10'],
    );
  });

  it.each([
    [{ hour: 24 }, 'schedule.fields.hour', /24 is outside 0-23/],
    [{ day_of_week: 'sun-mon' }, 'schedule.fields.day_of_week', /ranges do not wrap/],
    [{ day_of_week: 7 }, 'schedule.fields.day_of_week', /7 is outside 0-6/],
    [{ day: '6th fri' }, 'schedule.fields.day', /not \*, a value/],
    [{ day: '2nd fry' }, 'schedule.fields.day', /'fry' is not a weekday/],
    [{ month: 'foo' }, 'schedule.fields.month', /or jan-dec/],
    [{ minute: '*/61' }, 'schedule.fields.minute', /the step must be at least 1 and at most/],
    [{ year: '2009-fault' }, 'schedule.fields.year', /'fault' is not a number/],
    [{ year: 1969 }, 'schedule.fields.year', /1969 is outside 1970-9999/],
    [{ second: '' }, 'schedule.fields.second', /empty/],
    [{}, 'schedule.fields', /give at least one of/],
  ] as [Fields, string, RegExp][])('refuses %j at %s', (fields, path, message) => {
    const error = refusal(fields);
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it('the preview answers the fielded form with its description', () => {
    const out = previewSchedule(
      {
        schedule: { fields: { day: 'last fri', hour: 17, minute: 30 } },
        timezone: 'Europe/Lisbon',
        from: '2026-01-01T00:00:00Z',
        count: 2,
      },
      0,
    );
    expect(out.occurrences).toEqual(['2026-01-30T17:30:00.000Z', '2026-02-27T17:30:00.000Z']);
    expect(out.description).toBe(
      'When day=last fri, hour=17, minute=30, second=0 (APScheduler fields, Europe/Lisbon)',
    );
  });
});
