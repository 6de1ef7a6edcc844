/** What one fire worker invocation did. */
export interface FireReport {
  /** Occurrences whose target accepted the event. */
  delivered: number;
  /** Occurrences whose target could not be invoked (permanent error, or transient ones past retries). */
  failed: number;
  /** Entries of a message received before (a redelivery after a worker died, or SQS's rare duplicate). */
  redelivered: number;
  /** Entries not fired: task deleted, replaced, changed or paused, or its hand-off never recorded. */
  dropped: number;
  /** Entries whose hand-off was not recorded yet, sent again a little later. */
  requeued: number;
  /** Scheduled entries a paused scheduler gave back to their task (fired as its misfire policy says). */
  givenBack: number;
  /** Occurrences of tracked tasks skipped: as many runs in progress as the overlap policy allows. */
  skipped: number;
  /** Occurrences of tracked tasks queued for a slot (overlap `queue`). */
  queued: number;
  /** Entries sent again later: fired beyond what one worker waits (a retry's long delay). */
  deferred: number;
  /** Run records that could not be written (the runs were delivered). */
  unrecorded: number;
  /** Milliseconds between each fire's due time and its invocation. */
  lateness: number[];
}

export const emptyFireReport = (): FireReport => ({
  delivered: 0,
  failed: 0,
  redelivered: 0,
  dropped: 0,
  requeued: 0,
  givenBack: 0,
  skipped: 0,
  queued: 0,
  deferred: 0,
  unrecorded: 0,
  lateness: [],
});
