import { ulid } from 'ulid';
import type { Clock } from '../clock';
import { TaskNotFoundError } from '../errors';
import type { Page, TaskStore } from '../store/task-store';
import { buildTask } from '../task/model';
import { ListRunsQuery, ListTasksQuery, type Run, type Task, TaskId, TaskInput } from '../task/schemas';
import { assertTargetAllowed } from '../task/targets';
import { parseOrThrow } from '../task/validate';

export interface TaskServiceDeps {
  store: TaskStore;
  clock: Clock;
  targetPrefixes: readonly string[];
}

/** The use cases behind the HTTP API: validate at the edge, then trust the types. */
export class TaskService {
  constructor(private readonly deps: TaskServiceDeps) {}

  async createTask(body: unknown): Promise<Task> {
    const input = parseOrThrow(TaskInput, body);
    assertTargetAllowed(input.target.function, this.deps.targetPrefixes);
    const task = buildTask({ ...input, id: input.id ?? ulid() }, this.deps.clock.now());
    await this.deps.store.createTask(task);
    return task;
  }

  async getTask(id: string): Promise<Task> {
    const task = await this.deps.store.getTask(parseOrThrow(TaskId, id, 'id'));
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  async listTasks(query: unknown): Promise<Page<Task>> {
    return this.deps.store.listTasks(parseOrThrow(ListTasksQuery, query));
  }

  async deleteTask(id: string): Promise<void> {
    await this.deps.store.deleteTask(parseOrThrow(TaskId, id, 'id'));
  }

  async listRuns(id: string, query: unknown): Promise<Page<Run>> {
    const q = parseOrThrow(ListRunsQuery, query);
    await this.getTask(id);
    return this.deps.store.listRuns(id, q);
  }
}
