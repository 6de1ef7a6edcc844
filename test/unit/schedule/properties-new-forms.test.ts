import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSchedule, type Fields, type Schedule } from '../../../lib/schedule';
import { bruteForceOccurrences } from '../../support/schedule';

/**
 * Property tests for the syntax added by issue 15: the engine agrees with a brute-force,
 * minute-by-minute reading of the fields (an oracle written from the dialects' documentation, sharing
 * no code with the engine) and of the DST policy, over two days near month ends.
 */

const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham'];
const DAY = 86_400_000;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A set of allowed values, and how the field is written. */
interface Field {
  text: string;
  has: (v: number) => boolean;
}

const ANY: Field = { text: '*', has: () => true };

/** A value, a plain range, or a range that wraps past the end (`22-3`), in numbers or names. */
const rangeField = (min: number, max: number, names?: string[], base = 0) =>
  fc.oneof(
    fc.constant(ANY),
    fc.integer({ min, max }).map((v): Field => ({ text: String(v), has: (x) => x === v })),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.boolean()).map(([a, b, named]): Field => {
      const write = (v: number) => (named && names ? (names[v - base] as string) : String(v));
      const text = `${write(a)}-${write(b)}`;
      return a <= b ? { text, has: (x) => x >= a && x <= b } : { text, has: (x) => x >= a || x <= b };
    }),
  );

const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

/** Day of month: any, a day, or L-n (n days before the last). */
const dayOfMonth = fc.oneof(
  fc.constant({ text: '*', has: () => true, restricted: false }),
  fc
    .integer({ min: 1, max: 28 })
    .map((d) => ({ text: String(d), has: (date: Date) => date.getUTCDate() === d, restricted: true })),
  fc.integer({ min: 0, max: 6 }).map((n) => ({
    text: `L-${n}`,
    has: (date: Date) => date.getUTCDate() === lastDay(date.getUTCFullYear(), date.getUTCMonth()) - n,
    restricted: true,
  })),
);

const years = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('2026', '2027', '2026-2027', '2025,2027', '2026/2', '2020-2025'),
);
const yearHas = (text: string | undefined) => (y: number) => {
  if (text === undefined) return true;
  return text.split(',').some((item) => {
    const [range, step] = item.split('/');
    const [a, b] = (range as string).split('-').map(Number) as [number, number | undefined];
    const last = b ?? (step ? 9999 : a);
    return y >= a && y <= last && (y - a) % Number(step ?? 1) === 0;
  });
};

const cron = fc
  .tuple(
    rangeField(0, 59),
    rangeField(0, 23),
    dayOfMonth,
    rangeField(1, 12, MONTH_NAMES, 1),
    rangeField(0, 6, DAY_NAMES),
    years,
  )
  .map(([minute, hour, dom, month, dow, year]) => {
    const text = year
      ? `0 ${minute.text} ${hour.text} ${dom.text} ${month.text} ${dow.text.replace(/\d/g, (d) => DAY_NAMES[Number(d)] as string)} ${year}`
      : `${minute.text} ${hour.text} ${dom.text} ${month.text} ${dow.text}`;
    const inYear = yearHas(year);
    const matches = (wall: number) => {
      const date = new Date(wall);
      const dowOk = dow.has(date.getUTCDay());
      // POSIX: with both day fields restricted, either may match.
      const day = dom.restricted && dow !== ANY ? dom.has(date) || dowOk : dom.has(date) && dowOk;
      return (
        inYear(date.getUTCFullYear()) &&
        minute.has(date.getUTCMinutes()) &&
        hour.has(date.getUTCHours()) &&
        month.has(date.getUTCMonth() + 1) &&
        day
      );
    };
    return { schedule: { cron: text } as Schedule, matches, everyHour: hour === ANY };
  });

/** APScheduler fields with the oracle's reading of the defaults (given fields, then * above, 0 below). */
const fields = fc
  .record(
    {
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.constantFrom('last', '1st mon', 'last fri', '15', '28-31'),
      day_of_week: fc.constantFrom('mon-fri', 'sat,sun', '*'),
      hour: fc.constantFrom('*', '9', '22-23', '*/6'),
      minute: fc.constantFrom('0', '*/20', '45'),
    },
    { requiredKeys: ['minute'] },
  )
  .map((given) => {
    const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const mondayBased = (d: Date) => (d.getUTCDay() + 6) % 7;
    const dayHas = (text: string | undefined, date: Date) => {
      if (text === undefined || text === '*') return true;
      const d = date.getUTCDate();
      const last = lastDay(date.getUTCFullYear(), date.getUTCMonth());
      if (text === 'last') return d === last;
      if (text === '15') return d === 15;
      if (text === '28-31') return d >= 28;
      const [pos, name] = text.split(' ') as [string, string];
      if (mondayBased(date) !== WEEK.indexOf(name)) return false;
      return pos === 'last' ? d + 7 > last : d <= 7;
    };
    const dowHas = (text: string, date: Date) =>
      text === '*' || (text === 'mon-fri' ? mondayBased(date) <= 4 : mondayBased(date) >= 5);
    const hourHas = (text: string, h: number) =>
      text === '*' ? true : text === '9' ? h === 9 : text === '22-23' ? h >= 22 : h % 6 === 0;
    const minuteHas = (text: string, m: number) =>
      text === '0' ? m === 0 : text === '45' ? m === 45 : m % 20 === 0;
    // Above the least significant given field (minute) everything left out is *.
    const matches = (wall: number) => {
      const date = new Date(wall);
      return (
        (given.month === undefined || date.getUTCMonth() + 1 === given.month) &&
        dayHas(given.day, date) &&
        dowHas(given.day_of_week ?? '*', date) &&
        hourHas(given.hour ?? '*', date.getUTCHours()) &&
        minuteHas(given.minute, date.getUTCMinutes())
      );
    };
    return {
      schedule: { fields: given as Fields } as Schedule,
      matches,
      everyHour: (given.hour ?? '*') === '*',
    };
  });

/** Starts near month ends of 2026-2027 (where L-n and `last` matter), on a whole minute. */
const start = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: -3, max: 1 }), fc.integer({ min: 0, max: 1439 }))
  .map(([month, dayOffset, minute]) => Date.UTC(2026, month + 1, dayOffset) + minute * 60_000);

function agreesWithBruteForce(
  {
    schedule,
    matches,
    everyHour,
  }: { schedule: Schedule; matches: (wall: number) => boolean; everyHour: boolean },
  zone: string,
  from: number,
) {
  const until = from + 2 * DAY;
  let compiled: ReturnType<typeof compileSchedule>;
  try {
    compiled = compileSchedule({ schedule, timezone: zone, anchorAt: 0 });
  } catch (error) {
    // A schedule that can never fire is refused; the oracle must agree there is nothing in these days.
    expect((error as Error).message).toMatch(/never fire/);
    expect(bruteForceOccurrences(zone, from, until, matches, everyHour)).toEqual([]);
    return;
  }
  const engine: number[] = [];
  for (let t = compiled.next(from); t !== null && t <= until; t = compiled.next(t)) engine.push(t);
  const reference = bruteForceOccurrences(zone, from, until, matches, everyHour);
  expect(engine.map((t) => new Date(t).toISOString())).toEqual(
    reference.map((t) => new Date(t).toISOString()),
  );
}

describe('property: the new syntax agrees with a brute-force minute-by-minute oracle', () => {
  it('crons with wrap-around ranges, names, L-n and a year field', () => {
    fc.assert(
      fc.property(cron, fc.constantFrom(...ZONES), start, (c, zone, from) =>
        agreesWithBruteForce(c, zone, from),
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it('APScheduler fields', () => {
    fc.assert(
      fc.property(fields, fc.constantFrom(...ZONES), start, (f, zone, from) =>
        agreesWithBruteForce(f, zone, from),
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});
