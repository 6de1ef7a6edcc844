import { z } from 'zod';
import { ValidationError } from './errors';
import type { TargetEnvironment } from './task/targets';

/** Environment variable names: the CDK construct sets them, the handlers and the local cloud read them. */
export const ENV = {
  tableName: 'SUNDIAL_TABLE_NAME',
  shards: 'SUNDIAL_SHARDS',
  targetPrefixes: 'SUNDIAL_TARGET_PREFIXES',
  runTtlDays: 'SUNDIAL_RUN_TTL_DAYS',
  scheduleName: 'SUNDIAL_SCHEDULE_NAME',
  scheduleGroup: 'SUNDIAL_SCHEDULE_GROUP',
  /** The tick function's name: the tick invokes it to fan out, the API to deliver a run-now at once. */
  tickFunctionName: 'SUNDIAL_TICK_FUNCTION_NAME',
  /** The SQS queue the tick hands occurrences to and the fire worker consumes (run-now goes there too). */
  fireQueueUrl: 'SUNDIAL_FIRE_QUEUE_URL',
  /** The job function (group jobs, reindex): the API starts jobs on it, it continues its own. */
  jobFunctionName: 'SUNDIAL_JOB_FUNCTION_NAME',
  /**
   * Targets whose outcomes Sundial sees (registered with `sundial.addTarget`: their asynchronous
   * invocations report to the outcome queue): `NAME=SECONDS` pairs, comma-separated, SECONDS being how
   * long after a fire the outcome must have come (the function's timeout plus its event's longest age).
   */
  trackedTargets: 'SUNDIAL_TRACKED_TARGETS',
  /** The queue a final failure's event and error go to, after the last attempt (the run dead-letter queue). */
  runDeadLetterQueueUrl: 'SUNDIAL_RUN_DEAD_LETTER_QUEUE_URL',
  /**
   * Where target ARNs may point: `ACCOUNT/REGION` pairs, comma-separated, `*` for any (the construct sets
   * its own account and region). Unset: targets are given by name only.
   */
  targetEnvironments: 'SUNDIAL_TARGET_ENVIRONMENTS',
  /**
   * Operations (read by Powertools itself, hence its names; see docs/operations.md): the lowest level logged
   * (DEBUG, INFO, WARN, ERROR, SILENT; default INFO), the `service` of every log line and metric (the
   * construct sets one per deployment), and whether the Tracer records X-Ray subsegments.
   */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  tracing: 'POWERTOOLS_TRACE_ENABLED',
} as const;

/** Partitions of the due index: the construct and the handlers accept 1 to this many. */
export const MAX_SHARDS = 1000;

export const DEFAULTS = {
  shards: 16,
  targetPrefixes: ['sundial-'],
  runTtlDays: 30,
  scheduleGroup: 'default',
} as const;

/** One `NAME=SECONDS` entry of ENV.trackedTargets. */
export const TRACKED_TARGET = /^[A-Za-z0-9_-]{1,64}=\d{1,6}$/;
/** One `ACCOUNT/REGION` entry of ENV.targetEnvironments. */
export const TARGET_ENVIRONMENT = /^(\d{12}|\*)\/([a-z]{2}(-[a-z]+)+-\d+|\*)$/;
const list = (v: string) =>
  v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

const configSchema = z.object({
  [ENV.tableName]: z.string().min(1),
  [ENV.shards]: z.coerce.number().int().min(1).max(MAX_SHARDS).default(DEFAULTS.shards),
  [ENV.targetPrefixes]: z.string().default(DEFAULTS.targetPrefixes.join(',')).transform(list),
  [ENV.runTtlDays]: z.coerce.number().int().min(1).default(DEFAULTS.runTtlDays),
  [ENV.scheduleName]: z.string().min(1).optional(),
  [ENV.scheduleGroup]: z.string().min(1).default(DEFAULTS.scheduleGroup),
  [ENV.tickFunctionName]: z.string().min(1).optional(),
  [ENV.fireQueueUrl]: z.string().url().optional(),
  [ENV.jobFunctionName]: z.string().min(1).optional(),
  [ENV.trackedTargets]: z
    .string()
    .default('')
    .transform(list)
    .refine(
      (pairs) => pairs.every((p) => TRACKED_TARGET.test(p)),
      'expected NAME=SECONDS pairs, e.g. sundial-report=960',
    )
    .transform(
      (pairs) => new Map(pairs.map((p) => [p.split('=')[0] as string, Number(p.split('=')[1]) * 1000])),
    ),
  [ENV.runDeadLetterQueueUrl]: z.string().url().optional(),
  [ENV.targetEnvironments]: z
    .string()
    .default('')
    .transform(list)
    .refine(
      (pairs) => pairs.every((p) => TARGET_ENVIRONMENT.test(p)),
      'expected ACCOUNT/REGION pairs, e.g. 123456789012/eu-west-1',
    )
    .transform((pairs) =>
      pairs.map((p): TargetEnvironment => {
        const [account = '', region = ''] = p.split('/');
        return { account, region };
      }),
    ),
});

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const operationsSchema = z.object({
  [ENV.logLevel]: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(LOG_LEVELS))
    .default('INFO'),
  [ENV.serviceName]: z.string().min(1).default('sundial'),
  [ENV.tracing]: z.enum(['true', 'false']).default('false'),
});

/** How a process logs, names its metrics and traces; separate from SundialConfig so local mode needs no table. */
export interface OperationsConfig {
  logLevel: LogLevel;
  /** The `service` of log lines and the one dimension of Sundial's metrics: one per deployment. */
  serviceName: string;
  tracing: boolean;
}

/** Reads the operations settings once, failing fast with the variable named. */
export function readOperationsConfig(env: Record<string, string | undefined>): OperationsConfig {
  const parsed = operationsSchema.safeParse(env);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: `environment: ${i.message}` })),
    );
  }
  const e = parsed.data;
  return { logLevel: e[ENV.logLevel], serviceName: e[ENV.serviceName], tracing: e[ENV.tracing] === 'true' };
}

export interface SundialConfig {
  tableName: string;
  shards: number;
  /** Target function names must start with one of these. */
  targetPrefixes: string[];
  runTtlDays: number;
  /** The EventBridge Scheduler schedule that drives the tick (absent: scheduler routes answer 501). */
  scheduleName?: string;
  scheduleGroup: string;
  /** The tick function (absent: the tick never fans out and run-now waits for the next tick). */
  tickFunctionName?: string;
  /** Where target ARNs may point (empty: target functions are given by name only). */
  targetEnvironments: TargetEnvironment[];
  /** The fire queue (absent: nothing can be handed off or run now; the tick and run-now fail loudly). */
  fireQueueUrl?: string;
  /** The job function (absent: a group job runs in the process that starts it). */
  jobFunctionName?: string;
  /**
   * Targets whose outcomes come back (function name → milliseconds after a fire by which the outcome must
   * have come, else the run is closed as timed_out); runs of other targets stay `delivered`.
   */
  trackedTargets?: ReadonlyMap<string, number>;
  /** Where a run's event and error go after its last attempt failed (absent: only logged). */
  runDeadLetterQueueUrl?: string;
}

/** Reads the configuration once, failing fast with every missing or malformed variable named. */
export function readConfig(env: Record<string, string | undefined>): SundialConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: `environment: ${i.message}` })),
    );
  }
  const e = parsed.data;
  return {
    tableName: e[ENV.tableName],
    shards: e[ENV.shards],
    targetPrefixes: e[ENV.targetPrefixes],
    runTtlDays: e[ENV.runTtlDays],
    scheduleName: e[ENV.scheduleName],
    scheduleGroup: e[ENV.scheduleGroup],
    // No fallback to AWS_LAMBDA_FUNCTION_NAME: in the API Lambda that would name the API itself.
    tickFunctionName: e[ENV.tickFunctionName],
    targetEnvironments: e[ENV.targetEnvironments],
    fireQueueUrl: e[ENV.fireQueueUrl],
    jobFunctionName: e[ENV.jobFunctionName],
    trackedTargets: e[ENV.trackedTargets],
    runDeadLetterQueueUrl: e[ENV.runDeadLetterQueueUrl],
  };
}
