import { type FieldError, SundialError } from '../errors';
import { PROBLEM_TYPES, type Problem } from '../task/schemas';

/** Which call failed: every error the client throws carries it. */
export interface RequestInfo {
  /** `GET`, `POST`… */
  method: string;
  /** The full URL of the call. */
  url: string;
  /**
   * The id of the call: the `X-Request-Id` the client sent, which the API echoes and logs; for an answer
   * that API Gateway gave itself (a 403 of a missing signature), API Gateway's `apigw-requestid`.
   */
  requestId: string;
}

/**
 * Base class of every error a SundialClient call throws: it says which call failed and its request id.
 *
 * @example
 * try {
 *   await sundial.getTask('nightly-report');
 * } catch (error) {
 *   if (error instanceof SundialRequestError) console.error(`${error.message} (request ${error.requestId})`);
 * }
 */
export class SundialRequestError extends SundialError {
  readonly method: string;
  readonly url: string;
  readonly requestId: string;
  constructor(message: string, request: RequestInfo, options?: ErrorOptions) {
    super(message, options);
    this.method = request.method;
    this.url = request.url;
    this.requestId = request.requestId;
  }
}

/**
 * An error answer of the Sundial API: the HTTP `status` and the RFC 9457 problem document. The client
 * throws the subclasses below for the errors a caller usually handles, and this class for the rest.
 *
 * @example
 * try {
 *   await sundial.getTask('nightly-report');
 * } catch (error) {
 *   if (error instanceof SundialApiError) console.error(error.status, error.problem.title, error.requestId);
 * }
 */
export class SundialApiError extends SundialRequestError {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem, request: RequestInfo, options?: ErrorOptions) {
    super(problem.detail ?? problem.title, request, options);
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
 * The API could not be reached (refused, reset, DNS, TLS) after the retries the call allows. `endpoint`
 * names where the client was sending, `cause` the network error (its `code`, such as `ECONNREFUSED`).
 *
 * @example
 * catch (error) {
 *   if (error instanceof SundialNetworkError) console.error(`is Sundial running at ${error.endpoint}?`);
 * }
 */
export class SundialNetworkError extends SundialRequestError {
  readonly endpoint: string;
  constructor(endpoint: string, request: RequestInfo, options: ErrorOptions & { cause: unknown }) {
    super(`cannot reach ${endpoint}: ${describeCause(options.cause)}`, request, options);
    this.endpoint = endpoint;
  }
}

/**
 * No answer within the client's `timeoutMs` (after the retries the call allows).
 *
 * @example
 * const sundial = new SundialClient({ endpoint, timeoutMs: 5_000 });
 */
export class SundialTimeoutError extends SundialRequestError {}

/**
 * The caller's `signal` aborted the call; `cause` is the signal's reason. Never retried.
 *
 * @example
 * const tasks = await sundial.listTasks({}, { signal: AbortSignal.timeout(2_000) });
 */
export class SundialAbortError extends SundialRequestError {}

/**
 * The endpoint needs SigV4 and no AWS credentials could be loaded: nothing was sent. Configure the default
 * chain (environment, profile, SSO, container or instance role), pass `credentials`, or pass
 * `credentials: false` for an endpoint that needs no signature.
 *
 * @example
 * const sundial = new SundialClient({ endpoint, credentials: fromIni({ profile: 'ops' }) });
 */
export class SundialCredentialsError extends SundialRequestError {}

/**
 * The API answered with a body that breaks the contract (a proxy's page, a different API version);
 * `cause` holds the schema error.
 *
 * @example
 * catch (error) {
 *   if (error instanceof SundialResponseError) console.error(error.message, error.cause);
 * }
 */
export class SundialResponseError extends SundialRequestError {}

type ApiErrorClass = new (problem: Problem, request: RequestInfo, options?: ErrorOptions) => SundialApiError;
const BY_TYPE: Record<string, ApiErrorClass> = {
  [PROBLEM_TYPES.validation]: ValidationError,
  [PROBLEM_TYPES.taskNotFound]: TaskNotFoundError,
  [PROBLEM_TYPES.taskConflict]: TaskConflictError,
  [PROBLEM_TYPES.versionMismatch]: VersionMismatchError,
};

/** The typed error for a problem document; its `type` decides, never the human-readable text. */
export function errorFor(problem: Problem, request: RequestInfo): SundialApiError {
  const ErrorClass = BY_TYPE[problem.type] ?? SundialApiError;
  return new ErrorClass(problem, request);
}

/** `connect ECONNREFUSED 127.0.0.1:3000`, from fetch's `TypeError('fetch failed')` and its cause. */
function describeCause(error: unknown): string {
  const inner = (error as { cause?: unknown })?.cause ?? error;
  const code = (inner as { code?: unknown })?.code;
  const message = inner instanceof Error ? inner.message : String(inner);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
