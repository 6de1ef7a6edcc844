import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../../lib/errors';
import { compileSchedule, type DayMatch, normaliseExpression, type Schedule } from '../../../lib/schedule';

const iso = (ms: number) => new Date(ms).toISOString();

function nextN(schedule: Schedule, from: string, n: number, timezone = 'UTC', cronDayMatch: DayMatch = 'or') {
  const compiled = compileSchedule({ schedule, timezone, anchorAt: Date.parse(from), cronDayMatch });
  const out: string[] = [];
  let after = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = compiled.next(after);
    if (next === null) break;
    out.push(iso(next));
    after = next;
  }
  return out;
}

function rejection(schedule: Schedule, cronDayMatch: DayMatch = 'or') {
  try {
    compileSchedule({ schedule, timezone: 'UTC', anchorAt: 0, cronDayMatch });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidScheduleError);
    return (error as InvalidScheduleError).errors[0];
  }
  throw new Error('expected a rejection');
}

describe('cron special characters', () => {
  it.each([
    ['L: last day of the month', '0 9 L * *', ['2026-01-31', '2026-02-28', '2026-03-31']],
    ['5L: last Friday', '0 9 * * 5L', ['2026-01-30', '2026-02-27', '2026-03-27']],
    ['5#2: second Friday', '0 9 * * 5#2', ['2026-01-09', '2026-02-13', '2026-03-13']],
    ['FRI#2 by name', '0 9 * * FRI#2', ['2026-01-09', '2026-02-13', '2026-03-13']],
    [
      '15W: weekday nearest the 15th (Feb 15 is a Sunday, Mar 15 too)',
      '0 9 15W * *',
      ['2026-01-15', '2026-02-16', '2026-03-16'],
    ],
    [
      '1W never leaves the month (Aug 1 is a Saturday: Monday 3rd)',
      '0 9 1W 8 *',
      ['2026-08-03', '2027-08-02', '2028-08-01'],
    ],
    [
      '31W never leaves the month either (Jan 31 2026 is a Saturday: Friday 30th)',
      '0 9 31W 1 *',
      ['2026-01-30', '2027-01-29', '2028-01-31'],
    ],
    ['LW: last weekday of the month', '0 9 LW * *', ['2026-01-30', '2026-02-27', '2026-03-31']],
    ['? is a wildcard', '0 9 ? * MON', ['2026-01-05', '2026-01-12', '2026-01-19']],
    ['names and lists', '0 9 1 JAN,JUL *', ['2026-01-01', '2026-07-01', '2027-01-01']],
    ['steps over a range', '0 9 1-10/3 1 *', ['2026-01-01', '2026-01-04', '2026-01-07']],
    ['7 is Sunday too', '0 9 * * 7', ['2026-01-04', '2026-01-11', '2026-01-18']],
  ])('%s', (_name, cron, dates) => {
    expect(nextN({ cron }, '2025-12-31T12:00:00Z', 3).map((d) => d.slice(0, 10))).toEqual(dates);
  });

  it.each([
    ['@yearly', ['2027-01-01T00:00:00.000Z']],
    ['@annually', ['2027-01-01T00:00:00.000Z']],
    ['@monthly', ['2026-07-01T00:00:00.000Z']],
    ['@weekly', ['2026-06-21T00:00:00.000Z']],
    ['@daily', ['2026-06-16T00:00:00.000Z']],
    ['@midnight', ['2026-06-16T00:00:00.000Z']],
    ['@hourly', ['2026-06-15T11:00:00.000Z']],
  ])('nickname %s', (cron, expected) => {
    expect(nextN({ cron }, '2026-06-15T10:30:00Z', 1)).toEqual(expected);
  });

  it('six fields: the first is seconds', () => {
    expect(nextN({ cron: '15,45 * * * * *' }, '2026-06-15T10:30:00Z', 3)).toEqual([
      '2026-06-15T10:30:15.000Z',
      '2026-06-15T10:30:45.000Z',
      '2026-06-15T10:31:15.000Z',
    ]);
  });
});

describe('cron day-of-month and day-of-week', () => {
  it('POSIX "or" is the default: the 13th, and every Friday', () => {
    expect(nextN({ cron: '0 0 13 * FRI' }, '2026-02-01T00:00:00Z', 4).map((d) => d.slice(0, 10))).toEqual([
      '2026-02-06',
      '2026-02-13',
      '2026-02-20',
      '2026-02-27',
    ]);
  });

  it('"and": only Friday the 13th', () => {
    expect(
      nextN({ cron: '0 0 13 * FRI' }, '2026-02-01T00:00:00Z', 3, 'UTC', 'and').map((d) => d.slice(0, 10)),
    ).toEqual(['2026-02-13', '2026-03-13', '2026-11-13']);
  });

  it('"and" with W: the weekday nearest the 15th, if it is a Monday', () => {
    expect(
      nextN({ cron: '0 0 15W * MON' }, '2026-01-01T00:00:00Z', 2, 'UTC', 'and').map((d) => d.slice(0, 10)),
    ).toEqual(['2026-02-16', '2026-03-16']);
  });

  it('"and" reaches a rare match: 29 February on a Monday (2044)', () => {
    expect(nextN({ cron: '0 0 29 2 MON' }, '2026-01-01T00:00:00Z', 1, 'UTC', 'and')).toEqual([
      '2044-02-29T00:00:00.000Z',
    ]);
  });

  it('"and" is the same as "or" when one field is a wildcard', () => {
    expect(nextN({ cron: '0 0 * * FRI' }, '2026-02-01T00:00:00Z', 2, 'UTC', 'and')).toEqual(
      nextN({ cron: '0 0 * * FRI' }, '2026-02-01T00:00:00Z', 2),
    );
  });
});

describe('cron rejected at compile time, never at fire time', () => {
  it.each([
    ['30 February', { cron: '0 0 30 2 *' }, 'or', /never occurs in the given month/],
    ['31 April or June', { cron: '0 0 31 4,6 *' }, 'or', /never occurs in the given month/],
    ['31W in February', { cron: '0 0 31W 2 *' }, 'or', /can never fire/],
    ['31 February that is a Monday ("and")', { cron: '0 0 31 2 MON' }, 'and', /can never fire/],
    ['W in a list', { cron: '0 0 1,15W * *' }, 'or', /'15W' must stand alone/],
    ['W on a day out of range', { cron: '0 0 32W * *' }, 'or', /1-31/],
    ['hashed H', { cron: 'H 0 * * *' }, 'or', /'H'/],
    ['@reboot', { cron: '@reboot' }, 'or', /unknown nickname/],
    ['eight fields', { cron: '0 0 0 1 1 * 2027 1' }, 'or', /expected 5 fields/],
    ['a minute out of range', { cron: '60 * * * *' }, 'or', /the minute field: 60 is outside 0-59/],
    ['# in a list', { cron: '0 0 * * 1#1,5#2' }, 'or', /not a valid cron expression/],
  ] as const)('%s', (_name, schedule, dayMatch, message) => {
    const error = rejection(schedule, dayMatch);
    expect(error?.path).toBe('schedule.cron');
    expect(error?.message).toMatch(message);
  });
});

describe('EventBridge expressions', () => {
  it.each([
    ['cron(0 12 ? * MON-FRI *)', { cron: '0 12 * * MON-FRI' }],
    ['cron(0 12 ? * 2-6 *)', { cron: '0 12 * * 1-5' }],
    ['cron(15 10 ? * 6L *)', { cron: '15 10 * * 5L' }],
    ['cron(0 9 ? * 6#3 *)', { cron: '0 9 * * 5#3' }],
    ['cron(0 9 ? * 1,7 *)', { cron: '0 9 * * 0,6' }],
    ['cron(0 9 ? * L *)', { cron: '0 9 * * 6' }],
    ['cron(0/15 * 1W * ? *)', { cron: '0/15 * 1W * *' }],
    ['cron(0 18 L * ? *)', { cron: '0 18 L * *' }],
    ['rate(1 minute)', { every: { minutes: 1 } }],
    ['rate(5 minutes)', { every: { minutes: 5 } }],
    ['rate(2 hours)', { every: { hours: 2 } }],
    ['rate(1 day)', { every: { days: 1 } }],
    ['at(2026-12-01T10:00:00)', { at: '2026-12-01T10:00:00' }],
  ])('%s', (expression, normalised) => {
    expect(normaliseExpression(expression)).toEqual(normalised);
  });

  it('AWS day-of-week numbering fires on the same days as the POSIX names', () => {
    expect(nextN({ expression: 'cron(0 12 ? * 2-6 *)' }, '2026-06-13T00:00:00Z', 5)).toEqual(
      nextN({ cron: '0 12 * * MON-FRI' }, '2026-06-13T00:00:00Z', 5),
    );
  });

  it('at(...) is read in the timezone', () => {
    expect(
      nextN({ expression: 'at(2026-12-01T10:00:00)' }, '2026-01-01T00:00:00Z', 2, 'America/New_York'),
    ).toEqual(['2026-12-01T15:00:00.000Z']);
  });

  it.each([
    ['cron(0 12 * * MON-FRI *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(0 12 ? * MON-FRI)', /6 fields/],
    ['cron(0 12 ? * 0 *)', /outside 1-7/],
    ['rate(0 minutes)', /positive whole number/],
    ['rate(5 weeks)', /minutes, hours or days/],
    ['at(2026-12-01T10:00:00Z)', /without offset/],
    ['every day', /expected cron\(...\), rate\(...\) or at\(...\)/],
  ])('rejects %s', (expression, message) => {
    const error = rejection({ expression });
    expect(error?.path).toBe('schedule.expression');
    expect(error?.message).toMatch(message);
  });
});

describe('solar', () => {
  const lisbon = { latitude: 38.72, longitude: -9.14 };

  it.each([
    ['sunrise', '06:1'],
    ['sunset', '21:0'],
    ['solar_noon', '13:3'],
    ['dawn', '05:4'],
    ['dusk', '21:3'],
    ['nautical_dawn', '04:5'],
    ['nautical_dusk', '22:1'],
    ['astronomical_dawn', '04:1'],
    ['astronomical_dusk', '23:0'],
  ] as const)('%s in Lisbon at midsummer', (event, localPrefix) => {
    const [at] = nextN({ solar: { event, ...lisbon } }, '2026-06-21T00:00:00Z', 1);
    const local = new Date(at as string).toLocaleTimeString('en-GB', { timeZone: 'Europe/Lisbon' });
    expect(local.startsWith(localPrefix), `${event} at ${local}`).toBe(true);
  });

  it('one occurrence a day, moved by offsetMinutes', () => {
    const plain = nextN({ solar: { event: 'sunset', ...lisbon } }, '2026-03-01T00:00:00Z', 3);
    const later = nextN(
      { solar: { event: 'sunset', ...lisbon, offsetMinutes: -30 } },
      '2026-03-01T00:00:00Z',
      3,
    );
    expect(later.map((t, i) => Date.parse(plain[i] as string) - Date.parse(t))).toEqual([
      1_800_000, 1_800_000, 1_800_000,
    ]);
    expect(new Set(plain.map((d) => d.slice(0, 10))).size).toBe(3);
  });

  it('skips the days of polar day (Longyearbyen: no sunset from about 20 April to 22 August)', () => {
    const sunsets = nextN(
      { solar: { event: 'sunset', latitude: 78.22, longitude: 15.65 } },
      '2026-04-15T00:00:00Z',
      10,
    );
    const days = sunsets.map((d) => d.slice(0, 10));
    expect(days.slice(0, 3)).toEqual(['2026-04-15', '2026-04-16', '2026-04-17']);
    expect(days.some((d) => d >= '2026-05-01' && d < '2026-08-15')).toBe(false);
    expect((days.at(-1) ?? '') > '2026-08-15').toBe(true);
  });

  it('rejects an event that never happens at the place (at the exact pole the sun keeps its height all day)', () => {
    const error = rejection({ solar: { event: 'astronomical_dusk', latitude: 90, longitude: 0 } });
    expect(error).toEqual({
      path: 'schedule.solar',
      message: 'the astronomical_dusk never happens at latitude 90',
    });
  });
});
