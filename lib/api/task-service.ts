import { ulid } from 'ulid';
import type { Clock } from '../clock';
import type { ShardRange } from '../dispatch/tick-request';
import { TaskNotFoundError, ValidationError } from '../errors';
import type { Log } from '../log';
import {
  DEFAULT_SEARCH_LIMITS,
  instantOf,
  type SearchBudget,
  type SearchLimits,
  searchBudget,
} from '../schedule';
import type { ManualRun } from '../store/items';
import { shardOf } from '../store/schema';
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
  shards: number;
  /** Run-now queues a manual occurrence that the tick delivers through its own claim path. */
  runs: { enqueueManualRun(taskId: string, now: number): Promise<ManualRun> };
  /** Starts a tick on one shard at once, so a manual run need not wait for the next minute. */
  nudgeTick?: (range: ShardRange) => Promise<void>;
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
    if (replaceExisting) return this.deps.store.replaceTask(task);
    // A single conditional put: half the write cost of a one-item transaction.
    await this.deps.store.createTask(task);
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
    return this.deps.store.createTasks(tasks as Task[], request.replaceExisting);
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
    return task;
  }

  /**
   * Runs a task now, whatever its state, with `source: manual`; its schedule, runCount and nextRunAt are
   * untouched. The target is invoked asynchronously, as by the tick, and the run is recorded.
   */
  /**
   * Run now: the occurrence is queued on the task (one conditional write) and delivered by a tick with
   * the same guarantees as a scheduled one; the tick of the task's shard is started at once when possible.
   */
  async runTask(id: string): Promise<RunRequested> {
    const taskId = parseOrThrow(TaskId, id, 'id');
    const manual = await this.deps.runs.enqueueManualRun(taskId, this.deps.clock.now());
    if (this.deps.nudgeTick) {
      const shard = shardOf(taskId, this.deps.shards);
      // Best effort: if it fails, the per-minute tick delivers the run anyway.
      await this.deps.nudgeTick({ from: shard, to: shard + 1 }).catch((error) =>
        this.deps.log?.('warn', 'could not start a tick for a manual run', {
          taskId,
          error: String(error),
        }),
      );
    }
    return { taskId, runId: manual.runId, requestedAt: toIso(manual.requestedAt), source: 'manual' };
  }

  async listRuns(id: string, query: unknown): Promise<Page<Run>> {
    const q = parseOrThrow(ListRunsQuery, query);
    await this.getTask(id);
    return this.deps.store.listRuns(id, q);
  }

  previewSchedule(body: unknown): PreviewResponse {
    return previewSchedule(body, this.deps.clock.now(), this.budget());
  }

  /** The tasks of a list of ids, in the order asked; ids that do not exist are listed in `notFound`. */
  async fetchTasks(body: unknown): Promise<FetchTasksResponse> {
    const { ids } = parseOrThrow(TaskIdList, body);
    const found = await this.deps.store.getDueTasks(ids);
    return {
      tasks: ids.flatMap((id) => found.get(id)?.task ?? []),
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
    return { tasks: results.map((r) => r.task), changed: results.filter((r) => r.changed).length };
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
    return results.map((r) => r.task);
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
