import type {
  GroupJob,
  GroupResult,
  PreviewRequest,
  PreviewResponse,
  Problem,
  RunPageView,
  RunRequested,
  SchedulerState,
  TaskPageView,
  TaskView,
} from './types';

/** An error answer of the API (or no answer: status 0), with its problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.status = problem.status;
    this.problem = problem;
  }
}

interface Options {
  body?: unknown;
  ifMatch?: number;
  signal?: AbortSignal;
}

const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' && value !== null && 'title' in value && 'status' in value;

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

async function send(method: string, path: string, options: Options): Promise<Response> {
  // Writes always say JSON: the local API and `sundial console` refuse other writes (cross-site forms).
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (method !== 'GET') headers['content-type'] = 'application/json';
  if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  try {
    return await fetch(path, { method, headers, body, signal: options.signal, cache: 'no-store' });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApiError({ type: 'about:blank', title: 'Cannot reach the Sundial API', status: 0, detail });
  }
}

/** Calls the public HTTP API on this page's origin; error answers become ApiError. */
export async function request<T>(method: string, path: string, options: Options = {}): Promise<T> {
  const response = await send(method, path, options);
  const text = await response.text();
  const body = parse(text);
  if (response.ok) return body as T;
  const fallback = { type: 'about:blank', title: `HTTP ${response.status}`, detail: text.slice(0, 300) };
  throw new ApiError({ ...(isProblem(body) ? body : fallback), status: response.status });
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const task = (id: string) => `/v1/tasks/${encodeURIComponent(id)}`;
const group = (name: string) => `/v1/groups/${encodeURIComponent(name)}`;

export interface ListTasksParams {
  group?: string;
  state?: string;
  limit?: number;
  cursor?: string;
}

/** One function per route the console uses: the same public API the SDK calls. */
export const api = {
  listTasks: (params: ListTasksParams, signal?: AbortSignal) =>
    request<TaskPageView>('GET', `/v1/tasks${query({ ...params })}`, { signal }),
  getTask: (id: string, signal?: AbortSignal) => request<TaskView>('GET', task(id), { signal }),
  createTask: (body: unknown) => request<TaskView>('POST', '/v1/tasks', { body }),
  updateTask: (id: string, body: unknown, ifMatch: number) =>
    request<TaskView>('PATCH', task(id), { body, ifMatch }),
  deleteTask: (id: string) => request<void>('DELETE', task(id)),
  pauseTask: (id: string) => request<TaskView>('POST', `${task(id)}/pause`),
  resumeTask: (id: string) => request<TaskView>('POST', `${task(id)}/resume`),
  runTask: (id: string) => request<RunRequested>('POST', `${task(id)}/run`),
  listRuns: (
    id: string,
    params: { status?: string; limit?: number; cursor?: string },
    signal?: AbortSignal,
  ) => request<RunPageView>('GET', `${task(id)}/runs${query(params)}`, { signal }),
  // A group larger than one request changes answers with a job (202) to follow with getJob.
  pauseGroup: (name: string) => request<GroupResult | GroupJob>('POST', `${group(name)}/pause`),
  resumeGroup: (name: string) => request<GroupResult | GroupJob>('POST', `${group(name)}/resume`),
  deleteGroup: (name: string) => request<GroupResult | GroupJob>('DELETE', group(name)),
  getJob: (id: string) => request<GroupJob>('GET', `/v1/jobs/${encodeURIComponent(id)}`),
  getScheduler: (signal?: AbortSignal) => request<SchedulerState>('GET', '/v1/scheduler', { signal }),
  pauseScheduler: () => request<SchedulerState>('POST', '/v1/scheduler/pause'),
  resumeScheduler: () => request<SchedulerState>('POST', '/v1/scheduler/resume'),
  previewSchedule: (body: PreviewRequest, signal?: AbortSignal) =>
    request<PreviewResponse>('POST', '/v1/schedules/preview', { body, signal }),
};
