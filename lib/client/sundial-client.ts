import { z } from 'zod';
import {
  BatchCreateResponse,
  type BatchRescheduleRequest,
  type CreateTaskRequest,
  DeleteTasksResponse,
  FetchTasksResponse,
  GroupJob,
  GroupResult,
  type ListRunsQuery,
  type ListTasksQuery,
  type PreviewRequest,
  PreviewResponse,
  type RecentRunsQuery,
  RunPage,
  RunRequested,
  SchedulerState,
  Task,
  type TaskInput,
  TaskList,
  TaskListResult,
  TaskPage,
  type TaskPatch,
} from '../task/schemas';
import { type CredentialsInput, regionOfEndpoint } from './sign';
import { abortableSleep, type Call, type RequestOptions, Transport } from './transport';

export type { RequestOptions } from './transport';

/** The environment variable the CLI and the client read when no endpoint is given. */
export const ENDPOINT_ENV = 'SUNDIAL_ENDPOINT';

export interface SundialClientOptions {
  /**
   * Base URL of the API: the API Gateway URL, or `http://127.0.0.1:3000` for `npm start`.
   * Defaults to the `SUNDIAL_ENDPOINT` environment variable.
   */
  endpoint?: string | undefined;
  /**
   * Credentials for SigV4 (`execute-api`). Default: none for a localhost endpoint, else the AWS default
   * credential chain (environment, profile, SSO, container or instance role); when it finds none, calls fail
   * with SundialCredentialsError before anything is sent. `false` never signs.
   */
  credentials?: CredentialsInput | false | undefined;
  /** Signing region. Default: from an `execute-api` URL, else `AWS_REGION`, else `us-east-1`. */
  region?: string | undefined;
  /** Attempts per call, the first included (default 3). Only safe calls are retried after a 5xx. */
  maxAttempts?: number | undefined;
  /** Milliseconds one attempt may take before it is aborted (default 10 000). */
  timeoutMs?: number | undefined;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch | undefined;
  /** How to wait between attempts (default: a timer that the call's signal ends); tests pass one that does not wait. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** A number in [0, 1) for backoff jitter (default Math.random). */
  random?: (() => number) | undefined;
}

/** Options of group operations. */
export interface GroupOptions extends RequestOptions {
  /** Wait for a job (a group larger than one request changes) to finish; default true. */
  wait?: boolean | undefined;
  /** Called with the job when it starts and with each progress report while waiting. */
  onProgress?: ((job: GroupJob) => void) | undefined;
  /** Milliseconds between two progress reports while waiting (default 1000). */
  pollMs?: number | undefined;
}

/**
 * What a group operation did: `matched` tasks and `changed` of them. When it ran as a job, also `failed`
 * (tasks that kept changing under it) and the `job` (still running when called with `wait: false`).
 */
export type GroupOutcome = GroupResult & { failed?: number; job?: GroupJob };

/** A group operation's answer: a job (202) or the result (200); a job is told apart by its `status`. */
const GroupAnswer = z.union([GroupJob, GroupResult]);

/** Options of calls that change a task the caller read before. */
export interface ConditionalOptions extends RequestOptions {
  /** Apply only if the task is still at this version (If-Match); otherwise VersionMismatchError (412). */
  ifMatch?: number | undefined;
}

/**
 * Typed client for the Sundial HTTP API, one method per route. Requests to AWS are signed with SigV4;
 * throttling and server errors are retried with exponential backoff and full jitter; responses are checked
 * with the server's own zod schemas. Every failure is a typed SundialRequestError carrying the request id:
 * error answers (TaskNotFoundError, TaskConflictError, VersionMismatchError, ValidationError, else
 * SundialApiError), SundialNetworkError, SundialTimeoutError, SundialAbortError (the call's `signal`),
 * SundialCredentialsError and SundialResponseError.
 *
 * @example
 * import { SundialClient } from 'sundial-scheduler';
 *
 * const sundial = new SundialClient({ endpoint: 'http://127.0.0.1:3000' });
 * const task = await sundial.createTask({
 *   id: 'nightly-report',
 *   target: { function: 'sundial-example-echo' },
 *   schedule: { cron: '0 2 * * *' },
 *   timezone: 'Europe/Lisbon',
 *   payload: { report: 'daily' },
 * });
 * console.log(task.nextRunAt);
 */
export class SundialClient {
  readonly endpoint: string;
  private readonly transport: Transport;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: SundialClientOptions = {}) {
    const endpoint = options.endpoint ?? process.env[ENDPOINT_ENV];
    if (!endpoint) throw new TypeError(`SundialClient needs an endpoint (or the ${ENDPOINT_ENV} variable)`);
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.sleep = options.sleep ?? abortableSleep;
    this.transport = new Transport({
      endpoint: this.endpoint,
      credentials: options.credentials,
      region: options.region ?? regionOfEndpoint(this.endpoint) ?? process.env.AWS_REGION ?? 'us-east-1',
      maxAttempts: Math.max(1, options.maxAttempts ?? 3),
      timeoutMs: options.timeoutMs ?? 10_000,
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
    });
  }

  /**
   * Creates a task. TaskConflictError (409) if the id exists, unless `replaceExisting: true`.
   *
   * @example
   * await sundial.createTask({ id: 'ping', target: { function: 'sundial-ping' }, schedule: { every: { minutes: 5 } } });
   */
  createTask(input: CreateTaskRequest, options?: RequestOptions): Promise<Task> {
    return this.call(
      { method: 'POST', path: '/v1/tasks', schema: Task, body: input, idempotent: false },
      options,
    );
  }

  /**
   * Creates up to 100 tasks in one transaction: all of them, or none (ValidationError names the bad
   * task as `tasks.<index>.<field>`; TaskConflictError names an existing id).
   *
   * @example
   * const tasks = await sundial.createTasks(
   *   customers.map((c) => ({ id: `invoice-${c}`, group: 'invoices', target: { function: 'sundial-invoice' }, schedule: { cron: '0 6 1 * *' }, payload: { c } })),
   * );
   */
  async createTasks(
    tasks: TaskInput[],
    options: RequestOptions & { replaceExisting?: boolean | undefined } = {},
  ): Promise<Task[]> {
    const body = { tasks, replaceExisting: options.replaceExisting };
    const out = await this.call(
      {
        method: 'POST',
        path: '/v1/tasks/batch',
        schema: BatchCreateResponse,
        body,
        idempotent: false,
      },
      options,
    );
    return out.tasks;
  }

  /**
   * Reads a task; TaskNotFoundError (404) if there is none.
   *
   * @example
   * const { state, nextRunAt, version } = await sundial.getTask('nightly-report');
   */
  getTask(id: string, options?: RequestOptions): Promise<Task> {
    return this.call({ method: 'GET', path: taskPath(id), schema: Task, idempotent: true }, options);
  }

  /**
   * One page of tasks, optionally of one group and/or state; pass the returned `cursor` for the next page.
   *
   * @example
   * const { tasks, cursor } = await sundial.listTasks({ group: 'reports', state: 'active', limit: 20 });
   */
  listTasks(query: ListTasksQuery = {}, options?: RequestOptions): Promise<TaskPage> {
    return this.call(
      {
        method: 'GET',
        path: `/v1/tasks${queryString(query)}`,
        schema: TaskPage,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Every page of tasks, fetched as you iterate.
   *
   * @example
   * for await (const page of sundial.paginateTasks({ group: 'reports' })) {
   *   for (const task of page.tasks) console.log(task.id, task.nextRunAt);
   * }
   */
  async *paginateTasks(
    query: Omit<ListTasksQuery, 'cursor'> = {},
    options?: RequestOptions,
  ): AsyncGenerator<TaskPage> {
    let cursor: string | undefined;
    do {
      const page = await this.listTasks({ ...query, cursor }, options);
      yield page;
      cursor = page.cursor;
    } while (cursor);
  }

  /**
   * Changes a task with a merge patch: absent fields are kept, `null` clears an optional field; a schedule
   * change recomputes `nextRunAt`. With `ifMatch`, VersionMismatchError (412) if someone changed it since.
   *
   * @example
   * const task = await sundial.getTask('nightly-report');
   * await sundial.updateTask('nightly-report', { schedule: { cron: '0 3 * * *' } }, { ifMatch: task.version });
   */
  updateTask(id: string, patch: TaskPatch, options: ConditionalOptions = {}): Promise<Task> {
    return this.call(
      {
        method: 'PATCH',
        path: taskPath(id),
        schema: Task,
        body: patch,
        headers: ifMatchHeader(options),
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Deletes a task and its run history; TaskNotFoundError (404) if there is none.
   *
   * @example
   * await sundial.deleteTask('nightly-report');
   */
  async deleteTask(id: string, options?: RequestOptions): Promise<void> {
    await this.call({ method: 'DELETE', path: taskPath(id), schema: undefined, idempotent: true }, options);
  }

  /**
   * Pauses a task (idempotent): it keeps its definition and fires nothing until resumed.
   *
   * @example
   * await sundial.pauseTask('nightly-report');
   */
  pauseTask(id: string, options: ConditionalOptions = {}): Promise<Task> {
    return this.call(
      {
        method: 'POST',
        path: `${taskPath(id)}/pause`,
        schema: Task,
        headers: ifMatchHeader(options),
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Resumes a paused task (idempotent). Occurrences missed while paused fire as the task's misfire
   * policy says: none with `skip`, the latest with `once` (the default), up to 100 with `all`.
   *
   * @example
   * const { nextRunAt } = await sundial.resumeTask('nightly-report');
   */
  resumeTask(id: string, options: ConditionalOptions = {}): Promise<Task> {
    return this.call(
      {
        method: 'POST',
        path: `${taskPath(id)}/resume`,
        schema: Task,
        headers: ifMatchHeader(options),
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Sets a task's next run without changing its schedule: it fires at `nextRunAt`, then the schedule
   * resumes from there (APScheduler's `next_run_time`).
   *
   * @example
   * await sundial.rescheduleTask('nightly-report', '2026-12-24T18:00:00Z');
   */
  rescheduleTask(id: string, nextRunAt: string, options: ConditionalOptions = {}): Promise<Task> {
    return this.call({
      method: 'POST',
      path: `${taskPath(id)}/reschedule`,
      schema: Task,
      body: { nextRunAt },
      headers: ifMatchHeader(options),
      idempotent: true,
    });
  }

  /**
   * Moves the next runs of up to 100 tasks in one transaction: all move, or none does (a missing id is a
   * TaskNotFoundError, a refused time a ValidationError naming `tasks.N.nextRunAt`).
   *
   * @example
   * await sundial.rescheduleTasks([{ id: 'a', nextRunAt: '2026-12-24T18:00:00Z' }, { id: 'b', nextRunAt: '2026-12-24T18:05:00Z' }]);
   */
  async rescheduleTasks(moves: BatchRescheduleRequest['tasks']): Promise<Task[]> {
    const body = { tasks: moves };
    const out = await this.call({
      method: 'POST',
      path: '/v1/tasks/reschedule',
      schema: TaskList,
      body,
      idempotent: true,
    });
    return out.tasks;
  }

  /**
   * Reads up to 100 tasks by id; ids that do not exist come back in `notFound`.
   *
   * @example
   * const { tasks, notFound } = await sundial.getTasks(['a', 'b']);
   */
  getTasks(ids: string[]): Promise<FetchTasksResponse> {
    const body = { ids };
    return this.call({
      method: 'POST',
      path: '/v1/tasks/fetch',
      schema: FetchTasksResponse,
      body,
      idempotent: true,
    });
  }

  /**
   * Pauses up to 100 tasks by id, all or nothing: a missing id is a TaskNotFoundError and nothing changes.
   *
   * @example
   * const { changed } = await sundial.pauseTasks(['a', 'b']);
   */
  pauseTasks(ids: string[]): Promise<TaskListResult> {
    return this.call({
      method: 'POST',
      path: '/v1/tasks/pause',
      schema: TaskListResult,
      body: { ids },
      idempotent: true,
    });
  }

  /**
   * Resumes up to 100 paused tasks by id, all or nothing; each follows its misfire policy.
   *
   * @example
   * await sundial.resumeTasks(['a', 'b']);
   */
  resumeTasks(ids: string[]): Promise<TaskListResult> {
    return this.call({
      method: 'POST',
      path: '/v1/tasks/resume',
      schema: TaskListResult,
      body: { ids },
      idempotent: true,
    });
  }

  /**
   * Deletes up to 100 tasks by id and their run histories, all or nothing. Not retried after an
   * ambiguous failure: a repeat after success would answer 404.
   *
   * @example
   * await sundial.deleteTasks(['a', 'b']);
   */
  async deleteTasks(ids: string[]): Promise<string[]> {
    const body = { ids };
    const out = await this.call({
      method: 'POST',
      path: '/v1/tasks/delete',
      schema: DeleteTasksResponse,
      body,
      idempotent: false,
    });
    return out.deleted;
  }

  /**
   * Runs a task now (`source: "manual"`), whatever its state; the schedule is untouched. Never retried
   * after an ambiguous failure, since that could run it twice.
   *
   * @example
   * const { runId } = await sundial.runTask('nightly-report');
   * // The run appears in listRuns('nightly-report') once the tick has delivered it.
   */
  runTask(id: string, options?: RequestOptions): Promise<RunRequested> {
    return this.call(
      {
        method: 'POST',
        path: `${taskPath(id)}/run`,
        schema: RunRequested,
        idempotent: false,
      },
      options,
    );
  }

  /**
   * One page of a task's run history, newest first; with `status`, only the runs in that status. A filtered
   * page may hold fewer than `limit` runs (even none) and still have a cursor: follow it to read on.
   *
   * @example
   * const { runs } = await sundial.listRuns('nightly-report', { limit: 10 });
   * const failed = await sundial.listRuns('nightly-report', { status: 'failed' });
   */
  listRuns(id: string, query: ListRunsQuery = {}, options?: RequestOptions): Promise<RunPage> {
    return this.call(
      {
        method: 'GET',
        path: `${taskPath(id)}/runs${queryString(query)}`,
        schema: RunPage,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Every page of a task's run history, newest first, fetched as you iterate.
   *
   * @example
   * for await (const page of sundial.paginateRuns('nightly-report')) console.log(page.runs.length);
   */
  async *paginateRuns(
    id: string,
    query: Omit<ListRunsQuery, 'cursor'> = {},
    options?: RequestOptions,
  ): AsyncGenerator<RunPage> {
    let cursor: string | undefined;
    do {
      const page = await this.listRuns(id, { ...query, cursor }, options);
      yield page;
      cursor = page.cursor;
    } while (cursor);
  }

  /**
   * One page of the runs of every task that ended `failed` (or `timed_out`) for good, retries exhausted,
   * newest first, for as long as run records are kept.
   *
   * @example
   * const { runs } = await sundial.listRecentRuns({ status: 'failed', limit: 20 });
   * for (const run of runs) console.log(run.taskId, run.finishedAt, run.errorType, run.errorMessage);
   */
  listRecentRuns(query: RecentRunsQuery, options?: RequestOptions): Promise<RunPage> {
    return this.call(
      {
        method: 'GET',
        path: `/v1/runs${queryString(query)}`,
        schema: RunPage,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Every page of the runs that ended `failed` (or `timed_out`) for good, across tasks, fetched as you
   * iterate.
   *
   * @example
   * for await (const page of sundial.paginateRecentRuns({ status: 'timed_out' })) console.log(page.runs.length);
   */
  async *paginateRecentRuns(
    query: Omit<RecentRunsQuery, 'cursor'>,
    options?: RequestOptions,
  ): AsyncGenerator<RunPage> {
    let cursor: string | undefined;
    do {
      const page = await this.listRecentRuns({ ...query, cursor }, options);
      yield page;
      cursor = page.cursor;
    } while (cursor);
  }

  /**
   * Pauses every task of a group; `changed` counts those that were not paused already. A group larger
   * than one request changes becomes a job: by default the call waits for it, reporting progress.
   *
   * @example
   * const { matched, changed } = await sundial.pauseGroup('reports', {
   *   onProgress: (job) => console.log(`${job.done}/${job.total ?? '?'}`),
   * });
   */
  pauseGroup(group: string, options?: GroupOptions): Promise<GroupOutcome> {
    return this.groupCall('POST', `${groupPath(group)}/pause`, options);
  }

  /**
   * Resumes every paused task of a group from now (waiting on a job as pauseGroup does).
   *
   * @example
   * await sundial.resumeGroup('reports');
   */
  resumeGroup(group: string, options?: GroupOptions): Promise<GroupOutcome> {
    return this.groupCall('POST', `${groupPath(group)}/resume`, options);
  }

  /**
   * Deletes every task of a group, with their run histories (waiting on a job as pauseGroup does).
   *
   * @example
   * const { changed } = await sundial.deleteGroup('load-test');
   */
  deleteGroup(group: string, options?: GroupOptions): Promise<GroupOutcome> {
    return this.groupCall('DELETE', groupPath(group), options);
  }

  /**
   * A group job's progress (`status: 'running'`), then its final count (`status: 'done'`).
   *
   * @example
   * const job = await sundial.getJob('01JD2Q5V3M8C7Z9K4T6W1X0Y2R');
   */
  getJob(id: string, options?: RequestOptions): Promise<GroupJob> {
    return this.call(
      { method: 'GET', path: `/v1/jobs/${encodeURIComponent(id)}`, schema: GroupJob, idempotent: true },
      options,
    );
  }

  /**
   * Polls a group job until it is done, calling `onProgress` with each report; resolves with the final one.
   *
   * @example
   * const job = await sundial.waitForJob(id, { onProgress: (j) => console.log(j.done, j.total) });
   */
  async waitForJob(id: string, options: Omit<GroupOptions, 'wait'> = {}): Promise<GroupJob> {
    for (;;) {
      const job = await this.getJob(id, options);
      options.onProgress?.(job);
      if (job.status === 'done') return job;
      await this.sleep(options.pollMs ?? 1000, options.signal);
    }
  }

  private async groupCall(
    method: 'POST' | 'DELETE',
    path: string,
    options: GroupOptions = {},
  ): Promise<GroupOutcome> {
    const answer = await this.call({ method, path, schema: GroupAnswer, idempotent: true }, options);
    if (!('status' in answer)) return answer;
    options.onProgress?.(answer);
    const job = options.wait === false ? answer : await this.waitForJob(answer.id, options);
    return { group: job.group, matched: job.done, changed: job.changed, failed: job.failed, job };
  }

  /**
   * The state of the tick schedule (EventBridge Scheduler) that drives every task.
   *
   * @example
   * const { state } = await sundial.getScheduler(); // 'ENABLED' | 'DISABLED'
   */
  getScheduler(options?: RequestOptions): Promise<SchedulerState> {
    return this.call(
      { method: 'GET', path: '/v1/scheduler', schema: SchedulerState, idempotent: true },
      options,
    );
  }

  /**
   * Disables the tick schedule: no task fires until `resumeScheduler` (a maintenance switch).
   *
   * @example
   * await sundial.pauseScheduler();
   */
  pauseScheduler(options?: RequestOptions): Promise<SchedulerState> {
    return this.call(
      {
        method: 'POST',
        path: '/v1/scheduler/pause',
        schema: SchedulerState,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Enables the tick schedule again.
   *
   * @example
   * await sundial.resumeScheduler();
   */
  resumeScheduler(options?: RequestOptions): Promise<SchedulerState> {
    return this.call(
      {
        method: 'POST',
        path: '/v1/scheduler/resume',
        schema: SchedulerState,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * The next occurrences of a schedule and a description of it, without creating a task.
   *
   * @example
   * const { occurrences } = await sundial.previewSchedule({ schedule: { cron: '0 9 * * MON-FRI' }, timezone: 'Europe/Lisbon', count: 5 });
   */
  previewSchedule(request: PreviewRequest, options?: RequestOptions): Promise<PreviewResponse> {
    return this.call(
      {
        method: 'POST',
        path: '/v1/schedules/preview',
        schema: PreviewResponse,
        body: request,
        idempotent: true,
      },
      options,
    );
  }

  private call<S extends z.ZodType | undefined>(
    call: Call<S>,
    options?: RequestOptions,
  ): Promise<S extends z.ZodType ? z.output<S> : undefined> {
    return this.transport.send(call, options) as never;
  }
}

const taskPath = (id: string) => `/v1/tasks/${encodeURIComponent(id)}`;
const groupPath = (group: string) => `/v1/groups/${encodeURIComponent(group)}`;
const ifMatchHeader = (options: ConditionalOptions): Record<string, string> =>
  options.ifMatch === undefined ? {} : { 'if-match': `"${options.ifMatch}"` };

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const s = params.toString();
  return s ? `?${s}` : '';
}
