/** A fixed interval; at least one unit, the sum must be at least one second. */
export interface Every {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

/** When a task fires: exactly one kind. */
export type Schedule = { cron: string } | { every: Every } | { at: string };

/** Everything next-occurrence computation needs; instants are epoch milliseconds. */
export interface ScheduleSpec {
  schedule: Schedule;
  /** IANA zone in which cron fields and offset-less `at` times are read. Never the host's zone. */
  timezone: string;
  /** Interval schedules count from here, so occurrences never drift. */
  anchorAt: number;
}

/** A compiled schedule: parse once, ask many times. */
export interface CompiledSchedule {
  /** The first occurrence strictly after `after`, or null when there is none. */
  next(after: number): number | null;
}
