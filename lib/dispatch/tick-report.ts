/** What one tick did, logged by the tick Lambda and returned to whoever invoked it. */
export interface TickReport {
  /** Occurrences this tick claimed (first delivery or take-over). */
  claimed: number;
  delivered: number;
  failed: number;
  /** Occurrences another tick claimed first, or that were delivered already. */
  lost: number;
  /** Claims of a tick that let its lease expire, delivered again with the same runId. */
  redelivered: number;
  /** Occurrences not fired because the task changed (paused, updated, deleted) before their second. */
  cancelled: number;
  /** Ticks started on other shards because this one had more due than it can fire in time. */
  fannedOut: number;
  /** Active tasks found not advancing (nextRunAt at or before lastRunAt): always a bug, logged as an error. */
  stalled: number;
}

export const emptyTickReport = (): TickReport => ({
  claimed: 0,
  delivered: 0,
  failed: 0,
  lost: 0,
  redelivered: 0,
  cancelled: 0,
  fannedOut: 0,
  stalled: 0,
});
