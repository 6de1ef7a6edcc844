import {
  FireQueueUnavailableError,
  GroupBusyError,
  JobNotFoundError,
  SchedulerNotConfiguredError,
  SchedulerUnavailableError,
  ScheduleSearchLimitError,
  StoreUnavailableError,
  type SundialError,
  TaskBusyError,
  TaskConflictError,
  TaskNotFoundError,
  TasksNotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../errors';
import { PROBLEM_TYPES, type Problem } from '../task/schemas';

/** The one table from domain errors to HTTP status codes and problem types. */
const STATUS: [new (...args: never[]) => SundialError, number, string, string][] = [
  [ValidationError, 400, 'Invalid request', PROBLEM_TYPES.validation],
  [ScheduleSearchLimitError, 422, 'Schedule search limit reached', PROBLEM_TYPES.searchLimit],
  [TaskNotFoundError, 404, 'Task not found', PROBLEM_TYPES.taskNotFound],
  [TaskConflictError, 409, 'Task already exists', PROBLEM_TYPES.taskConflict],
  [VersionMismatchError, 412, 'Version mismatch', PROBLEM_TYPES.versionMismatch],
  [TaskBusyError, 503, 'Busy, try again', PROBLEM_TYPES.taskBusy],
  [SchedulerNotConfiguredError, 501, 'Scheduler not configured', PROBLEM_TYPES.schedulerNotConfigured],
  [StoreUnavailableError, 503, 'Task store unavailable', PROBLEM_TYPES.storeUnavailable],
  [SchedulerUnavailableError, 503, 'Scheduler unavailable', PROBLEM_TYPES.schedulerUnavailable],
  [FireQueueUnavailableError, 503, 'Fire queue unavailable', PROBLEM_TYPES.fireQueueUnavailable],
  [JobNotFoundError, 404, 'Job not found', PROBLEM_TYPES.jobNotFound],
  [GroupBusyError, 409, 'Group busy with another job', PROBLEM_TYPES.groupBusy],
];

/**
 * Seconds a client should wait before retrying, per problem type (the `Retry-After` header): a lost race
 * clears at once; an outage takes longer (a DynamoDB Local being restarted, AWS throttling or failover).
 */
const RETRY_AFTER_SECONDS: Partial<Record<string, number>> = {
  [PROBLEM_TYPES.taskBusy]: 1,
  [PROBLEM_TYPES.storeUnavailable]: 5,
  [PROBLEM_TYPES.schedulerUnavailable]: 5,
  [PROBLEM_TYPES.fireQueueUnavailable]: 2,
};

export const retryAfterSeconds = (problem: Problem) => RETRY_AFTER_SECONDS[problem.type];

/** RFC 9457 problem details for a known error, or undefined for an unexpected one. */
export function problemFor(error: unknown): Problem | undefined {
  for (const [kind, status, title, type] of STATUS) {
    if (error instanceof kind) {
      return {
        type,
        title,
        status,
        detail: error.message,
        errors: fieldErrors(error),
      };
    }
  }
  return undefined;
}

function fieldErrors(error: unknown) {
  if (error instanceof ValidationError || error instanceof TasksNotFoundError) return error.errors;
  if (error instanceof ScheduleSearchLimitError) return [{ path: 'schedule', message: error.message }];
  return undefined;
}

export const internalError: Problem = {
  type: 'about:blank',
  title: 'Internal error',
  status: 500,
  detail: 'an unexpected error occurred; it has been logged',
};
