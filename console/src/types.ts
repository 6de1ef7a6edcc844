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

/** Task fields that tracked runs add; the console shows them when the API sends them. */
export interface TrackedTaskFields {
  lastStatus?: string;
  lastError?: string;
  consecutiveFailures?: number;
  /** Runs in progress (a count), or whether one is. */
  running?: number | boolean;
}

export type TaskView = Task & TrackedTaskFields;

/**
 * A run as the API returns it. Today its status is claimed | delivered | failed with an `error` string;
 * tracked runs add succeeded | timed_out | skipped, `durationMs`, `errorType` and `errorMessage`.
 */
export type RunView = Omit<Run, 'status'> & {
  status: string;
  durationMs?: number;
  errorType?: string;
  errorMessage?: string;
};

export interface TaskPageView {
  tasks: TaskView[];
  cursor?: string;
}

export interface RunPageView {
  runs: RunView[];
  cursor?: string;
}
