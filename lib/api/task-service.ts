import { ulid } from 'ulid';
import type { Clock } from '../clock';
import { fireMessages } from '../dispatch/fire-message';
import type { FireQueue } from '../dispatch/fire-queue';
import { DEFAULT_TICK_OPTIONS, MAX_NUDGE_TASKS, type TickRequest } from '../dispatch/tick';
import { FireQueueUnavailableError, TaskNotFoundError, ValidationError } from '../errors';
import type { Log } from '../log';
import {
  DEFAULT_SEARCH_LIMITS,
  instantOf,
  type SearchBudget,
  type SearchLimits,
  searchBudget,
} from '../schedule';
import { dueAtOf } from '../store/items';
import type { Page, TaskChange, TaskStore } from '../store/task-store';
import { buildTask, toIso } from '../task/model';
import { applyPatch, pauseTask, resumeTask } from '../task/patch';
import { type PreviewResponse, previewSchedule } from '../task/preview';
import { rescheduleTask } from '../task/reschedule';
import {
  BatchCreateRequest,
  BatchRescheduleRequest,
  CreateTaskRequest,
  type DeleteTasksResponse,
  type FetchTasksResponse,
  ListRunsQuery,
  ListTasksQuery,
  RecentRunsQuery,
  RescheduleRequest,
  type Run,
  type RunRequested,
  type Task,
  type TaskDefinition,
  TaskId,
  TaskIdList,
  type TaskListResult,
  TaskPatch,
} from '../task/schemas';
import { assertTargetAllowed, assertTargetEnvironment, type TargetEnvironment } from '../task/targets';
import { parseOrThrow } from '../task/validate';

export interface TaskServiceDeps {
  store: TaskStore;
  clock: Clock;
  targetPrefixes: readonly string[];
  /** Sundial's own functions, never targets. */
  reservedFunctions?: readonly string[];
  /** Where target ARNs may point; absent or empty: by function name only. */
  targetEnvironments?: readonly TargetEnvironment[];
  /** Where run-now requests go: straight to the fire worker, as one token-less entry. */
  fireQueue: FireQueue;
  /**
   * Starts a tick for tasks a write made due before the next tick (and a full tick after a group
   * resume), so their first occurrence fires at its second; absent: they wait for the next tick.
   */
  nudge?: (request: TickRequest) => Promise<void>;
  /** The tick's look-ahead: tasks due within it are nudged (default DEFAULT_TICK_OPTIONS.lookAheadMs). */
  lookAheadMs?: number;
  log?: Log;
  /** How much schedule searching one request may do (default DEFAULT_SEARCH_LIMITS). */
  searchLimits?: SearchLimits;
  /** Milliseconds from a monotonic clock, for the time limit of a search (default performance.now). */
  elapsedMs?: () => number;
}

/** The use cases behind the HTTP API: validate at the edge, then trust the types. */
export class TaskService {
  constructor(private readonly deps: TaskServiceDeps) {}

  /** A fresh budget for the schedule search of one request. */
  private budget(): SearchBudget {
    const limits = this.deps.searchLimits ?? DEFAULT_SEARCH_LIMITS;
    const elapsed = this.deps.elapsedMs ?? (() => performance.now());
    const start = elapsed();
    return searchBudget(limits, () => elapsed() - start > limits.maxMs);
  }

  /** Creates a task (201); with `replaceExisting` an existing task of that id is replaced. */
  async createTask(body: unknown): Promise<Task> {
    const { replaceExisting, ...input } = parseOrThrow(CreateTaskRequest, body);
    const task = this.build(input, this.budget());
    if (replaceExisting) return (await this.nudge([await this.deps.store.replaceTask(task)]))[0] as Task;
    // A single conditional put: half the write cost of a one-item transaction.
    await this.deps.store.createTask(task);
    await this.nudge([task]);
    return task;
  }

  /** Creates up to 100 tasks in one transaction: all of them or none. */
  async createTasks(body: unknown): Promise<Task[]> {
    const request = parseOrThrow(BatchCreateRequest, body);
    const errors: { path: string; message: string }[] = [];
    const budget = this.budget();
    const tasks = request.tasks.map((input, i) => {
      try {
        return this.build(input, budget);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors.push(...error.errors.map((e) => ({ ...e, path: `tasks.${i}.${e.path}` })));
        return undefined;
      }
    });
    if (errors.length) throw new ValidationError(errors);
    return this.nudge(await this.deps.store.createTasks(tasks as Task[], request.replaceExisting));
  }

  private build(input: TaskDefinition, budget: SearchBudget): Task {
    this.assertTarget(input.target.function);
    return buildTask({ ...input, id: input.id ?? ulid() }, this.deps.clock.now(), budget);
  }

  private assertTarget(nameOrArn: string): void {
    assertTargetAllowed(nameOrArn, this.deps.targetPrefixes, this.deps.reservedFunctions);
    assertTargetEnvironment(nameOrArn, this.deps.targetEnvironments ?? []);
  }

  async getTask(id: string): Promise<Task> {
    const task = await this.deps.store.getTask(parseOrThrow(TaskId, id, 'id'));
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  async listTasks(query: unknown): Promise<Page<Task>> {
    return this.deps.store.listTasks(parseOrThrow(ListTasksQuery, query));
  }

  /** Applies a merge patch; `ifMatch` (the If-Match header) makes it conditional on that version. */
  async updateTask(id: string, body: unknown, ifMatch?: string): Promise<Task> {
    const taskId = parseOrThrow(TaskId, id, 'id');
    const patch = parseOrThrow(TaskPatch, body);
    if (patch.target) this.assertTarget(patch.target.function);
    const expectedVersion = parseIfMatch(ifMatch);
    const { task } = await this.deps.store.modifyTask(
      taskId,
      (current) => applyPatch(current.task, patch, this.deps.clock.now(), this.budget()),
      { expectedVersion },
    );
    await this.nudge([task]);
    return task;
  }

  async deleteTask(id: string): Promise<void> {
    await this.deps.store.deleteTask(parseOrThrow(TaskId, id, 'id'));
  }

  pauseTask(id: string, ifMatch?: string): Promise<Task> {
    return this.modify(id, (current) => pauseTask(current.task, this.deps.clock.now()), ifMatch);
  }

  resumeTask(id: string, ifMatch?: string): Promise<Task> {
    return this.modify(id, (current) => resumeTask(current.task, this.deps.clock.now()), ifMatch);
  }

  private async modify(id: string, change: TaskChange, ifMatch?: string): Promise<Task> {
    const taskId = parseOrThrow(TaskId, id, 'id');
    const { task } = await this.deps.store.modifyTask(taskId, change, {
      expectedVersion: parseIfMatch(ifMatch),
    });
    await this.nudge([task]);
    return task;
  }

  /**
   * Runs a task now, whatever its state, with `source: manual`; its schedule, runCount and nextRunAt are
   * untouched. The request goes straight to the fire queue, so the target is invoked within a second.
   */
  async runTask(id: string): Promise<RunRequested> {
    const taskId = parseOrThrow(TaskId, id, 'id');
    if (!(await this.deps.store.getTask(taskId))) throw new TaskNotFoundError(taskId);
    const requestedAt = this.deps.clock.now();
    const runId = ulid(requestedAt);
    const entry = { taskId, scheduledAt: requestedAt, fireAt: requestedAt, runId };
    const failed = await this.deps.fireQueue.send(fireMessages([entry], requestedAt)).catch((error) => {
      throw new FireQueueUnavailableError({ cause: error });
    });
    if (failed.size) throw new FireQueueUnavailableError();
    return { taskId, runId, requestedAt: toIso(requestedAt), source: 'manual' };
  }

  /**
   * Starts a tick for those of `tasks` due before the next one would hand them off, so a task created,
   * changed or resumed a few seconds before its occurrence fires at its second. Best effort: a nudge
   * that fails leaves them to the next tick (logged).
   */
  private async nudge<T extends Task>(tasks: T[]): Promise<T[]> {
    const { nudge } = this.deps;
    if (!nudge) return tasks;
    const horizon = this.deps.clock.now() + (this.deps.lookAheadMs ?? DEFAULT_TICK_OPTIONS.lookAheadMs);
    const due = tasks.filter((t) => (dueAtOf(t) ?? Number.POSITIVE_INFINITY) <= horizon).map((t) => t.id);
    for (let i = 0; i < due.length; i += MAX_NUDGE_TASKS) {
      await nudge({ tasks: due.slice(i, i + MAX_NUDGE_TASKS), nudge: true }).catch((error) =>
        this.deps.log?.('warn', 'could not start a tick for new work', { error: String(error) }),
      );
    }
    return tasks;
  }

  async listRuns(id: string, query: unknown): Promise<Page<Run>> {
    const q = parseOrThrow(ListRunsQuery, query);
    await this.getTask(id);
    return this.deps.store.listRuns(id, q);
  }

  /** Runs of every task that ended failed or timed out for good (GET /v1/runs?status=), newest first. */
  listRecentRuns(query: unknown): Promise<Page<Run>> {
    return this.deps.store.listRecentRuns(parseOrThrow(RecentRunsQuery, query));
  }

  previewSchedule(body: unknown): PreviewResponse {
    return previewSchedule(body, this.deps.clock.now(), this.budget());
  }

  /** The tasks of a list of ids, in the order asked; ids that do not exist are listed in `notFound`. */
  async fetchTasks(body: unknown): Promise<FetchTasksResponse> {
    const { ids } = parseOrThrow(TaskIdList, body);
    const found = await this.deps.store.getDueTasks(ids);
    return {
      tasks: ids.flatMap((id) => {
        const due = found.get(id);
        return due ? [this.deps.store.viewOf(due)] : [];
      }),
      notFound: ids.filter((id) => !found.has(id)),
    };
  }

  /** Pauses every task of a list, all or nothing (404 naming each missing id, and nothing changes). */
  pauseTasks(body: unknown): Promise<TaskListResult> {
    return this.modifyList(body, (current) => pauseTask(current.task, this.deps.clock.now()));
  }

  /** Resumes every task of a list, all or nothing; each follows its misfire policy as a single resume. */
  resumeTasks(body: unknown): Promise<TaskListResult> {
    return this.modifyList(body, (current) => resumeTask(current.task, this.deps.clock.now()));
  }

  private async modifyList(body: unknown, change: TaskChange): Promise<TaskListResult> {
    const { ids } = parseOrThrow(TaskIdList, body);
    const results = await this.deps.store.modifyTasks(
      ids.map((taskId, i) => ({ taskId, change, path: `ids.${i}` })),
    );
    const tasks = await this.nudge(results.map((r) => r.task));
    return { tasks, changed: results.filter((r) => r.changed).length };
  }

  /** Deletes every task of a list and their run histories, all or nothing. */
  async deleteTasks(body: unknown): Promise<DeleteTasksResponse> {
    const { ids } = parseOrThrow(TaskIdList, body);
    await this.deps.store.deleteTasks(ids);
    return { deleted: ids };
  }

  /** Sets a task's next run without changing its schedule; `ifMatch` as for PATCH. */
  async rescheduleTask(id: string, body: unknown, ifMatch?: string): Promise<Task> {
    const taskId = parseOrThrow(TaskId, id, 'id');
    const at = instantOf(parseOrThrow(RescheduleRequest, body).nextRunAt);
    const { task } = await this.deps.store.modifyTask(
      taskId,
      (current) => rescheduleTask(current.task, at, this.deps.clock.now()),
      { expectedVersion: parseIfMatch(ifMatch) },
    );
    await this.nudge([task]);
    return task;
  }

  /** Moves the next runs of many tasks in one transaction: all of them, or none. */
  async rescheduleTasks(body: unknown): Promise<Task[]> {
    const { tasks } = parseOrThrow(BatchRescheduleRequest, body);
    const results = await this.deps.store.modifyTasks(
      tasks.map((move, i) => ({
        taskId: move.id,
        expectedVersion: move.version,
        path: `tasks.${i}.id`,
        change: (current) =>
          rescheduleTask(
            current.task,
            instantOf(move.nextRunAt),
            this.deps.clock.now(),
            `tasks.${i}.nextRunAt`,
          ),
      })),
    );
    return this.nudge(results.map((r) => r.task));
  }
}

/** `If-Match: "3"`, `3` or `W/"3"` → 3; absent → undefined; anything else is a 400. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header);
  if (!match) {
    throw new ValidationError([{ path: 'If-Match', message: 'expected the task version, e.g. "3"' }]);
  }
  return Number(match[1]);
}
