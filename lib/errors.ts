/** One problem with one input field: `path` is the dotted field path (`schedule.cron`, `tasks.3.id`). */
export interface FieldError {
  path: string;
  message: string;
}

/** Base class of every error Sundial raises on purpose; anything else is a bug and becomes a 500. */
export class SundialError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks the contract; `errors` names each field and the reason. */
export class ValidationError extends SundialError {
  readonly errors: FieldError[];
  constructor(errors: FieldError[], options?: ErrorOptions) {
    super(errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '), options);
    this.errors = errors;
  }
}

/** A schedule that cannot be parsed or can never fire. */
export class InvalidScheduleError extends ValidationError {
  constructor(path: string, message: string, options?: ErrorOptions) {
    super([{ path, message }], options);
  }
}

export class TaskNotFoundError extends SundialError {
  readonly taskId: string;
  constructor(taskId: string, options?: ErrorOptions) {
    super(`task '${taskId}' does not exist`, options);
    this.taskId = taskId;
  }
}

/** A task with this id already exists (create without `replaceExisting`). */
export class TaskConflictError extends SundialError {
  readonly taskId: string;
  constructor(taskId: string, options?: ErrorOptions) {
    super(`task '${taskId}' already exists`, options);
    this.taskId = taskId;
  }
}

/** The caller's expected version (If-Match) is not the stored one. */
export class VersionMismatchError extends SundialError {
  constructor(taskId: string, expected: number, options?: ErrorOptions) {
    super(`task '${taskId}' is not at version ${expected}`, options);
  }
}

/** The scheduler routes need SUNDIAL_SCHEDULE_NAME: the tick schedule this API reports on. */
export class SchedulerNotConfiguredError extends SundialError {
  constructor(options?: ErrorOptions) {
    super('no tick schedule is configured (SUNDIAL_SCHEDULE_NAME is not set)', options);
  }
}

/** A change kept losing races with ticks (each re-read found the task moved again); safe to retry. */
export class TaskBusyError extends SundialError {
  constructor(taskId: string, options?: ErrorOptions) {
    super(`task '${taskId}' kept changing under this request; try again`, options);
  }
}

/** The task table could not be reached or did not answer (down, unreachable, throttled); safe to retry. */
export class StoreUnavailableError extends SundialError {
  constructor(options?: ErrorOptions) {
    super('the task store is unavailable; try again shortly', options);
  }
}

/** The fire queue (SQS) did not take a run-now; nothing was sent, safe to retry. */
export class FireQueueUnavailableError extends SundialError {
  constructor(options?: ErrorOptions) {
    super('the fire queue is unavailable; the run was not started, try again shortly', options);
  }
}

/** EventBridge Scheduler could not be reached or did not answer; safe to retry. */
export class SchedulerUnavailableError extends SundialError {
  constructor(options?: ErrorOptions) {
    super('the tick schedule (EventBridge Scheduler) is unavailable; try again shortly', options);
  }
}

/**
 * A request asked for more schedule searching than one request may do (see SearchLimits): too many
 * occurrences of a sparse schedule, for example. `bound` says which limit was reached.
 */
export class ScheduleSearchLimitError extends SundialError {
  readonly bound: 'steps' | 'time';
  constructor(bound: 'steps' | 'time', limits: { maxSteps: number; maxMs: number }, options?: ErrorOptions) {
    super(
      bound === 'steps'
        ? `the schedule search examined ${limits.maxSteps} candidate times (the limit per request) without finishing: ask for fewer occurrences, or a schedule that fires more often`
        : `the schedule search took longer than ${limits.maxMs} ms (the limit per request): ask for fewer occurrences, or a schedule that fires more often`,
      options,
    );
    this.bound = bound;
  }
}

/** Some tasks of a list do not exist (nothing was changed); `errors` names each by its place in the list. */
export class TasksNotFoundError extends TaskNotFoundError {
  readonly errors: FieldError[];
  constructor(missing: { path: string; taskId: string }[], options?: ErrorOptions) {
    super(missing[0]?.taskId ?? '?', options);
    this.message = `${missing.length === 1 ? 'task' : 'tasks'} ${missing.map((m) => `'${m.taskId}'`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist: nothing was changed`;
    this.errors = missing.map(({ path, taskId }) => ({ path, message: `task '${taskId}' does not exist` }));
  }
}

/** No group job has this id (or it finished more than a week ago and expired). */
export class JobNotFoundError extends SundialError {
  readonly jobId: string;
  constructor(jobId: string, options?: ErrorOptions) {
    super(`job '${jobId}' does not exist (finished jobs are kept for 7 days)`, options);
    this.jobId = jobId;
  }
}

/** Another kind of job is running on this group; one job at a time acts on a group. */
export class GroupBusyError extends SundialError {
  readonly jobId: string;
  constructor(group: string, running: { id: string; action: string }, options?: ErrorOptions) {
    super(
      `group '${group}' has a ${running.action} job running (${running.id}); wait for it to finish (GET /v1/jobs/${running.id})`,
      options,
    );
    this.jobId = running.id;
  }
}
