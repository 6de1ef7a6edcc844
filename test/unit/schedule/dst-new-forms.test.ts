import { describe, expect, it } from 'vitest';
import { compileSchedule, type Schedule } from '../../../lib/schedule';

/**
 * The DST policy of docs/schedules.md holds for every form added by issue 15: wrap-around ranges, a
 * year field (7-field and EventBridge), L-n, and APScheduler fields. Local dates are read through Intl,
 * independently of the engine.
 */
const format = new Map<string, Intl.DateTimeFormat>();
function localDate(zone: string, t: number): string {
  let f = format.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    format.set(zone, f);
  }
  return f.format(t);
}

function occurrences(schedule: Schedule, zone: string, fromIso: string, untilIso: string): number[] {
  const compiled = compileSchedule({ schedule, timezone: zone, anchorAt: 0 });
  const out: number[] = [];
  for (let next = compiled.next(Date.parse(fromIso)); next !== null && next <= Date.parse(untilIso); ) {
    out.push(next);
    next = compiled.next(next);
  }
  return out;
}

const shiftDay = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const TRANSITIONS: [string, string][] = [
  ['America/New_York', '2026-03-08'],
  ['America/New_York', '2026-11-01'],
  ['Europe/London', '2026-03-29'],
  ['Europe/London', '2026-10-25'],
  ['Australia/Lord_Howe', '2026-04-05'],
  ['Australia/Lord_Howe', '2026-10-04'],
  ['Pacific/Chatham', '2026-04-05'],
  ['Pacific/Chatham', '2026-09-27'],
];

/** Daily schedules at hh:mm written in each new form. */
const DAILY: [string, (h: number, m: number) => Schedule][] = [
  ['wrap-around days FRI-THU', (h, m) => ({ cron: `${m} ${h} * * FRI-THU` })],
  ['wrap-around months 11-10', (h, m) => ({ cron: `${m} ${h} * 11-10 *` })],
  ['7-field with a year', (h, m) => ({ cron: `0 ${m} ${h} * * * 2026` })],
  ['EventBridge with a year', (h, m) => ({ expression: `cron(${m} ${h} * * ? 2026-2027)` })],
  ['APScheduler fields', (h, m) => ({ fields: { hour: h, minute: m } })],
];

describe('DST policy for the new forms: a daily schedule never skips a day and never runs twice in one', () => {
  it.each(TRANSITIONS)('%s around %s, at every quarter hour, in every new form', (zone, day) => {
    for (const [label, daily] of DAILY) {
      for (let q = 0; q < 96; q++) {
        const [h, m] = [Math.floor(q / 4), (q % 4) * 15];
        const runs = occurrences(
          daily(h, m),
          zone,
          `${shiftDay(day, -2)}T00:00:00Z`,
          `${shiftDay(day, 3)}T00:00:00Z`,
        );
        const dates = runs.map((t) => localDate(zone, t));
        for (const d of [-1, 0, 1]) {
          expect(
            dates.filter((x) => x === shiftDay(day, d)),
            `${label} ${h}:${m} on ${shiftDay(day, d)}`,
          ).toHaveLength(1);
        }
      }
    }
  });

  it('L-n on the fall-back day runs once, at the first instance of an ambiguous time', () => {
    // 1 November 2026 is L-29 of November (30 days); 01:30 happens twice in New York.
    const runs = occurrences(
      { cron: '30 1 L-29 11 *' },
      'America/New_York',
      '2026-10-31T00:00:00Z',
      '2026-11-02T00:00:00Z',
    );
    expect(runs.map((t) => new Date(t).toISOString())).toEqual(['2026-11-01T05:30:00.000Z']);
  });

  it('a nonexistent time in a fielded schedule runs at the same offset after the change', () => {
    const runs = occurrences(
      { fields: { month: 3, day: '2nd sun', hour: 2, minute: 30 } },
      'America/New_York',
      '2026-03-01T00:00:00Z',
      '2026-03-10T00:00:00Z',
    );
    expect(runs.map((t) => new Date(t).toISOString())).toEqual(['2026-03-08T07:30:00.000Z']);
  });

  it('fields with every hour follow real time: 25 hourly runs on the long day, 23 on the short one', () => {
    const long = occurrences(
      { fields: { minute: 0 } },
      'America/New_York',
      '2026-11-01T03:59:59Z',
      '2026-11-02T04:59:59Z',
    );
    expect(long).toHaveLength(25);
    const short = occurrences(
      { fields: { minute: 0 } },
      'America/New_York',
      '2026-03-08T04:59:59Z',
      '2026-03-09T03:59:59Z',
    );
    expect(short).toHaveLength(23);
    const wrapHours = occurrences(
      { cron: '0 22-21 * * *' },
      'America/New_York',
      '2026-11-01T03:59:59Z',
      '2026-11-02T04:59:59Z',
    );
    expect(wrapHours).toHaveLength(25);
  });
});
