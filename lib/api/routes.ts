import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { PreviewRequest, PreviewResponse } from '../task/preview';
import {
  BatchCreateRequest,
  BatchCreateResponse,
  BatchRescheduleRequest,
  CreateTaskRequest,
  DeleteTasksResponse,
  FetchTasksResponse,
  GroupId,
  GroupJob,
  GroupResult,
  JobId,
  ListRunsQuery,
  ListTasksQuery,
  Problem,
  RecentRunsQuery,
  RescheduleRequest,
  RunPage,
  RunRequested,
  SchedulerState,
  Task,
  TaskId,
  TaskIdList,
  TaskList,
  TaskListResult,
  TaskPage,
  TaskPatch,
} from '../task/schemas';
import { GROUP_REQUEST_LIMIT } from './group-service';

/** The route table of the HTTP API, with the schemas the OpenAPI document is generated from. */

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const problem = (description: string) => ({
  content: { 'application/problem+json': { schema: Problem } },
  description,
});
const body = <S extends z.ZodType>(schema: S) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

const errors = {
  400: problem('invalid request: `errors` lists each bad field as {path, message}'),
  404: problem('no task with this id'),
} as const;
const idParams = z.object({ id: TaskId });
const groupParams = z.object({ group: GroupId });
const ifMatch = z.object({
  'if-match': z
    .string()
    .optional()
    .describe('the version the change is based on (the ETag of a read); 412 if the task moved on'),
});
const taskWithEtag = {
  ...json(Task, 'the task'),
  headers: z.object({ ETag: z.string().describe('the task version, quoted') }),
};

/** A group operation: done in the request up to GROUP_REQUEST_LIMIT tasks, else a job (202). */
function groupRoute(method: 'post' | 'delete', path: string, summary: string, verb: string) {
  return createRoute({
    method,
    path,
    tags: ['groups'],
    summary,
    description: `Up to ${GROUP_REQUEST_LIMIT} tasks: done within the request (200). A larger group: a job (202, \`Location: /v1/jobs/{id}\`) that runs in the background; repeating the request while it runs returns the same job. Another operation on the group while a job runs is a 409.`,
    request: { params: groupParams },
    responses: {
      200: json(GroupResult, `done: how many tasks matched and ${verb}`),
      202: {
        ...json(GroupJob, 'a job: follow it with GET /v1/jobs/{id}'),
        headers: z.object({ Location: z.string().describe('/v1/jobs/{id}') }),
      },
      400: errors[400],
      409: problem('another operation runs on this group'),
    },
  });
}

export const routes = {
  health: createRoute({
    method: 'get',
    path: '/v1/health',
    tags: ['meta'],
    summary: 'Readiness: the API and its task store answer',
    description: 'Reads the task table (one read of an absent item); 503 with `Retry-After` while it cannot.',
    responses: {
      200: json(z.object({ status: z.literal('ok') }), 'ready: the task store answered'),
      503: problem('the task store is unavailable'),
    },
  }),
  liveness: createRoute({
    method: 'get',
    path: '/v1/health/live',
    tags: ['meta'],
    summary: 'Liveness: the API process answers (touches nothing else)',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'the API is up') },
  }),
  createTask: createRoute({
    method: 'post',
    path: '/v1/tasks',
    tags: ['tasks'],
    summary: 'Create a task',
    description:
      '409 if the id exists, unless `replaceExisting: true` (the task is then replaced, as version + 1).',
    request: body(CreateTaskRequest),
    responses: {
      201: taskWithEtag,
      ...errors,
      409: problem('a task with this id exists'),
    },
  }),
  createTasks: createRoute({
    method: 'post',
    path: '/v1/tasks/batch',
    tags: ['tasks'],
    summary: 'Create up to 100 tasks, all or nothing',
    request: body(BatchCreateRequest),
    responses: {
      201: json(BatchCreateResponse, 'every task, created'),
      400: errors[400],
      409: problem('one of the ids exists: nothing was written'),
    },
  }),
  listTasks: createRoute({
    method: 'get',
    path: '/v1/tasks',
    tags: ['tasks'],
    summary: 'List tasks',
    description:
      'Pages of at most `limit` tasks; pass `cursor` from a page to get the next. The last page has no cursor.',
    request: { query: ListTasksQuery },
    responses: { 200: json(TaskPage, 'one page of tasks'), 400: errors[400] },
  }),
  getTask: createRoute({
    method: 'get',
    path: '/v1/tasks/{id}',
    tags: ['tasks'],
    summary: 'Read a task',
    request: { params: idParams },
    responses: { 200: taskWithEtag, ...errors },
  }),
  updateTask: createRoute({
    method: 'patch',
    path: '/v1/tasks/{id}',
    tags: ['tasks'],
    summary: 'Change a task (JSON merge patch)',
    description:
      'Absent fields are kept, `null` clears an optional field. A scheduling change recomputes `nextRunAt` in the same conditional write.',
    request: { params: idParams, headers: ifMatch, ...body(TaskPatch) },
    responses: { 200: taskWithEtag, ...errors, 412: problem('If-Match does not name the current version') },
  }),
  deleteTask: createRoute({
    method: 'delete',
    path: '/v1/tasks/{id}',
    tags: ['tasks'],
    summary: 'Delete a task and its run history',
    request: { params: idParams },
    responses: { 204: { description: 'deleted' }, ...errors },
  }),
  pauseTask: createRoute({
    method: 'post',
    path: '/v1/tasks/{id}/pause',
    tags: ['tasks'],
    summary: 'Pause a task (idempotent)',
    request: { params: idParams, headers: ifMatch },
    responses: { 200: taskWithEtag, ...errors, 412: problem('If-Match does not name the current version') },
  }),
  resumeTask: createRoute({
    method: 'post',
    path: '/v1/tasks/{id}/resume',
    tags: ['tasks'],
    summary: 'Resume a paused task from now (idempotent)',
    request: { params: idParams, headers: ifMatch },
    responses: { 200: taskWithEtag, ...errors, 412: problem('If-Match does not name the current version') },
  }),
  runTask: createRoute({
    method: 'post',
    path: '/v1/tasks/{id}/run',
    tags: ['tasks'],
    summary: 'Run a task now (source: manual)',
    description: 'Invokes the target asynchronously whatever the task state; the schedule is untouched.',
    request: { params: idParams },
    responses: {
      202: json(RunRequested, 'sent to the fire queue: the target receives it with this runId'),
      ...errors,
    },
  }),
  rescheduleTask: createRoute({
    method: 'post',
    path: '/v1/tasks/{id}/reschedule',
    tags: ['tasks'],
    summary: "Set a task's next run without changing its schedule",
    description:
      'The task fires at `nextRunAt`, then its schedule resumes from there. `nextRunAt` must lie in [startAt, endAt] and after the last run; a paused task stays paused.',
    request: { params: idParams, headers: ifMatch, ...body(RescheduleRequest) },
    responses: { 200: taskWithEtag, ...errors, 412: problem('If-Match does not name the current version') },
  }),
  fetchTasks: createRoute({
    method: 'post',
    path: '/v1/tasks/fetch',
    tags: ['tasks'],
    summary: 'Read up to 100 tasks by id',
    request: body(TaskIdList),
    responses: {
      200: json(FetchTasksResponse, 'the tasks found, in the order asked, and the ids not found'),
      400: errors[400],
    },
  }),
  pauseTasks: createRoute({
    method: 'post',
    path: '/v1/tasks/pause',
    tags: ['tasks'],
    summary: 'Pause up to 100 tasks by id, all or nothing',
    request: body(TaskIdList),
    responses: {
      200: json(TaskListResult, 'every task, after the call'),
      400: errors[400],
      404: problem('some ids do not exist (`errors` names each): nothing was changed'),
    },
  }),
  resumeTasks: createRoute({
    method: 'post',
    path: '/v1/tasks/resume',
    tags: ['tasks'],
    summary: 'Resume up to 100 tasks by id, all or nothing',
    request: body(TaskIdList),
    responses: {
      200: json(TaskListResult, 'every task, after the call'),
      400: errors[400],
      404: problem('some ids do not exist (`errors` names each): nothing was changed'),
    },
  }),
  deleteTasks: createRoute({
    method: 'post',
    path: '/v1/tasks/delete',
    tags: ['tasks'],
    summary: 'Delete up to 100 tasks by id and their run histories, all or nothing',
    request: body(TaskIdList),
    responses: {
      200: json(DeleteTasksResponse, 'the ids deleted'),
      400: errors[400],
      404: problem('some ids do not exist (`errors` names each): nothing was deleted'),
    },
  }),
  rescheduleTasks: createRoute({
    method: 'post',
    path: '/v1/tasks/reschedule',
    tags: ['tasks'],
    summary: 'Move the next runs of up to 100 tasks, all or nothing',
    description:
      'Each `{id, nextRunAt, version?}` as for POST /v1/tasks/{id}/reschedule; `version` works like If-Match. One transaction: every task moves, or none does.',
    request: body(BatchRescheduleRequest),
    responses: {
      200: json(TaskList, 'every task, moved'),
      400: errors[400],
      404: problem('some ids do not exist (`errors` names each): nothing was changed'),
      412: problem('a task is no longer at the `version` given: nothing was changed'),
    },
  }),
  listRuns: createRoute({
    method: 'get',
    path: '/v1/tasks/{id}/runs',
    tags: ['tasks'],
    summary: 'Run history, newest first',
    description:
      'Pages of at most `limit` runs; pass `cursor` from a page to get the next. With `status`, only runs in that status: such a page may hold fewer than `limit` runs (even none) and still have a cursor, when many runs in a row are in other statuses (one request reads a bounded part of the history).',
    request: { params: idParams, query: ListRunsQuery },
    responses: { 200: json(RunPage, 'one page of runs'), ...errors },
  }),
  listRecentRuns: createRoute({
    method: 'get',
    path: '/v1/runs',
    tags: ['runs'],
    summary: 'Runs of every task that ended failed or timed out for good, newest first',
    description:
      'Runs whose last attempt ended in `status` (retries exhausted, or none configured), across tasks, newest `finishedAt` first, for as long as run records are kept (the run TTL). Read from an index by day, never by a scan. Pages of at most `limit` runs; pass `cursor` from a page to get the next. Only targets whose outcomes Sundial sees have such runs.',
    request: { query: RecentRunsQuery },
    responses: { 200: json(RunPage, 'one page of runs'), 400: errors[400] },
  }),
  pauseGroup: groupRoute('post', '/v1/groups/{group}/pause', 'Pause every task of a group', 'changed'),
  resumeGroup: groupRoute(
    'post',
    '/v1/groups/{group}/resume',
    'Resume every paused task of a group',
    'changed',
  ),
  deleteGroup: groupRoute('delete', '/v1/groups/{group}', 'Delete every task of a group', 'were deleted'),
  getJob: createRoute({
    method: 'get',
    path: '/v1/jobs/{id}',
    tags: ['groups'],
    summary: 'A group job: progress, then its final count',
    description:
      'Poll until `status` is `done`. Finished jobs are kept for 7 days. A job whose runner stopped (no progress for a minute) is started again from its checkpoint by this read.',
    request: { params: z.object({ id: JobId }) },
    responses: {
      200: json(GroupJob, 'the job'),
      400: errors[400],
      404: problem('no job with this id'),
    },
  }),
  getScheduler: createRoute({
    method: 'get',
    path: '/v1/scheduler',
    tags: ['scheduler'],
    summary: 'State of the tick schedule',
    responses: {
      200: json(SchedulerState, 'the EventBridge Scheduler schedule that drives the tick'),
      501: problem('no tick schedule is configured'),
    },
  }),
  pauseScheduler: createRoute({
    method: 'post',
    path: '/v1/scheduler/pause',
    tags: ['scheduler'],
    summary: 'Disable the tick schedule: no task fires until resumed',
    responses: { 200: json(SchedulerState, 'the schedule, disabled'), 501: problem('no tick schedule') },
  }),
  resumeScheduler: createRoute({
    method: 'post',
    path: '/v1/scheduler/resume',
    tags: ['scheduler'],
    summary: 'Enable the tick schedule',
    responses: { 200: json(SchedulerState, 'the schedule, enabled'), 501: problem('no tick schedule') },
  }),
  previewSchedule: createRoute({
    method: 'post',
    path: '/v1/schedules/preview',
    tags: ['schedules'],
    summary: 'The next occurrences of a schedule, without creating a task',
    request: body(PreviewRequest),
    responses: {
      200: json(PreviewResponse, 'occurrences and a description'),
      400: errors[400],
      422: problem(
        'the search for occurrences reached a bound of the request (steps or time): the detail says which',
      ),
    },
  }),
};
