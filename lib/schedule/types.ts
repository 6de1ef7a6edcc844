/** A fixed interval; at least one unit, the sum must be at least one second. */
export interface Every {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

/** Sun events, as suncalc computes them; `dawn` and `dusk` are civil (sun 6° below the horizon). */
export const SOLAR_EVENTS = [
  'sunrise',
  'sunset',
  'solar_noon',
  'dawn',
  'dusk',
  'nautical_dawn',
  'nautical_dusk',
  'astronomical_dawn',
  'astronomical_dusk',
] as const;
export type SolarEvent = (typeof SOLAR_EVENTS)[number];

/** A daily sun event at a place, optionally moved by whole minutes (-720..720). */
export interface Solar {
  event: SolarEvent;
  latitude: number;
  longitude: number;
  offsetMinutes?: number;
}

/**
 * APScheduler's fielded cron trigger: each field a number or an expression (`*`, `*\/2`, `1-5`,
 * `mon-fri`, and for `day` also `last`, `2nd fri`, `last sun`), all of them matching at once.
 */
export interface Fields {
  year?: number | string;
  month?: number | string;
  day?: number | string;
  /** ISO week of the year, 1-53. */
  week?: number | string;
  /** 0-6 from Monday, or mon-sun. */
  day_of_week?: number | string;
  hour?: number | string;
  minute?: number | string;
  second?: number | string;
}

/** How a cron with both day fields restricted matches: POSIX `or` (either) or `and` (both). */
export type DayMatch = 'or' | 'and';

/** A schedule kind the engine computes directly. */
export type BasicSchedule =
  | { cron: string }
  | { every: Every }
  | { at: string }
  | { solar: Solar }
  | { fields: Fields };

/** When a task fires: exactly one kind. `expression` (EventBridge syntax) is normalised to a basic kind. */
export type Schedule = BasicSchedule | { expression: string };

/** Everything next-occurrence computation needs; instants are epoch milliseconds. */
export interface ScheduleSpec {
  schedule: Schedule;
  /** IANA zone in which cron fields and offset-less `at` times are read. Never the host's zone. */
  timezone: string;
  /** Interval schedules count from here, so occurrences never drift. */
  anchorAt: number;
  /** Day-of-month/day-of-week combination for crons; default `or` (POSIX). */
  cronDayMatch?: DayMatch;
}

/** A compiled schedule: parse once, ask many times. */
export interface CompiledSchedule {
  /** The first occurrence strictly after `after`, or null when there is none. */
  next(after: number): number | null;
}
