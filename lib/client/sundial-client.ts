import type { z } from 'zod';
import { SundialError } from '../errors';
import {
  type ListRunsQuery,
  type ListTasksQuery,
  Problem,
  RunPage,
  Task,
  type TaskInput,
  TaskPage,
} from '../task/schemas';

/** An error answer from the Sundial API, with its problem document. */
export class SundialApiError extends SundialError {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem, options?: ErrorOptions) {
    super(problem.detail ?? problem.title, options);
    this.status = problem.status;
    this.problem = problem;
  }
}

export interface SundialClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000` or the API Gateway URL. */
  endpoint: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

/**
 * Typed client for the Sundial HTTP API. Responses are checked with the server's own zod schemas.
 *
 * @example
 * const sundial = new SundialClient({ endpoint: 'http://127.0.0.1:3000' });
 * await sundial.createTask({
 *   id: 'nightly-report',
 *   target: { function: 'sundial-report' },
 *   schedule: { cron: '0 2 * * *' },
 *   timezone: 'Europe/Lisbon',
 * });
 */
export class SundialClient {
  private readonly endpoint: string;
  private readonly fetch: typeof fetch;

  constructor(options: SundialClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Creates a task; the stored task comes back with its `nextRunAt`. */
  createTask(input: TaskInput): Promise<Task> {
    return this.request('POST', '/v1/tasks', Task, input);
  }

  getTask(id: string): Promise<Task> {
    return this.request('GET', `/v1/tasks/${encodeURIComponent(id)}`, Task);
  }

  /** One page of tasks; pass the returned `cursor` to get the next. */
  listTasks(query: ListTasksQuery = {}): Promise<TaskPage> {
    return this.request('GET', `/v1/tasks${queryString(query)}`, TaskPage);
  }

  async deleteTask(id: string): Promise<void> {
    await this.request('DELETE', `/v1/tasks/${encodeURIComponent(id)}`);
  }

  /** Run history of a task, newest first. */
  listRuns(id: string, query: ListRunsQuery = {}): Promise<RunPage> {
    return this.request('GET', `/v1/tasks/${encodeURIComponent(id)}/runs${queryString(query)}`, RunPage);
  }

  private async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema?: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const response = await this.fetch(`${this.endpoint}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let problem: Problem;
      try {
        problem = Problem.parse(JSON.parse(text));
      } catch {
        problem = {
          type: 'about:blank',
          title: response.statusText || 'HTTP error',
          status: response.status,
          detail: text,
        };
      }
      throw new SundialApiError(problem);
    }
    return (schema ? schema.parse(JSON.parse(text)) : undefined) as z.output<S>;
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const s = params.toString();
  return s ? `?${s}` : '';
}
