// The task form's state and its translation to the API's shapes (pure, unit-tested in Node). Inputs are
// named by the API path they fill (`schedule.cron`, `target.function`), so a problem+json error's `path`
// finds its field without a mapping table.
import type { TaskView } from './types';

export const SCHEDULE_KINDS = ['cron', 'every', 'at', 'solar', 'expression', 'json'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];
export const EVERY_UNITS = ['weeks', 'days', 'hours', 'minutes', 'seconds'] as const;
/** The inputs of a retry policy and of an overlap policy, by API path; all empty: no policy. */
export const RETRY_FIELDS = [
  'retry.maxAttempts',
  'retry.delaySeconds',
  'retry.backoffRate',
  'retry.maxDelaySeconds',
] as const;
export const OVERLAP_FIELDS = ['overlap.policy', 'overlap.maxConcurrent'] as const;

export interface FieldError {
  path: string;
  message: string;
}

export interface TaskForm {
  kind: ScheduleKind;
  /** Text of each input, by API path. */
  values: Record<string, string>;
  enabled: boolean;
  runImmediately: boolean;
}

/** A blank form; the time zone defaults to the viewer's. */
export function emptyForm(timezone = 'UTC'): TaskForm {
  return {
    kind: 'cron',
    values: {
      payload: '{}',
      timezone,
      cronDayMatch: 'or',
      'misfire.policy': 'once',
      'misfire.graceSeconds': '300',
      'schedule.solar.event': 'sunrise',
    },
    enabled: true,
    runImmediately: false,
  };
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

function scheduleValues(schedule: Record<string, unknown>): {
  kind: ScheduleKind;
  values: Record<string, string>;
} {
  const [kind] = Object.keys(schedule);
  if (kind === 'cron' || kind === 'at' || kind === 'expression') {
    return { kind, values: { [`schedule.${kind}`]: text(schedule[kind]) } };
  }
  if (kind === 'every' || kind === 'solar') {
    const inner = schedule[kind] as Record<string, unknown>;
    const values = Object.fromEntries(
      Object.entries(inner).map(([k, v]) => [`schedule.${kind}.${k}`, text(v)]),
    );
    return { kind, values };
  }
  // A kind this console does not know yet is edited as JSON.
  return { kind: 'json', values: { schedule: JSON.stringify(schedule, null, 2) } };
}

/** The form for editing a stored task. */
export function formFromTask(task: TaskView): TaskForm {
  const base = emptyForm(task.timezone);
  const schedule = scheduleValues(task.schedule as Record<string, unknown>);
  return {
    kind: schedule.kind,
    values: {
      ...base.values,
      id: task.id,
      group: text(task.group),
      description: text(task.description),
      'target.function': task.target.function,
      'target.qualifier': text(task.target.qualifier),
      payload: JSON.stringify(task.payload ?? {}, null, 2),
      cronDayMatch: task.cronDayMatch,
      startAt: text(task.startAt),
      endAt: text(task.endAt),
      maxRuns: text(task.maxRuns),
      jitterSeconds: text(task.jitterSeconds),
      'misfire.policy': task.misfire.policy,
      'misfire.graceSeconds': text(task.misfire.graceSeconds),
      ...policyValues('retry', task.retry),
      ...policyValues('overlap', task.overlap),
      ...schedule.values,
    },
    enabled: task.enabled,
    runImmediately: task.runImmediately,
  };
}

/** The inputs of a nested policy (`retry.maxAttempts`…) from the stored one. */
function policyValues(name: string, policy: object | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(policy ?? {}).map(([k, v]) => [`${name}.${k}`, text(v)]));
}

/**
 * A policy from its inputs, or undefined when all are empty (no policy). A policy given in part is sent
 * as it is, so the API names the missing field (`retry.maxAttempts`) beside its input.
 */
function readPolicy(read: Reader, fields: readonly string[], num: (path: string) => boolean) {
  const policy = defined(
    Object.fromEntries(
      fields.map((path) => [path.split('.')[1], num(path) ? read.num(path) : read.str(path)]),
    ),
  );
  return Object.keys(policy).length ? policy : undefined;
}

/** Reads typed values out of the form's text, collecting what cannot be read (not a number, not JSON). */
class Reader {
  readonly errors: FieldError[] = [];
  constructor(private readonly values: Record<string, string>) {}

  str(path: string): string | undefined {
    const value = (this.values[path] ?? '').trim();
    return value === '' ? undefined : value;
  }

  num(path: string): number | undefined {
    const value = this.str(path);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) this.errors.push({ path, message: 'must be a number' });
    return n;
  }

  json(path: string): unknown {
    const value = this.str(path);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value);
    } catch (error) {
      this.errors.push({ path, message: `must be JSON: ${(error as Error).message}` });
      return undefined;
    }
  }
}

/** Drops undefined members, so an empty input sends nothing rather than `null`. */
function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readSchedule(form: TaskForm, read: Reader): unknown {
  switch (form.kind) {
    case 'cron':
    case 'at':
    case 'expression':
      return { [form.kind]: read.str(`schedule.${form.kind}`) ?? '' };
    case 'every':
      return {
        every: defined(Object.fromEntries(EVERY_UNITS.map((u) => [u, read.num(`schedule.every.${u}`)]))),
      };
    case 'solar':
      return {
        solar: defined({
          event: read.str('schedule.solar.event'),
          latitude: read.num('schedule.solar.latitude'),
          longitude: read.num('schedule.solar.longitude'),
          offsetMinutes: read.num('schedule.solar.offsetMinutes'),
        }),
      };
    case 'json':
      return read.json('schedule');
  }
}

function readWhen(form: TaskForm, read: Reader) {
  return defined({
    schedule: readSchedule(form, read),
    timezone: read.str('timezone'),
    cronDayMatch: read.str('cronDayMatch'),
    startAt: read.str('startAt'),
    endAt: read.str('endAt'),
    maxRuns: read.num('maxRuns'),
  });
}

export interface Read<T> {
  value: T;
  errors: FieldError[];
}

/** The body of `POST /v1/schedules/preview` for the form's schedule. */
export function previewRequest(form: TaskForm, count = 10): Read<Record<string, unknown>> {
  const read = new Reader(form.values);
  return { value: { ...readWhen(form, read), count }, errors: read.errors };
}

/** The task the form describes (the body of `POST /v1/tasks`). */
export function taskRequest(form: TaskForm): Read<Record<string, unknown>> {
  const read = new Reader(form.values);
  const value = defined({
    id: read.str('id'),
    group: read.str('group'),
    description: read.str('description'),
    target: defined({ function: read.str('target.function') ?? '', qualifier: read.str('target.qualifier') }),
    payload: read.json('payload') ?? {},
    ...readWhen(form, read),
    jitterSeconds: read.num('jitterSeconds'),
    misfire: defined({
      policy: read.str('misfire.policy'),
      graceSeconds: read.num('misfire.graceSeconds'),
    }),
    retry: readPolicy(read, RETRY_FIELDS, () => true),
    overlap: readPolicy(read, OVERLAP_FIELDS, (path) => path !== 'overlap.policy'),
    enabled: form.enabled,
    runImmediately: form.runImmediately,
  });
  return { value, errors: read.errors };
}

/** Set at creation only: edits pause and resume with their own buttons, and the id never changes. */
const CREATE_ONLY = new Set(['id', 'enabled', 'runImmediately']);

/**
 * A JSON merge patch from the task as loaded to the task as edited: only the top-level fields that
 * changed, `null` for the ones cleared.
 */
export function taskPatch(original: TaskForm, edited: TaskForm): Read<Record<string, unknown>> {
  const before = taskRequest(original).value;
  const after = taskRequest(edited);
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after.value)])) {
    if (CREATE_ONLY.has(key)) continue;
    const next = after.value[key];
    if (JSON.stringify(before[key]) === JSON.stringify(next)) continue;
    patch[key] = next === undefined ? null : next;
  }
  return { value: patch, errors: after.errors };
}

/**
 * The field an error path belongs to: the path itself if a field has it, else its nearest ancestor
 * (`schedule.every` for a rule over the whole interval), else undefined (shown above the form).
 */
export function fieldFor(path: string, fields: ReadonlySet<string>): string | undefined {
  const parts = path.split('.');
  while (parts.length > 0) {
    const candidate = parts.join('.');
    if (fields.has(candidate)) return candidate;
    parts.pop();
  }
  return undefined;
}

/** Whether the form names a schedule yet (the preview waits until it does, rather than report blanks). */
export function scheduleGiven(form: TaskForm): boolean {
  const given = (path: string) => (form.values[path] ?? '').trim() !== '';
  switch (form.kind) {
    case 'every':
      return EVERY_UNITS.some((unit) => given(`schedule.every.${unit}`));
    case 'solar':
      return given('schedule.solar.latitude') && given('schedule.solar.longitude');
    case 'json':
      return given('schedule');
    default:
      return given(`schedule.${form.kind}`);
  }
}
