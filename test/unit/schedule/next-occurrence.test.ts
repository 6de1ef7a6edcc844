import { describe, expect, it } from 'vitest';
import { InvalidScheduleError } from '../../../lib/errors';
import { compileSchedule, type Schedule } from '../../../lib/schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function nextN(
  schedule: Schedule,
  from: string,
  n: number,
  timezone = 'UTC',
  anchor = from,
): (string | null)[] {
  const compiled = compileSchedule({ schedule, timezone, anchorAt: at(anchor) });
  const out: (string | null)[] = [];
  let after = at(from);
  for (let i = 0; i < n; i++) {
    const next = compiled.next(after);
    out.push(iso(next));
    if (next === null) break;
    after = next;
  }
  return out;
}

describe('cron', () => {
  it.each([
    [
      'every minute',
      '* * * * *',
      'UTC',
      '2026-03-01T10:00:30Z',
      ['2026-03-01T10:01:00.000Z', '2026-03-01T10:02:00.000Z'],
    ],
    [
      'six fields with seconds',
      '*/20 * * * * *',
      'UTC',
      '2026-03-01T10:00:00Z',
      ['2026-03-01T10:00:20.000Z', '2026-03-01T10:00:40.000Z'],
    ],
    [
      'weekdays at 09:00 New York',
      '0 9 * * MON-FRI',
      'America/New_York',
      '2026-03-06T15:00:00Z',
      ['2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z'],
    ],
    [
      'daily 02:00 Lisbon in winter',
      '0 2 * * *',
      'Europe/Lisbon',
      '2026-01-10T00:00:00Z',
      ['2026-01-10T02:00:00.000Z', '2026-01-11T02:00:00.000Z'],
    ],
    [
      'daily 02:00 Kolkata',
      '0 2 * * *',
      'Asia/Kolkata',
      '2026-01-10T00:00:00Z',
      ['2026-01-10T20:30:00.000Z', '2026-01-11T20:30:00.000Z'],
    ],
  ])('%s', (_name, cron, timezone, from, expected) => {
    expect(nextN({ cron }, from, expected.length, timezone)).toEqual(expected);
  });

  it('is strictly after the given instant', () => {
    expect(nextN({ cron: '0 12 * * *' }, '2026-05-01T12:00:00Z', 1)).toEqual(['2026-05-02T12:00:00.000Z']);
  });

  it('does not depend on the host time zone: tz is always explicit', () => {
    const a = nextN({ cron: '30 8 * * *' }, '2026-07-01T00:00:00Z', 1, 'Australia/Lord_Howe');
    expect(a).toEqual(['2026-07-01T22:00:00.000Z']); // 08:30 at +10:30 (Lord Howe winter)
  });

  it.each([
    ['too few fields', '* * *'],
    ['a minute out of range', '61 * * * *'],
    ['garbage', 'every day at noon'],
  ])('rejects %s at compile time', (_name, cron) => {
    expect(() => compileSchedule({ schedule: { cron }, timezone: 'UTC', anchorAt: 0 })).toThrow(
      InvalidScheduleError,
    );
  });

  it('rejects an unknown time zone naming the field', () => {
    try {
      compileSchedule({ schedule: { cron: '* * * * *' }, timezone: 'Mars/Olympus', anchorAt: 0 });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidScheduleError).errors).toEqual([
        { path: 'timezone', message: "'Mars/Olympus' is not an IANA time zone" },
      ]);
    }
  });
});

describe('every', () => {
  it('counts from the anchor, never drifting', () => {
    expect(
      nextN({ every: { minutes: 15 } }, '2026-03-01T10:07:13Z', 3, 'UTC', '2026-03-01T10:00:00Z'),
    ).toEqual(['2026-03-01T10:15:00.000Z', '2026-03-01T10:30:00.000Z', '2026-03-01T10:45:00.000Z']);
  });

  it('first fires at the anchor when asked from before it', () => {
    expect(nextN({ every: { hours: 1 } }, '2026-03-01T09:00:00Z', 1, 'UTC', '2026-03-01T10:00:00Z')).toEqual([
      '2026-03-01T10:00:00.000Z',
    ]);
  });

  it('adds units together', () => {
    expect(nextN({ every: { days: 1, hours: 2, seconds: 5 } }, '2026-03-01T00:00:00Z', 1)).toEqual([
      '2026-03-02T02:00:05.000Z',
    ]);
  });

  it('is elapsed time across a DST change', () => {
    // 2026-03-29 Europe/London springs forward at 01:00 UTC; 24 h later is still 24 h later in UTC.
    expect(nextN({ every: { days: 1 } }, '2026-03-28T12:00:00Z', 1, 'Europe/London')).toEqual([
      '2026-03-29T12:00:00.000Z',
    ]);
  });

  it('rejects an interval under one second', () => {
    expect(() =>
      compileSchedule({ schedule: { every: { seconds: 0 } }, timezone: 'UTC', anchorAt: 0 }),
    ).toThrow(/at least 1 second/);
  });
});

describe('at', () => {
  it('fires once, then never', () => {
    expect(nextN({ at: '2026-12-01T14:00:00Z' }, '2026-11-30T00:00:00Z', 3)).toEqual([
      '2026-12-01T14:00:00.000Z',
      null,
    ]);
  });

  it('has no occurrence once passed', () => {
    expect(nextN({ at: '2026-12-01T14:00:00+01:00' }, '2026-12-01T13:00:00Z', 1)).toEqual([null]);
  });

  it.each([
    ['a local time in the zone', '2026-07-01T09:00:00', 'America/New_York', '2026-07-01T13:00:00.000Z'],
    [
      'a local time that does not exist (spring forward) moves past the gap',
      '2026-03-08T02:30:00',
      'America/New_York',
      '2026-03-08T07:30:00.000Z',
    ],
    [
      'an ambiguous local time (fall back) is its first instance',
      '2026-11-01T01:30:00',
      'America/New_York',
      '2026-11-01T05:30:00.000Z',
    ],
    [
      'an offset wins over the zone',
      '2026-07-01T09:00:00+02:00',
      'America/New_York',
      '2026-07-01T07:00:00.000Z',
    ],
  ])('reads %s', (_name, text, timezone, expected) => {
    expect(nextN({ at: text }, '2026-01-01T00:00:00Z', 1, timezone)).toEqual([expected]);
  });

  it('rejects text that is not a date-time', () => {
    expect(() => compileSchedule({ schedule: { at: 'tomorrow' }, timezone: 'UTC', anchorAt: 0 })).toThrow(
      /schedule.at/,
    );
  });
});
