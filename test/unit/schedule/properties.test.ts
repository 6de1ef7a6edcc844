import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidScheduleError, ValidationError } from '../../../lib/errors';
import { compileSchedule, offsetAt, wallOf } from '../../../lib/schedule';
import { previewSchedule } from '../../../lib/task/preview';
import { bruteForceOccurrences } from '../../support/schedule';

// Bounded runs keep the suite fast; a failure prints its seed and path for `fc.assert(..., { seed, path })`.
const RUNS = { numRuns: 100 };

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/London',
  'Europe/Lisbon',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
];

/** 2026 offset changes of the zones above: start instants are drawn near them half of the time. */
const CHANGES = [
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-04-04T15:00:00Z',
  '2026-10-03T15:30:00Z',
  '2026-04-04T14:00:00Z',
  '2026-09-26T14:00:00Z',
].map(Date.parse);

const DAY = 86_400_000;

const field = (min: number, max: number) => {
  const value = fc.integer({ min, max });
  return fc.oneof(
    fc.constant('*'),
    value.map(String),
    fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.integer({ min: 1, max: Math.min(max, 20) }).map((s) => `*/${s}`),
    fc.uniqueArray(value, { minLength: 2, maxLength: 4 }).map((a) => a.join(',')),
  );
};

const cron = fc
  .tuple(
    field(0, 59),
    field(0, 23),
    fc.oneof(field(1, 28), fc.constant('L')),
    field(1, 12),
    fc.oneof(
      field(0, 6),
      fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 })).map(([d, n]) => `${d}#${n}`),
      fc.integer({ min: 0, max: 6 }).map((d) => `${d}L`),
    ),
  )
  .map((fields) => fields.join(' '));

const start = fc.oneof(
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-12-31T00:00:00Z') }),
  fc.tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -2 * DAY, max: DAY })).map(([c, d]) => c + d),
);

const iso = (ms: number) => new Date(ms).toISOString();
const matcher = (expression: string) => {
  const parsed = CronExpressionParser.parse(expression, { tz: 'UTC' });
  return (wall: number) => parsed.includesDate(new Date(wall));
};

describe('property: cron occurrences in any zone', () => {
  it('strictly increase after from, lie in the window, never exceed maxRuns, match the fields in the zone', () => {
    fc.assert(
      fc.property(
        cron,
        fc.constantFrom(...ZONES),
        start,
        fc.option(fc.integer({ min: 0, max: 3 * DAY })),
        fc.option(fc.integer({ min: 0, max: 400 * DAY })),
        fc.option(fc.integer({ min: 1, max: 30 })),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('or', 'and'),
        (expression, zone, from, startIn, endIn, maxRuns, count, cronDayMatch) => {
          const startAt = startIn === null ? undefined : from + startIn;
          const endAt = endIn === null ? undefined : (startAt ?? from) + endIn;
          const preview = () =>
            previewSchedule(
              {
                schedule: { cron: expression },
                timezone: zone,
                cronDayMatch,
                from: iso(from),
                count,
                ...(startAt === undefined ? {} : { startAt: iso(startAt) }),
                ...(endAt === undefined ? {} : { endAt: iso(endAt) }),
                ...(maxRuns === null ? {} : { maxRuns }),
              },
              0,
            );
          let occurrences: string[];
          try {
            occurrences = preview().occurrences;
          } catch (error) {
            // Under `and` some day combinations never happen (day 1 AND second Sunday): rejected at create.
            if (cronDayMatch === 'and' && error instanceof InvalidScheduleError) return;
            // Like create, the preview refuses a window with nothing in it: check there is indeed nothing.
            if (error instanceof ValidationError && error.errors[0]?.path === 'schedule') {
              const compiled = compileSchedule({
                schedule: { cron: expression },
                timezone: zone,
                anchorAt: 0,
                cronDayMatch,
              });
              const first = compiled.next(Math.max(from, (startAt ?? from) - 1));
              expect(first === null || (endAt !== undefined && first > endAt)).toBe(true);
              return;
            }
            throw error;
          }
          const times = occurrences.map(Date.parse);
          const matches = matcher(expression);
          expect(times.length).toBeLessThanOrEqual(Math.min(count, maxRuns ?? count));
          let previous = from;
          for (const t of times) {
            expect(t).toBeGreaterThan(previous);
            if (startAt !== undefined) expect(t).toBeGreaterThanOrEqual(startAt);
            if (endAt !== undefined) expect(t).toBeLessThanOrEqual(endAt);
            // Under `and` the POSIX (`or`) match still holds. A wall time skipped by a spring-forward change fires shifted by the gap: undo the shift.
            const gap = offsetAt(zone, t) - offsetAt(zone, t - 3 * 3_600_000);
            expect(matches(wallOf(zone, t)) || (gap > 0 && matches(wallOf(zone, t) - gap))).toBe(true);
            previous = t;
          }
        },
      ),
      RUNS,
    );
  });

  it('a cron at a fixed time of day fires at most once per local date, and on every matching date', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(...ZONES),
        start,
        (minute, hour, zone, from) => {
          const { occurrences } = previewSchedule(
            { schedule: { cron: `${minute} ${hour} * * *` }, timezone: zone, from: iso(from), count: 5 },
            0,
          );
          const dates = occurrences.map((o) => iso(wallOf(zone, Date.parse(o))).slice(0, 10));
          for (let i = 1; i < dates.length; i++) {
            expect(Date.parse(dates[i] as string) - Date.parse(dates[i - 1] as string)).toBe(DAY);
          }
        },
      ),
      RUNS,
    );
  });

  it('equals a brute-force minute-by-minute reading of the DST policy over a day', () => {
    fc.assert(
      fc.property(cron, fc.constantFrom(...ZONES), start, (expression, zone, rawFrom) => {
        const from = Math.floor(rawFrom / 60_000) * 60_000;
        const until = from + DAY;
        const compiled = compileSchedule({ schedule: { cron: expression }, timezone: zone, anchorAt: 0 });
        const engine: number[] = [];
        for (let t = compiled.next(from); t !== null && t <= until; t = compiled.next(t)) engine.push(t);

        const matches = matcher(expression);
        const everyHour =
          CronExpressionParser.parse(expression, { tz: 'UTC' }).fields.hour.values.length === 24;
        const reference = bruteForceOccurrences(zone, from, until, matches, everyHour);
        expect(engine.map(iso)).toEqual(reference.map(iso));
      }),
      { numRuns: 25 },
    );
  });
});
