import { InvalidScheduleError } from '../errors';
import type { CompiledSchedule, Every } from './types';

const UNIT_MS = { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1_000 };

export function intervalMs(every: Every): number {
  let total = 0;
  for (const [unit, ms] of Object.entries(UNIT_MS)) total += (every[unit as keyof Every] ?? 0) * ms;
  return total;
}

/**
 * Occurrences are anchor + k·interval: elapsed time, so they never drift with run time or lateness,
 * and across a DST change the wall-clock time moves with the offset.
 */
export function compileEvery(every: Every, anchorAt: number, path = 'schedule.every'): CompiledSchedule {
  const period = intervalMs(every);
  if (!Number.isFinite(period) || period < 1000) {
    throw new InvalidScheduleError(path, 'the interval must be at least 1 second');
  }
  return {
    next(after) {
      if (after < anchorAt) return anchorAt;
      const k = Math.floor((after - anchorAt) / period) + 1;
      return anchorAt + k * period;
    },
  };
}
