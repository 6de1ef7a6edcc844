import { z } from 'zod';
import { instantProblem } from '../schedule/instant';
import { isValidTimeZone } from '../schedule/timezone';
import { SOLAR_EVENTS } from '../schedule/types';
import { nestsDeeperThan } from './json-depth';

/**
 * The API contract, written once: the HTTP app validates with these schemas, the SDK parses responses
 * with them and its types are inferred from them.
 */

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const idMessage = '1-128 characters: letters, digits and . _ : - (not first)';

export const TaskId = z.string().regex(ID_PATTERN, idMessage);
export const GroupId = z.string().regex(ID_PATTERN, idMessage);

/**
 * Every instant of the API, read by the one strict parser of lib/schedule/instant.ts: RFC 3339 with an
 * offset, a date that exists, in the years Sundial supports.
 */
export const isoInstant = z
  .string()
  .max(64)
  .superRefine((text, ctx) => {
    const problem = instantProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    format: 'date-time',
    description:
      'RFC 3339 date-time with an offset (Z or ±hh:mm), 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z',
    examples: ['2026-12-01T09:00:00Z'],
  });

/** A Lambda function name, or its ARN; the allow-list is checked against the name. */
export const Target = z.strictObject({
  function: z
    .string()
    .min(1)
    .max(170)
    .regex(
      /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}$/,
      'a Lambda function name or ARN',
    ),
  qualifier: z
    .string()
    .regex(/^(\$LATEST|[A-Za-z0-9_-]{1,128})$/, 'a version number or alias name')
    .optional(),
});

const unit = z.number().int().min(0).max(1_000_000);
export const Every = z
  .strictObject({
    weeks: unit.optional(),
    days: unit.optional(),
    hours: unit.optional(),
    minutes: unit.optional(),
    seconds: unit.optional(),
  })
  .refine((e) => Object.values(e).some((v) => (v ?? 0) > 0), 'give at least one non-zero unit');

export const Solar = z.strictObject({
  event: z.enum(SOLAR_EVENTS),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  offsetMinutes: z.number().int().min(-720).max(720).optional(),
});

/** One APScheduler cron field: a number, or an expression such as `*\/5`, `mon-fri`, `2nd fri`. */
const FieldValue = z.union([z.number().int().min(0).max(9999), z.string().min(1).max(128)]);
export const Fields = z
  .strictObject({
    year: FieldValue.optional(),
    month: FieldValue.optional(),
    day: FieldValue.optional(),
    week: FieldValue.optional(),
    day_of_week: FieldValue.optional(),
    hour: FieldValue.optional(),
    minute: FieldValue.optional(),
    second: FieldValue.optional(),
  })
  .refine((f) => Object.values(f).some((v) => v !== undefined), 'give at least one field');

const cronSchedule = z.strictObject({ cron: z.string().min(1).max(256) });
const everySchedule = z.strictObject({ every: Every });
const atSchedule = z.strictObject({ at: z.string().min(1).max(64) });
const solarSchedule = z.strictObject({ solar: Solar });
const fieldsSchedule = z.strictObject({ fields: Fields });

/** The kinds the engine computes directly; an `expression` is stored alongside its normalised form. */
export const BasicSchedule = z.union([
  cronSchedule,
  everySchedule,
  atSchedule,
  solarSchedule,
  fieldsSchedule,
]);

const SCHEDULE_KINDS = ['cron', 'every', 'at', 'solar', 'fields', 'expression'];

/**
 * zod reports a failed union as a whole; when the input names exactly one kind, say what is wrong inside
 * it (`solar.event: Invalid option…`), which is what the user has to fix.
 */
function scheduleError(issue: z.core.$ZodRawIssue): string {
  const given = issue.input && typeof issue.input === 'object' ? Object.keys(issue.input) : [];
  const kinds = given.filter((key) => SCHEDULE_KINDS.includes(key));
  const errors = (issue as { errors?: z.core.$ZodIssue[][] }).errors;
  const inner = kinds.length === 1 ? errors?.[SCHEDULE_KINDS.indexOf(kinds[0] as string)]?.[0] : undefined;
  if (inner && given.length === 1) return `${inner.path.join('.')}: ${inner.message}`;
  return `give exactly one of: ${SCHEDULE_KINDS.join(', ')}`;
}

export const Schedule = z.union(
  [
    cronSchedule,
    everySchedule,
    atSchedule,
    solarSchedule,
    fieldsSchedule,
    z.strictObject({ expression: z.string().min(1).max(256) }),
  ],
  { error: scheduleError },
);

export const CronDayMatch = z.enum(['or', 'and']);
export const MisfirePolicy = z.enum(['skip', 'once', 'all']);

/** What a tick does with occurrences it finds more than `graceSeconds` late (see docs/schedules.md). */
export const Misfire = z.strictObject({
  graceSeconds: z.number().int().min(0).max(86_400).default(300),
  policy: MisfirePolicy.default('once'),
});
export type Misfire = z.output<typeof Misfire>;

/**
 * The largest payload, as UTF-8 JSON text. The binding limit is DynamoDB's 400 KB item (the payload is
 * stored in the task item); the delivery event also stays far below Lambda's 1 MB asynchronous invocation
 * limit, with room for the event envelope.
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/**
 * The deepest nesting of arrays and objects in a payload: DynamoDB's own bound on nested attributes, far
 * beyond what payloads need, and a bound on every walk over a payload (the size check below recurses).
 */
export const MAX_PAYLOAD_DEPTH = 32;
const encoder = new TextEncoder();
export const utf8Length = (text: string) => encoder.encode(text).length;
// Any JSON value. Not z.json(): its recursive definition cannot be written into the OpenAPI document,
// and a value parsed from a JSON body (or sent by the SDK through JSON.stringify) is JSON already.
const Payload = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value === undefined) return void ctx.addIssue({ code: 'custom', message: 'a JSON value' });
    // Depth first: JSON.stringify recurses, and a body may nest 10,000 levels deep. The issue aborts,
    // so no check of an enclosing schema (a batch's total size) stringifies the payload either.
    if (nestsDeeperThan(value, MAX_PAYLOAD_DEPTH)) {
      return void ctx.addIssue({
        code: 'custom',
        message: `must be nested at most ${MAX_PAYLOAD_DEPTH} levels deep`,
        continue: false,
      });
    }
    if (utf8Length(JSON.stringify(value)) > MAX_PAYLOAD_BYTES) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_PAYLOAD_BYTES} bytes as JSON` });
    }
  })
  .meta({
    description: `any JSON value, at most ${MAX_PAYLOAD_BYTES} bytes as JSON text and ${MAX_PAYLOAD_DEPTH} levels of nesting`,
  }) as z.ZodType<z.core.util.JSONType, z.core.util.JSONType>;

/**
 * Retries of a failed or timed-out run (Step Functions' names): the same occurrence again, same runId,
 * attempt + 1, `delaySeconds × backoffRate^(n-1)` after the n-th failure, at most `maxDelaySeconds`.
 * `maxAttempts` counts every attempt, the first included, as the AWS SDKs do (3 = one try, two retries).
 * Applies to targets whose outcomes Sundial sees (registered with `sundial.addTarget`, or local ones).
 */
export const MAX_ATTEMPTS = 10;
export const Retry = z.strictObject({
  maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS),
  delaySeconds: z.number().int().min(0).max(86_400).default(30),
  backoffRate: z.number().min(1).max(10).default(2),
  maxDelaySeconds: z.number().int().min(1).max(86_400).default(3_600),
});
export type Retry = z.output<typeof Retry>;

/**
 * How many runs of a task may be in progress at once (APScheduler's `max_instances`, sisy's
 * `allow_overlap`). `skip`: an occurrence due while `maxConcurrent` runs are in progress is recorded
 * `skipped` (reason `overlap`); `queue`: it waits for a slot, at most MAX_QUEUED of them per task (beyond
 * that, skipped with reason `queue-full`). Applies to targets whose outcomes Sundial sees.
 */
export const MAX_QUEUED = 10;
export const OverlapPolicy = z.enum(['allow', 'skip', 'queue']);
export const Overlap = z.strictObject({
  policy: OverlapPolicy,
  maxConcurrent: z.number().int().min(1).max(100).default(1),
});
export type Overlap = z.output<typeof Overlap>;

/** The fields a user sets on a task. */
export const TaskInput = z.strictObject({
  id: TaskId.optional(),
  group: GroupId.optional(),
  description: z.string().max(1024).optional(),
  target: Target,
  payload: Payload.default({}),
  schedule: Schedule,
  timezone: z
    .string()
    .min(1)
    .max(64)
    .refine(isValidTimeZone, 'an IANA time zone, e.g. Europe/Lisbon or UTC')
    .default('UTC'),
  cronDayMatch: CronDayMatch.default('or'),
  startAt: isoInstant.optional(),
  endAt: isoInstant.optional(),
  maxRuns: z.number().int().min(1).optional(),
  jitterSeconds: z.number().int().min(0).max(3600).optional(),
  runImmediately: z.boolean().default(false),
  misfire: Misfire.default({ graceSeconds: 300, policy: 'once' }),
  retry: Retry.optional(),
  overlap: Overlap.optional(),
  enabled: z.boolean().default(true),
});
export type TaskInput = z.input<typeof TaskInput>;
export type TaskDefinition = z.output<typeof TaskInput>;

export const TaskState = z.enum(['active', 'paused', 'completed']);
export type TaskState = z.infer<typeof TaskState>;

export const RunSource = z.enum(['schedule', 'manual']);
export type RunSource = z.infer<typeof RunSource>;
/**
 * A run's life: `claimed` (held, not yet accepted by the target; legacy) → `delivered` (Lambda accepted
 * the event) → `succeeded` | `failed` | `timed_out` (the function's outcome, for targets whose outcomes
 * Sundial sees), or `skipped` (overlap). A target not registered for outcomes stays `delivered`.
 */
export const RunStatus = z.enum(['claimed', 'delivered', 'succeeded', 'failed', 'timed_out', 'skipped']);
export type RunStatus = z.infer<typeof RunStatus>;
/** Bounds of what a run record keeps of a function's error and response. */
export const MAX_ERROR_MESSAGE = 1024;
export const MAX_RESPONSE_EXCERPT = 1024;

/** A stored task as the API returns it. */
export const Task = TaskInput.extend({
  id: TaskId,
  state: TaskState,
  /** Present when `schedule` is an `expression`: the basic schedule it was read as. */
  normalizedSchedule: BasicSchedule.optional(),
  nextRunAt: isoInstant.nullable(),
  lastRunAt: isoInstant.nullable(),
  runCount: z.number().int().min(0),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  version: z.number().int().min(1),
  /** The outcome of the latest run that ended (targets whose outcomes Sundial sees). */
  lastStatus: RunStatus.optional(),
  /** The latest failure's error, bounded; kept after a success so the last failure stays visible. */
  lastError: z.string().optional(),
  /** Runs in a row that ended failed or timed out for good (retries exhausted); 0 after a success. */
  consecutiveFailures: z.number().int().min(0).optional(),
  /** Runs in progress now (delivered without an outcome yet, or waiting for a retry); GET of one task only. */
  runsInProgress: z.number().int().min(0).optional(),
  /** Occurrences waiting for a slot (overlap `queue`); GET of one task only. */
  queuedRuns: z.number().int().min(0).optional(),
});
export type Task = z.infer<typeof Task>;

/** Statuses a run ends in for good (a `failed` or `timed_out` run with `retryAt` is retried). */
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'skipped'];
/** Statuses of runs that ended badly, listed across tasks by `GET /v1/runs?status=`. */
export const FailureStatus = z.enum(['failed', 'timed_out']);
export type FailureStatus = z.infer<typeof FailureStatus>;

/** One attempt of a retried run, as its history keeps it (the run itself shows the latest). */
export const RunAttempt = z.object({
  attempt: z.number().int().min(1),
  status: RunStatus,
  firedAt: isoInstant,
  finishedAt: isoInstant.optional(),
  durationMs: z.number().int().min(0).optional(),
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type RunAttempt = z.infer<typeof RunAttempt>;

/** One fired occurrence: its latest attempt, and the earlier ones in `attempts`. */
export const Run = z.object({
  taskId: TaskId,
  runId: z.string(),
  scheduledAt: isoInstant,
  firedAt: isoInstant,
  attempt: z.number().int().min(1),
  source: RunSource,
  status: RunStatus,
  /** Why a delivery failed (Lambda refused the event), or why a run was skipped. */
  error: z.string().optional(),
  reason: z.enum(['overlap', 'queue-full']).optional(),
  /** When the outcome came, and how long after `firedAt` (the target's queueing included). */
  finishedAt: isoInstant.optional(),
  durationMs: z.number().int().min(0).optional(),
  /** The function's error: its type (e.g. `Error`, `Sandbox.Timedout`) and message, bounded. */
  errorType: z.string().optional(),
  errorMessage: z.string().max(MAX_ERROR_MESSAGE).optional(),
  /** The first MAX_RESPONSE_EXCERPT characters of what the function returned, as JSON text. */
  response: z.string().max(MAX_RESPONSE_EXCERPT).optional(),
  /** A failed attempt that will be retried: when the next attempt fires. */
  retryAt: isoInstant.optional(),
  /** Earlier attempts of this run, oldest first. */
  attempts: z.array(RunAttempt).optional(),
});
export type Run = z.infer<typeof Run>;

/** The answer to "run now": the manual occurrence is queued and the tick delivers it with this runId. */
export const RunRequested = z.object({
  taskId: TaskId,
  runId: z.string(),
  requestedAt: isoInstant,
  source: z.literal('manual'),
});
export type RunRequested = z.infer<typeof RunRequested>;

/** What a target Lambda receives. */
export const DeliveryEvent = z.object({
  taskId: TaskId,
  group: GroupId.optional(),
  runId: z.string(),
  scheduledAt: isoInstant,
  firedAt: isoInstant,
  attempt: z.number().int().min(1),
  source: RunSource,
  payload: z.json(),
});
export type DeliveryEvent = z.infer<typeof DeliveryEvent>;

export const ListTasksQuery = z.strictObject({
  group: GroupId.optional(),
  state: TaskState.optional(),
  limit: z.coerce.number<number | string>().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});
export type ListTasksQuery = z.input<typeof ListTasksQuery>;

export const ListRunsQuery = z.strictObject({
  status: RunStatus.optional(),
  limit: z.coerce.number<number | string>().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});
export type ListRunsQuery = z.input<typeof ListRunsQuery>;

/** GET /v1/runs: runs of every task that ended in this status for good, newest first. */
export const RecentRunsQuery = z.strictObject({
  status: FailureStatus,
  limit: z.coerce.number<number | string>().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});
export type RecentRunsQuery = z.input<typeof RecentRunsQuery>;

export const TaskPage = z.object({ tasks: z.array(Task), cursor: z.string().optional() });
export type TaskPage = z.infer<typeof TaskPage>;
export const RunPage = z.object({ runs: z.array(Run), cursor: z.string().optional() });
export type RunPage = z.infer<typeof RunPage>;

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;

// ---- Management API: requests beyond a single task definition ----

/** Page sizes: `limit` defaults to 50 and may be at most 100 (tasks and runs alike). */
export const PAGE_LIMIT = { default: 50, max: 100 } as const;

/** POST /v1/tasks: a task definition, plus whether to replace a task that already has this id. */
export const CreateTaskRequest = TaskInput.extend({ replaceExisting: z.boolean().default(false) });
export type CreateTaskRequest = z.input<typeof CreateTaskRequest>;

/** Tasks per batch: DynamoDB transactions take at most 100 actions. */
export const MAX_BATCH_TASKS = 100;
/** All payloads of a batch together: a DynamoDB transaction carries at most 4 MB. */
export const MAX_BATCH_PAYLOAD_BYTES = 3 * 1024 * 1024;

/** POST /v1/tasks/batch: all or nothing. */
export const BatchCreateRequest = z
  .strictObject({
    tasks: z.array(TaskInput).min(1).max(MAX_BATCH_TASKS),
    replaceExisting: z.boolean().default(false),
  })
  .superRefine((batch, ctx) => {
    const seen = new Map<string, number>();
    let bytes = 0;
    batch.tasks.forEach((task, i) => {
      bytes += utf8Length(JSON.stringify(task.payload));
      if (task.id === undefined) return;
      const first = seen.get(task.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `same id as tasks.${first}.id` });
      } else seen.set(task.id, i);
    });
    if (bytes > MAX_BATCH_PAYLOAD_BYTES) {
      ctx.addIssue({
        code: 'custom',
        path: ['tasks'],
        message: `payloads total ${bytes} bytes; a batch carries at most ${MAX_BATCH_PAYLOAD_BYTES}`,
      });
    }
  });
export type BatchCreateRequest = z.input<typeof BatchCreateRequest>;

export const BatchCreateResponse = z.object({ tasks: z.array(Task) });
export type BatchCreateResponse = z.infer<typeof BatchCreateResponse>;

/**
 * PATCH /v1/tasks/{id}: a JSON merge patch (RFC 7396) of the user fields. Absent fields are kept,
 * `null` clears an optional field, and defaults are not re-applied. Built from TaskInput's shape so
 * every field added to TaskInput can be patched.
 */
export const TaskPatch = z.strictObject(
  Object.fromEntries(
    Object.entries(TaskInput.shape)
      .filter(([key]) => key !== 'id')
      .map(([key, field]) => {
        const f = field as z.ZodType;
        if (f instanceof z.ZodDefault) return [key, (f.unwrap() as z.ZodType).optional()];
        if (f instanceof z.ZodOptional) return [key, f.nullable()];
        return [key, f.optional()];
      }),
  ) as {
    [K in Exclude<keyof typeof TaskInput.shape, 'id'>]: z.ZodOptional<
      z.ZodType<
        | z.output<(typeof TaskInput.shape)[K]>
        | (undefined extends z.input<(typeof TaskInput.shape)[K]> ? null : never)
      >
    >;
  },
);
export type TaskPatch = z.input<typeof TaskPatch>;

/** Ids per list operation: one DynamoDB transaction takes at most 100 actions. */
export const MAX_LIST_IDS = 100;

/** Refuses a repeated id (one transaction cannot touch an item twice), naming both places. */
function uniqueIds(ids: string[], ctx: z.RefinementCtx, path: (i: number) => (string | number)[]) {
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: path(i), message: `same id as ${path(first).join('.')}` });
    } else seen.set(id, i);
  });
}

/** POST /v1/tasks/fetch · /pause · /resume · /delete: a list of task ids, acted on all or nothing. */
export const TaskIdList = z
  .strictObject({ ids: z.array(TaskId).min(1).max(MAX_LIST_IDS) })
  .superRefine((body, ctx) => uniqueIds(body.ids, ctx, (i) => ['ids', i]));
export type TaskIdList = z.input<typeof TaskIdList>;

/** The tasks of a fetch, in the order asked, and the ids that do not exist. */
export const FetchTasksResponse = z.object({ tasks: z.array(Task), notFound: z.array(TaskId) });
export type FetchTasksResponse = z.infer<typeof FetchTasksResponse>;

/** The tasks after a list pause or resume, in the order asked, and how many the call changed. */
export const TaskListResult = z.object({ tasks: z.array(Task), changed: z.number().int().min(0) });
export type TaskListResult = z.infer<typeof TaskListResult>;

export const DeleteTasksResponse = z.object({ deleted: z.array(TaskId) });
export type DeleteTasksResponse = z.infer<typeof DeleteTasksResponse>;

/** POST /v1/tasks/{id}/reschedule: the next run, set without changing the schedule. */
export const RescheduleRequest = z.strictObject({ nextRunAt: isoInstant });
export type RescheduleRequest = z.input<typeof RescheduleRequest>;

/** POST /v1/tasks/reschedule: move the next runs of many tasks, all or nothing. */
export const BatchRescheduleRequest = z
  .strictObject({
    tasks: z
      .array(
        z.strictObject({
          id: TaskId,
          nextRunAt: isoInstant,
          /** Like If-Match: move only if the task is still at this version (412 otherwise). */
          version: z.number().int().min(1).optional(),
        }),
      )
      .min(1)
      .max(MAX_LIST_IDS),
  })
  .superRefine((body, ctx) =>
    uniqueIds(
      body.tasks.map((t) => t.id),
      ctx,
      (i) => ['tasks', i, 'id'],
    ),
  );
export type BatchRescheduleRequest = z.input<typeof BatchRescheduleRequest>;

export const TaskList = z.object({ tasks: z.array(Task) });
export type TaskList = z.infer<typeof TaskList>;

/** The answer of group operations: how many tasks the group held and how many changed. */
export const GroupResult = z.object({
  group: GroupId,
  matched: z.number().int().min(0),
  changed: z.number().int().min(0),
});
export type GroupResult = z.infer<typeof GroupResult>;

/** What a group operation does to every task of the group. */
export const GroupAction = z.enum(['pause', 'resume', 'delete']);
export type GroupAction = z.infer<typeof GroupAction>;

/** Group jobs' ids are ULIDs. */
export const JobId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a job id (26 characters, as returned)');

/** Failures a job keeps as examples (the count covers all of them). */
export const MAX_JOB_FAILURES = 10;

/**
 * A group operation larger than one request does: it runs in the background, and `GET /v1/jobs/{id}`
 * reports its progress, then its final count.
 */
export const GroupJob = z.object({
  id: JobId,
  action: GroupAction,
  group: GroupId,
  status: z.enum(['running', 'done']),
  total: z
    .number()
    .int()
    .min(0)
    .nullable()
    .describe('tasks in the group when the job started; null until counted'),
  done: z.number().int().min(0).describe('tasks processed so far (changed, already so, or failed)'),
  changed: z.number().int().min(0).describe('tasks the job changed'),
  failed: z.number().int().min(0).describe('tasks the job could not change (kept changing under it)'),
  failures: z
    .array(z.object({ taskId: TaskId, message: z.string() }))
    .max(MAX_JOB_FAILURES)
    .describe(`the first ${MAX_JOB_FAILURES} failures`),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  finishedAt: isoInstant.optional(),
});
export type GroupJob = z.infer<typeof GroupJob>;

/** The tick schedule (EventBridge Scheduler) as GET /v1/scheduler reports it. */
export const SchedulerState = z.object({
  name: z.string(),
  group: z.string(),
  state: z.enum(['ENABLED', 'DISABLED']),
  expression: z.string().optional(),
  arn: z.string().optional(),
});
export type SchedulerState = z.infer<typeof SchedulerState>;

// ---- Schedule preview ----

/** The request of POST /v1/schedules/preview: a task's scheduling fields, plus where to start and how many. */
export const PreviewRequest = TaskInput.pick({
  schedule: true,
  timezone: true,
  cronDayMatch: true,
  startAt: true,
  endAt: true,
  maxRuns: true,
}).extend({
  from: isoInstant.optional(),
  count: z.number().int().min(1).max(1000).default(10),
});
export type PreviewRequest = z.input<typeof PreviewRequest>;

export const PreviewResponse = z.object({
  occurrences: z.array(z.string()),
  description: z.string(),
});
export type PreviewResponse = z.infer<typeof PreviewResponse>;

/** Problem `type` URIs, one per error kind, so clients can tell errors apart without parsing text. */
export const PROBLEM_TYPES = {
  validation: 'urn:sundial:problem:validation',
  taskNotFound: 'urn:sundial:problem:task-not-found',
  taskConflict: 'urn:sundial:problem:task-conflict',
  versionMismatch: 'urn:sundial:problem:version-mismatch',
  taskBusy: 'urn:sundial:problem:task-busy',
  schedulerNotConfigured: 'urn:sundial:problem:scheduler-not-configured',
  searchLimit: 'urn:sundial:problem:schedule-search-limit',
  storeUnavailable: 'urn:sundial:problem:store-unavailable',
  schedulerUnavailable: 'urn:sundial:problem:scheduler-unavailable',
  fireQueueUnavailable: 'urn:sundial:problem:fire-queue-unavailable',
  crossSite: 'urn:sundial:problem:cross-site',
  jobNotFound: 'urn:sundial:problem:job-not-found',
  groupBusy: 'urn:sundial:problem:group-busy',
} as const;
