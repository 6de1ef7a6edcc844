import { afterAll, beforeAll } from 'vitest';
import { compileSchedule, offsetAt, type Schedule, wallOf } from '../../lib/schedule';
import { wallToInstant } from '../../lib/schedule/timezone';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Up to `n` occurrences of a schedule, as ISO strings. Peers count "next" from a start inclusive, so
 * the search starts 1 ms before `from`; Sundial's own next() is strictly after.
 */
export function occurrencesFrom(schedule: Schedule, from: string, n: number, timezone = 'UTC'): string[] {
  const compiled = compileSchedule({ schedule, timezone, anchorAt: 0 });
  const out: string[] = [];
  let after = Date.parse(from) - 1;
  for (let i = 0; i < n; i++) {
    const next = compiled.next(after);
    if (next === null) break;
    out.push(iso(next));
    after = next;
  }
  return out;
}

/**
 * The DST policy of docs/schedules.md read minute by minute, independently of the engine: the instants
 * in (from, until] at which a schedule whose wall times match `matches` fires in `zone`. A wall time
 * fires at its first instance (or at every instance when the schedule runs every hour), and a wall
 * time skipped by a spring-forward change fires shifted by the gap.
 */
export function bruteForceOccurrences(
  zone: string,
  from: number,
  until: number,
  matches: (wall: number) => boolean,
  everyHour: boolean,
): number[] {
  const reference: number[] = [];
  for (let t = from + 60_000; t <= until; t += 60_000) {
    const wall = wallOf(zone, t);
    const firstInstance = wallToInstant(zone, wall) === t;
    const direct = matches(wall) && (firstInstance || everyHour);
    const before = offsetAt(zone, t - 3 * 3_600_000);
    const shifted =
      offsetAt(zone, t) > before && wallToInstant(zone, t + before) === t && matches(t + before);
    if (direct || shifted) reference.push(t);
  }
  return reference;
}

/** Process TZ values the schedule tables run under: results must never depend on the host's zone. */
export const HOST_ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'];

/** Inside a describe: sets the process TZ for its tests (Node reads TZ again when it changes). */
export function underHostZone(zone: string): void {
  const original = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = zone;
  });
  afterAll(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });
}
