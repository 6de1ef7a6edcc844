import type { Run, Task } from '../../lib/task/schemas';

export type { PreviewRequest, PreviewResponse } from '../../lib/task/preview';
export type {
  GroupJob,
  GroupResult,
  Problem,
  RunPage,
  RunRequested,
  SchedulerState,
} from '../../lib/task/schemas';

/**
 * A task as the API returns it, tracked-run summary included (lastStatus, lastError, consecutiveFailures,
 * runsInProgress, queuedRuns, when the API sends them).
 */
export type TaskView = Task;

/**
 * A run as the API returns it: claimed | delivered, or for targets whose outcomes Sundial sees
 * succeeded | failed | timed_out | skipped, with durationMs, errorType and errorMessage, reason, retryAt.
 */
export type RunView = Run;

export interface TaskPageView {
  tasks: TaskView[];
  cursor?: string;
}

export interface RunPageView {
  runs: RunView[];
  cursor?: string;
}
