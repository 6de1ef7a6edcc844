import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../../lib/errors';
import { compileSchedule, normaliseExpression, type Schedule } from '../../../lib/schedule';
import { buildTask } from '../../../lib/task/model';
import { planDue } from '../../../lib/task/plan';
import { TaskInput } from '../../../lib/task/schemas';
import { HOST_ZONES, occurrencesFrom, underHostZone } from '../../support/schedule';

/**
 * Cron syntax the big dialects accept, each case with the peer's own expected answer, taken from its
 * public test suite (the file is named above each table). Peers count "next" from an instant inclusive;
 * Sundial's next() is strictly after, so each search starts 1 ms before the peer's start.
 * Every table runs under several process TZ values: results must never depend on the host's zone.
 */

const days = (list: string[]) => list.map((d) => d.slice(0, 10));

function rejection(schedule: Schedule): string {
  try {
    compileSchedule({ schedule, timezone: 'UTC', anchorAt: 0 });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidScheduleError);
    return (error as InvalidScheduleError).errors[0]?.message ?? '';
  }
  throw new Error(`expected ${JSON.stringify(schedule)} to be refused`);
}

describe.each(HOST_ZONES)('cron dialects under process TZ=%s', (hostZone) => {
  underHostZone(hostZone);

  it('runs with the host zone set (Node reads TZ again when it changes)', () => {
    const offsets: Record<string, number> = {
      UTC: 0,
      'America/New_York': 300,
      'Asia/Kolkata': -330,
      'Pacific/Chatham': -825,
    };
    expect(new Date('2026-01-15T00:00:00Z').getTimezoneOffset()).toBe(offsets[hostZone]);
  });

  describe('wrap-around ranges', () => {
    // croniter: src/croniter/tests/test_croniter.py, test_sunday_ranges_to (from 2024-01-01, a Monday).
    it.each([
      [
        '0 0 * * Mon-Sun',
        ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07'],
      ],
      ['0 0 * * Sat-Sun', ['2024-01-06', '2024-01-07', '2024-01-13', '2024-01-14']],
      ['0 0 * * Fri-Sun', ['2024-01-05', '2024-01-06', '2024-01-07', '2024-01-12']],
    ])('croniter %s: a name range ending at Sunday means what 1-7 / 6-7 mean', (cron, expected) => {
      expect(days(occurrencesFrom({ cron }, '2024-01-01T00:00:00Z', expected.length))).toEqual(expected);
    });

    // croniter: test_mth_ranges_from (first of the month, from 2024-01-01; croniter skips the 1st itself).
    it.each([
      ['0 0 1 Nov-Mar *', ['2024-02-01', '2024-03-01', '2024-11-01', '2024-12-01', '2025-01-01']],
      ['0 0 1 Apr-Feb *', ['2024-02-01', '2024-04-01', '2024-05-01']],
      ['0 0 1 Apr-Mar/3 *', ['2024-04-01', '2024-07-01', '2024-10-01', '2025-01-01', '2025-04-01']],
    ])(
      'croniter %s: a month range wraps past December, a step counts on through the wrap',
      (cron, expected) => {
        expect(days(occurrencesFrom({ cron }, '2024-01-01T00:00:01Z', expected.length))).toEqual(expected);
      },
    );

    // Cronos: tests/Cronos.Tests/CronExpressionFacts.cs, the equivalence facts ("* * * * *" equals
    // "* * * 12-11 *" and "* * * * MON-SUN").
    it.each(['* * * 12-11 *', '* * * * MON-SUN', '* * * * SUN-SAT'])(
      'Cronos: %s fires every minute',
      (cron) => {
        expect(occurrencesFrom({ cron }, '2026-02-27T23:58:00Z', 4)).toEqual(
          occurrencesFrom({ cron: '* * * * *' }, '2026-02-27T23:58:00Z', 4),
        );
      },
    );

    it.each([
      [
        'hours 22-2',
        '0 22-2 * * *',
        '2026-01-01T21:00:00Z',
        ['22:00', '23:00', '00:00', '01:00', '02:00', '22:00'],
      ],
      ['minutes 50-10', '50-10 9 * * *', '2026-01-01T09:08:00Z', ['09:08', '09:09', '09:10', '09:50']],
      [
        'seconds 58-1',
        '58-1 0 0 * * *',
        '2026-01-01T00:00:00Z',
        ['00:00:00', '00:00:01', '00:00:58', '00:00:59'],
      ],
    ])('%s runs through midnight / the top of the hour', (_name, cron, from, times) => {
      const got = occurrencesFrom({ cron }, from, times.length).map((t) =>
        t.slice(11, 11 + (times[0] as string).length),
      );
      expect(got).toEqual(times);
    });

    it('FRI-MON in days of week: Friday, Saturday, Sunday, Monday', () => {
      // 2026-01-01 is a Thursday.
      expect(days(occurrencesFrom({ cron: '0 9 * * FRI-MON' }, '2026-01-01T00:00:00Z', 5))).toEqual([
        '2026-01-02',
        '2026-01-03',
        '2026-01-04',
        '2026-01-05',
        '2026-01-09',
      ]);
      expect(occurrencesFrom({ cron: '0 9 * * 5-1' }, '2026-01-01T00:00:00Z', 5)).toEqual(
        occurrencesFrom({ cron: '0 9 * * FRI-MON' }, '2026-01-01T00:00:00Z', 5),
      );
    });

    it("EventBridge's documented cron(0/30 20-2 ? * MON-FRI *): every half hour 20:00-02:30, Monday to Friday", () => {
      // Friday 2026-01-02 20:00 to Saturday: the wrapped hours 00-02 belong to each weekday's own date.
      const got = occurrencesFrom(
        { expression: 'cron(0/30 20-2 ? * MON-FRI *)' },
        '2026-01-02T19:00:00Z',
        10,
      );
      expect(got.slice(0, 8)).toEqual([
        '2026-01-02T20:00:00.000Z',
        '2026-01-02T20:30:00.000Z',
        '2026-01-02T21:00:00.000Z',
        '2026-01-02T21:30:00.000Z',
        '2026-01-02T22:00:00.000Z',
        '2026-01-02T22:30:00.000Z',
        '2026-01-02T23:00:00.000Z',
        '2026-01-02T23:30:00.000Z',
      ]);
      // Saturday and Sunday never match; Monday 00:00 does.
      expect(got[8]).toBe('2026-01-05T00:00:00.000Z');
    });
  });

  describe('L-n, L-nW and L in ranges', () => {
    // Cronos: tests/Cronos.Tests/CronExpressionFacts.cs (seconds-first format; from a date, inclusive).
    it.each([
      ['* * * L-1 * *', '2016-01-01', '2016-01-30'],
      ['* * * L-1 * *', '2016-01-31', '2016-02-28'],
      ['* * * L-1 * *', '2017-02-01', '2017-02-27'],
      ['* * * L-2 * *', '2016-01-30', '2016-02-27'],
      ['* * * L-2 * *', '2016-12-30', '2017-01-29'],
      ['* * * L-28 * *', '2017-02-01', '2017-03-03'],
      ['* * * L-30 * *', '2016-02-01', '2016-03-01'],
      ['* * * L-1W * *', '2017-01-01', '2017-01-30'],
      ['* * * L-3W * *', '2017-01-01', '2017-01-27'],
      ['* * * L-0W * *', '2016-02-01', '2016-02-29'],
      ['* * * L-2W * *', '2016-02-01', '2016-02-26'],
      ['* * * L-3W * *', '2017-02-01', '2017-02-24'],
    ])('Cronos %s from %s: %s', (cron, from, expected) => {
      expect(days(occurrencesFrom({ cron }, `${from}T00:00:00Z`, 1))).toEqual([expected]);
    });

    // Quartz: quartz-core/src/test/java/org/quartz/CronExpressionTest.java, testLastDayOffset (October 2010).
    it.each([
      ['0 15 10 L-2 * ? 2010', '2010-10-29T10:15:00.000Z'],
      ['0 15 10 L-5W * ? 2010', '2010-10-26T10:15:00.000Z'],
      ['0 15 10 L-1 * ? 2010', '2010-10-30T10:15:00.000Z'],
      ['0 15 10 L-1W * ? 2010', '2010-10-29T10:15:00.000Z'],
    ])('Quartz %s fires on %s', (cron, expected) => {
      expect(occurrencesFrom({ cron }, '2010-10-01T00:00:00Z', 1)).toEqual([expected]);
    });

    // croniter: testRangeWithUppercaseLastDayOfMonth.
    it('croniter 0 0 29-L * *: the 29th to the last day', () => {
      expect(days(occurrencesFrom({ cron: '0 0 29-L * *' }, '2015-09-04T00:00:00Z', 4))).toEqual([
        '2015-09-29',
        '2015-09-30',
        '2015-10-29',
        '2015-10-30',
      ]);
      expect(days(occurrencesFrom({ cron: '0 0 29-L 2 *' }, '2026-01-01T00:00:00Z', 1))).toEqual([
        '2028-02-29',
      ]);
    });

    it('L as a step base: 1-L/8 is the 1st, 9th, 17th, 25th', () => {
      expect(days(occurrencesFrom({ cron: '0 0 1-L/8 * *' }, '2026-02-01T00:00:00Z', 5))).toEqual([
        '2026-02-01',
        '2026-02-09',
        '2026-02-17',
        '2026-02-25',
        '2026-03-01',
      ]);
    });
  });

  describe('a year field', () => {
    // croniter: test_year, test_year_with_other_field (croniter's 7 fields end "second year"; here
    // in the Quartz order "second minute hour day month weekday year").
    it.each([
      ['0 0 0 11 * * 2060', '2050-01-01', ['2060-01-11', '2060-02-11']],
      ['0 0 0 11 * * 2050-2060', '2055-01-30', ['2055-02-11']],
      ['0 0 0 29 2 * 2025,2021-2023,2028', '2020-01-01', ['2028-02-29']],
      ['0 0 0 29 2 * 2025,*', '2020-01-01', ['2020-02-29']],
      ['0 0 0 29 2 * 2022/3', '2020-01-01', ['2028-02-29', '2040-02-29']],
      ['0 0 0 29 2 * 2023-2035/3', '2020-01-01', ['2032-02-29']],
      ['0 0 0 31 11-12 * 2023', '2000-01-30', ['2023-12-31']],
      ['0 0 0 31 1-2 * 2023-2025', '2024-12-30', ['2025-01-31']],
    ])('croniter %s from %s', (cron, from, expected) => {
      expect(days(occurrencesFrom({ cron }, `${from}T00:00:01Z`, expected.length))).toEqual(expected);
    });

    it.each([
      ['cron(0 12 ? * MON-FRI 2027)', '2026-06-01', ['2027-01-01', '2027-01-04']],
      ['cron(0 12 1 * ? 2026-2030)', '2030-12-15', []],
      ['cron(0 12 1 1 ? 2027,2029)', '2026-01-01', ['2027-01-01', '2029-01-01']],
      ['cron(0 12 1 1 ? 2026/2)', '2026-06-01', ['2028-01-01', '2030-01-01']],
    ])('EventBridge %s from %s', (expression, from, expected) => {
      expect(days(occurrencesFrom({ expression }, `${from}T00:00:00Z`, 2))).toEqual(expected);
    });

    it('an EventBridge year is read as the 7-field form, days of week as names', () => {
      expect(normaliseExpression('cron(15 10 ? * 6L 2026-2030)')).toEqual({
        cron: '0 15 10 * * FRIL 2026-2030',
      });
      expect(normaliseExpression('cron(0 9 ? * 2-6 2027)')).toEqual({ cron: '0 0 9 * * MON-FRI 2027' });
      expect(normaliseExpression('cron(0 12 ? * MON-FRI *)')).toEqual({ cron: '0 12 * * MON-FRI' });
    });

    it('a year range entirely past compiles (the task completes or is refused at creation), one that never matches does not', () => {
      expect(occurrencesFrom({ cron: '0 0 0 1 1 * 2020' }, '2026-01-01T00:00:00Z', 1)).toEqual([]);
      expect(rejection({ cron: '0 0 0 29 2 * 2021-2023' })).toMatch(/can never fire/);
    });
  });

  describe('refusals name the field and the reason in words', () => {
    it.each([
      ['0 25 * * *', /the hour field: 25 is outside 0-23/],
      ['0 0 * * FOO', /the day-of-week field: 'FOO' is not a number 0-7 or a name SUN-SAT/],
      ['0 0 1 JANUARY *', /the month field: 'JANUARY' is not a number 1-12 or a name JAN-DEC/],
      ['*/0 * * * *', /the minute field: the step in '\*\/0' must be 1-60/],
      // Quartz (testSecRangeIntervalAfterSlash and siblings): an increment beyond the field is refused.
      ['0 0/120 8-18 * * 1-5', /the minute field: the step in '0\/120' must be 1-60/],
      ['0 0 L-31 * *', /L-n counts back at most 30 days/],
      ['0 0 1,L-2 * *', /'L-2' must stand alone/],
      ['0 0 * * 1#6', /the week of the month after # must be 1-5/],
      ['0 0 0 1 1 MON 2030-2026', /runs backwards/],
      ['0 0 0 1 1 ? 1969', /the year field: 1969 is outside 1970-9999/],
      ['0 0 0 ? * 2-6 2026', /write days of week as names/],
      ['0 * 1-*/2 * *', /not a value, range/],
      ['? * * * *', /'\?' is only for the day-of-month and day-of-week fields/],
    ])('%s', (cron, message) => {
      const text = rejection({ cron });
      expect(text).toMatch(message);
      expect(text).not.toMatch(/NaN/);
    });

    it("no refusal says 'NaN' (cron-parser's 'got range NaN-2' for L-2)", () => {
      for (const cron of ['0 0 L-x * *', '0 0 x-L * *', '0 0 L-2-3 * *', '0 0 1-L-2 * *']) {
        expect(rejection({ cron })).not.toMatch(/NaN/);
      }
    });
  });
});

describe('a task whose year range has passed', () => {
  it('completes after its last occurrence, and is refused when created with none left', () => {
    const input = TaskInput.parse({
      target: { function: 'sundial-x' },
      schedule: { cron: '0 0 12 L 12 * 2026' },
    });
    const task = buildTask({ ...input, id: 'y' }, Date.parse('2026-12-30T00:00:00Z'));
    expect(task.nextRunAt).toBe('2026-12-31T12:00:00.000Z');
    const plan = planDue(task, Date.parse('2026-12-31T12:00:00Z'), Date.parse('2026-12-31T12:00:00Z'));
    expect(plan.fire.map((f) => new Date(f.scheduledAt).toISOString())).toEqual(['2026-12-31T12:00:00.000Z']);
    expect(plan.nextRunAt).toBeNull();
    expect(() => buildTask({ ...input, id: 'late' }, Date.parse('2027-01-01T00:00:00Z'))).toThrow(
      /no occurrence after now/,
    );
  });
});
