import { afterEach, describe, expect, it } from 'vitest';
import { compileSchedule } from '../../../lib/schedule';

/** Local calendar date and wall time of an instant, read through Intl (independent of the engine). */
const formats = new Map<string, Intl.DateTimeFormat>();
function local(zone: string, t: number): { date: string; time: string } {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

function occurrences(cron: string, zone: string, fromIso: string, untilIso: string): number[] {
  const compiled = compileSchedule({ schedule: { cron }, timezone: zone, anchorAt: 0 });
  const out: number[] = [];
  let after = Date.parse(fromIso);
  for (;;) {
    const next = compiled.next(after);
    if (next === null || next > Date.parse(untilIso)) return out;
    expect(next).toBeGreaterThan(after);
    out.push(next);
    after = next;
  }
}

const shiftDay = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Every 2026 offset change of the zones the policy is tested in, as local dates. */
const TRANSITIONS: Record<string, string[]> = {
  'America/New_York': ['2026-03-08', '2026-11-01'],
  'Europe/London': ['2026-03-29', '2026-10-25'],
  'Europe/Lisbon': ['2026-03-29', '2026-10-25'],
  'Australia/Lord_Howe': ['2026-04-05', '2026-10-04'],
  'Pacific/Chatham': ['2026-04-05', '2026-09-27'],
  'Asia/Kolkata': ['2026-03-08', '2026-11-01'], // no DST: the same policy must hold trivially
};
const cases = Object.entries(TRANSITIONS).flatMap(([zone, days]) => days.map((day) => [zone, day] as const));
const quarterHours = Array.from({ length: 96 }, (_, i) => [
  i % 4 === 0 ? 0 : (i % 4) * 15,
  Math.floor(i / 4),
]);

describe('DST policy: a daily cron never skips a day and never runs twice in one', () => {
  it.each(cases)('%s around %s, at every quarter hour of the day', (zone, day) => {
    for (const [minute, hour] of quarterHours) {
      const runs = occurrences(
        `${minute} ${hour} * * *`,
        zone,
        `${shiftDay(day, -2)}T00:00:00Z`,
        `${shiftDay(day, 3)}T00:00:00Z`,
      );
      const dates = runs.map((t) => local(zone, t).date);
      for (const d of [-1, 0, 1]) {
        expect(
          dates.filter((x) => x === shiftDay(day, d)),
          `${minute} ${hour} on ${shiftDay(day, d)}`,
        ).toHaveLength(1);
      }
    }
  });

  it.each(cases)('a weekly cron in %s fires once in the week of %s', (zone, day) => {
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    for (const [minute, hour] of quarterHours) {
      const runs = occurrences(
        `${minute} ${hour} * * ${weekday}`,
        zone,
        `${shiftDay(day, -8)}T00:00:00Z`,
        `${shiftDay(day, 9)}T00:00:00Z`,
      );
      expect(runs.map((t) => local(zone, t).date)).toEqual([shiftDay(day, -7), day, shiftDay(day, 7)]);
    }
  });
});

describe('DST policy: exact instants', () => {
  it.each([
    // zone, cron, from, expected instant, why
    [
      'America/New_York',
      '30 2 * * *',
      '2026-03-07T12:00:00Z',
      '2026-03-08T07:30:00.000Z',
      '02:30 does not exist: 03:30 EDT',
    ],
    [
      'America/New_York',
      '30 1 * * *',
      '2026-10-31T12:00:00Z',
      '2026-11-01T05:30:00.000Z',
      '01:30 twice: the EDT one',
    ],
    [
      'Europe/London',
      '30 1 * * *',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:30:00.000Z',
      '01:30 does not exist: 02:30 BST',
    ],
    [
      'Europe/London',
      '30 1 * * *',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00.000Z',
      '01:30 twice: the BST one',
    ],
    [
      'Europe/Lisbon',
      '30 1 * * *',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:30:00.000Z',
      '01:30 does not exist: 02:30 WEST',
    ],
    [
      'Europe/Lisbon',
      '30 1 * * *',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00.000Z',
      '01:30 twice: the WEST one',
    ],
    [
      'Australia/Lord_Howe',
      '15 2 * * *',
      '2026-10-03T00:00:00Z',
      '2026-10-03T15:45:00.000Z',
      '02:15 in a 30-minute gap: 02:45',
    ],
    [
      'Australia/Lord_Howe',
      '45 1 * * *',
      '2026-04-04T00:00:00Z',
      '2026-04-04T14:45:00.000Z',
      '01:45 twice: the +11 one',
    ],
    [
      'Pacific/Chatham',
      '0 3 * * *',
      '2026-09-26T00:00:00Z',
      '2026-09-26T14:15:00.000Z',
      '03:00 does not exist: 04:00 +13:45',
    ],
    [
      'Pacific/Chatham',
      '0 3 * * *',
      '2026-04-04T00:00:00Z',
      '2026-04-04T13:15:00.000Z',
      '03:00 twice: the +13:45 one',
    ],
    [
      'Asia/Kolkata',
      '30 2 * * *',
      '2026-03-07T12:00:00Z',
      '2026-03-07T21:00:00.000Z',
      'no DST: +05:30 all year',
    ],
  ])('%s %s from %s → %s (%s)', (zone, cron, from, expected) => {
    const compiled = compileSchedule({ schedule: { cron }, timezone: zone, anchorAt: 0 });
    expect(new Date(compiled.next(Date.parse(from)) as number).toISOString()).toBe(expected);
  });

  it('the day after a gap, a daily cron is back at its wall time', () => {
    const runs = occurrences(
      '30 2 * * *',
      'America/New_York',
      '2026-03-07T12:00:00Z',
      '2026-03-10T00:00:00Z',
    );
    expect(runs.map((t) => local('America/New_York', t).time)).toEqual(['03:30', '02:30']);
  });

  it('wall times after a gap that were shifted into it still fire once each, in order', () => {
    const runs = occurrences(
      '0,30 2 * * *',
      'America/New_York',
      '2026-03-08T06:59:00Z',
      '2026-03-08T23:00:00Z',
    );
    expect(runs.map((t) => new Date(t).toISOString())).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:30:00.000Z',
    ]);
    // Asked from between the two, the shifted 02:30 (03:30 EDT) is still ahead.
    expect(
      occurrences('0,30 2 * * *', 'America/New_York', '2026-03-08T07:00:00Z', '2026-03-08T23:00:00Z').map(
        (t) => new Date(t).toISOString(),
      ),
    ).toEqual(['2026-03-08T07:30:00.000Z']);
  });
});

describe('DST policy: minute and hour steps follow real time', () => {
  const day = (zone: string, date: string, cron: string) =>
    occurrences(cron, zone, `${shiftDay(date, -1)}T00:00:00Z`, `${shiftDay(date, 2)}T00:00:00Z`).filter(
      (t) => local(zone, t).date === date,
    );

  it.each([
    ['America/New_York', '2026-03-08', 23],
    ['America/New_York', '2026-11-01', 25],
    ['Europe/London', '2026-03-29', 23],
    ['Europe/London', '2026-10-25', 25],
    ['Europe/Lisbon', '2026-03-29', 23],
    ['Europe/Lisbon', '2026-10-25', 25],
    ['Pacific/Chatham', '2026-09-27', 23],
    ['Pacific/Chatham', '2026-04-05', 25],
    ['Asia/Kolkata', '2026-03-08', 24],
  ])('an hourly cron in %s on %s runs %i times, an hour apart', (zone, date, count) => {
    const runs = day(zone, date, '0 * * * *');
    expect(runs).toHaveLength(count);
    for (let i = 1; i < runs.length; i++)
      expect((runs[i] as number) - (runs[i - 1] as number)).toBe(3_600_000);
  });

  it.each(cases)('*/15 in %s around %s is every real 15 minutes', (zone, date) => {
    const runs = occurrences(
      '*/15 * * * *',
      zone,
      `${shiftDay(date, -1)}T00:00:00Z`,
      `${shiftDay(date, 2)}T00:00:00Z`,
    );
    for (let i = 1; i < runs.length; i++) expect((runs[i] as number) - (runs[i - 1] as number)).toBe(900_000);
  });

  it('Lord Howe (30-minute DST): */30 runs 47 times on the short day and 49 on the long one', () => {
    expect(day('Australia/Lord_Howe', '2026-10-04', '*/30 * * * *')).toHaveLength(47);
    expect(day('Australia/Lord_Howe', '2026-04-05', '*/30 * * * *')).toHaveLength(49);
  });
});

describe('results do not depend on the process TZ', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it('computes the same instants under four host zones', () => {
    const compute = () =>
      Object.keys(TRANSITIONS).flatMap((zone) => [
        ...occurrences('30 1 * * *', zone, '2026-03-01T00:00:00Z', '2026-04-10T00:00:00Z'),
        ...occurrences('0 * * * *', zone, '2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z'),
        ...occurrences('0 9 15W * *', zone, '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z'),
      ]);
    const results = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'].map((tz) => {
      process.env.TZ = tz;
      return { offset: new Date('2026-07-01T00:00:00Z').getTimezoneOffset(), instants: compute() };
    });
    // The host zone really changed (else this test could not fail)...
    expect(new Set(results.map((r) => r.offset)).size).toBe(4);
    // ...and the schedule did not.
    for (const r of results) expect(r.instants).toEqual(results[0]?.instants);
  });
});
