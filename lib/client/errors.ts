import { type FieldError, SundialError } from '../errors';
import { PROBLEM_TYPES, type Problem } from '../task/schemas';

/**
 * An error answer of the Sundial API: the HTTP `status` and the RFC 9457 problem document. The client
 * throws the subclasses below for the errors a caller usually handles, and this class for the rest.
 *
 * @example
 * try {
 *   await sundial.getTask('nightly-report');
 * } catch (error) {
 *   if (error instanceof SundialApiError) console.error(error.status, error.problem.title);
 * }
 */
export class SundialApiError extends SundialError {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem, options?: ErrorOptions) {
    super(problem.detail ?? problem.title, options);
    this.status = problem.status;
    this.problem = problem;
  }
}

/**
 * 400: the request breaks the contract; `errors` names each field (`schedule.cron`, `tasks.3.id`).
 *
 * @example
 * catch (error) {
 *   if (error instanceof ValidationError) for (const e of error.errors) console.error(`${e.path}: ${e.message}`);
 * }
 */
export class ValidationError extends SundialApiError {
  get errors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

/**
 * 404: no task with this id.
 *
 * @example
 * const task = await sundial.getTask(id).catch((e) => (e instanceof TaskNotFoundError ? undefined : Promise.reject(e)));
 */
export class TaskNotFoundError extends SundialApiError {}

/**
 * 409: a task with this id exists (create without `replaceExisting`; in a batch, nothing was written).
 *
 * @example
 * await sundial.createTask(def).catch((e) => { if (!(e instanceof TaskConflictError)) throw e; });
 */
export class TaskConflictError extends SundialApiError {}

/**
 * 412: the task is no longer at the version given as `ifMatch`; read it again and retry the change.
 *
 * @example
 * const task = await sundial.getTask(id);
 * await sundial.updateTask(id, { description: 'new' }, { ifMatch: task.version });
 */
export class VersionMismatchError extends SundialApiError {}

/**
 * No answer within the client's `timeoutMs` (after the retries the call allows).
 *
 * @example
 * const sundial = new SundialClient({ endpoint, timeoutMs: 5_000 });
 */
export class SundialTimeoutError extends SundialError {}

const BY_TYPE: Record<string, new (problem: Problem, options?: ErrorOptions) => SundialApiError> = {
  [PROBLEM_TYPES.validation]: ValidationError,
  [PROBLEM_TYPES.taskNotFound]: TaskNotFoundError,
  [PROBLEM_TYPES.taskConflict]: TaskConflictError,
  [PROBLEM_TYPES.versionMismatch]: VersionMismatchError,
};

/** The typed error for a problem document; its `type` decides, never the human-readable text. */
export function errorFor(problem: Problem): SundialApiError {
  const ErrorClass = BY_TYPE[problem.type] ?? SundialApiError;
  return new ErrorClass(problem);
}
