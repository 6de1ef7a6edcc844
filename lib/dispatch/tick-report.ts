/** What one tick did, logged by the tick Lambda and returned to whoever invoked it. */
export interface TickReport {
  /** Tasks read from the due index (or by id, for a nudge). */
  due: number;
  /** Occurrences handed to the fire queue and recorded on their task. */
  handedOff: number;
  /** Fire messages sent. */
  messages: number;
  /** Run-now requests of an earlier version sent to the fire queue. */
  manual: number;
  /** Missed occurrences the misfire policy dropped. */
  skipped: number;
  /** Hand-offs refused because a user's write or another tick came first (their messages are dropped). */
  refused: number;
  /** Hand-off writes that threw (throttled past the SDK's retries, table down): left for the next tick. */
  errors: number;
  /** Tasks whose messages could not be sent: left for the next tick. */
  unsent: number;
  /** 1 when another live tick held these shards and this one skipped them. */
  overlapped: number;
  /** Ticks started on other shards because this one had more due than it can hand off in time. */
  fannedOut: number;
  /** Active tasks found not advancing (nextRunAt at or before lastRunAt): always a bug, logged as an error. */
  stalled: number;
}

export const emptyTickReport = (): TickReport => ({
  due: 0,
  handedOff: 0,
  messages: 0,
  manual: 0,
  skipped: 0,
  refused: 0,
  errors: 0,
  unsent: 0,
  overlapped: 0,
  fannedOut: 0,
  stalled: 0,
});
