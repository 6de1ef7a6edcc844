import type { SearchBudget } from './budget';
import { offsetAt, transitionsAround } from './timezone';
import type { CompiledSchedule } from './types';

const HOUR = 3_600_000;
/** No zone shifts its offset by more than this in one change (DST is at most 2 h today). */
const MAX_SHIFT_MS = 3 * HOUR;
const MAX_SEGMENTS = 1_000;

/** A schedule's matches on the wall-clock timeline (epoch ms of local digits read as UTC). */
export interface WallMatcher {
  /** The first matching wall time strictly after `afterWall`, or null when there is none. */
  next(afterWall: number): number | null;
  /** True when the hour field is every hour: the schedule then follows real time across DST. */
  readonly everyHour: boolean;
}

/**
 * Wall-time matches read in `timezone`, with the DST policy of docs/schedules.md:
 * - a wall time that does not exist (spring forward) fires at the same offset after the change
 *   (02:30 in a 02:00→03:00 gap fires at 03:30), so a daily job never skips a day;
 * - an ambiguous wall time (fall back) fires once, at its first instance, unless the hour field is
 *   every hour: then the schedule follows real time and also fires in the repeated hour.
 * The zone's offset changes split time into segments of constant offset; each segment is searched on
 * the wall timeline, which is exact, and results never depend on the host's TZ.
 */
export function compileWall(matcher: WallMatcher, timezone: string, budget: SearchBudget): CompiledSchedule {
  return {
    next(after) {
      let from = after;
      for (let segment = 0; segment < MAX_SEGMENTS; segment++) {
        budget.spend();
        const { previous, next: change } = transitionsAround(timezone, from + 1);
        const offset = offsetAt(timezone, from + 1);
        const end = change?.at ?? Date.UTC(new Date(from).getUTCFullYear() + 2, 0, 1);
        let best: number | null = null;
        if (
          previous &&
          previous.after > previous.before &&
          from + 1 < previous.at + previous.after - previous.before
        ) {
          // Wall times skipped by the spring-forward change just before still fire, shifted past the gap.
          const wall = matcher.next(from + previous.before);
          if (wall !== null && wall < previous.at + previous.after) best = wall - previous.before;
        }
        let floor = from + offset;
        if (previous && previous.after < previous.before && !matcher.everyHour) {
          // The repeated wall times after a fall-back change already fired at their first instance.
          floor = Math.max(floor, previous.at + previous.before - 1);
        }
        const wall = matcher.next(floor);
        if (wall !== null && wall - offset < end)
          best = best === null ? wall - offset : Math.min(best, wall - offset);
        if (best !== null) return best;
        if (wall === null) return null;
        // Nothing before the next change: resume there, or just before the match if that is further.
        from = Math.max(end - 1, wall - offset - MAX_SHIFT_MS);
      }
      return null;
    },
  };
}
