import { z } from 'zod';

/**
 * The API contract, written once: the HTTP app validates with these schemas, the SDK parses responses
 * with them and its types are inferred from them.
 */

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const idMessage = '1-128 characters: letters, digits and . _ : - (not first)';

export const TaskId = z.string().regex(ID_PATTERN, idMessage);
export const GroupId = z.string().regex(ID_PATTERN, idMessage);

const isoInstant = z.iso.datetime({
  offset: true,
  message: 'an ISO 8601 date-time with an offset, e.g. 2026-12-01T09:00:00Z',
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

export const Schedule = z.union(
  [
    z.strictObject({ cron: z.string().min(1).max(256) }),
    z.strictObject({ every: Every }),
    z.strictObject({ at: z.string().min(1).max(64) }),
  ],
  { error: 'give exactly one of: cron, every, at' },
);

/** The fields a user sets on a task. */
export const TaskInput = z.strictObject({
  id: TaskId.optional(),
  group: GroupId.optional(),
  description: z.string().max(1024).optional(),
  target: Target,
  payload: z.json().default({}),
  schedule: Schedule,
  timezone: z.string().min(1).max(64).default('UTC'),
  startAt: isoInstant.optional(),
  endAt: isoInstant.optional(),
  maxRuns: z.number().int().min(1).optional(),
  enabled: z.boolean().default(true),
});
export type TaskInput = z.input<typeof TaskInput>;
export type TaskDefinition = z.output<typeof TaskInput>;

export const TaskState = z.enum(['active', 'paused', 'completed']);
export type TaskState = z.infer<typeof TaskState>;

/** A stored task as the API returns it. */
export const Task = TaskInput.extend({
  id: TaskId,
  state: TaskState,
  nextRunAt: isoInstant.nullable(),
  lastRunAt: isoInstant.nullable(),
  runCount: z.number().int().min(0),
  createdAt: isoInstant,
  updatedAt: isoInstant,
  version: z.number().int().min(1),
});
export type Task = z.infer<typeof Task>;

export const RunSource = z.enum(['schedule', 'manual']);
export const RunStatus = z.enum(['delivered', 'failed']);

/** One fired occurrence. */
export const Run = z.object({
  taskId: TaskId,
  runId: z.string(),
  scheduledAt: isoInstant,
  firedAt: isoInstant,
  attempt: z.number().int().min(1),
  source: RunSource,
  status: RunStatus,
  error: z.string().optional(),
});
export type Run = z.infer<typeof Run>;

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
  limit: z.coerce.number<number | string>().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});
export type ListRunsQuery = z.input<typeof ListRunsQuery>;

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
