import { RemovalPolicy, Token } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel, MAX_SHARDS, TARGET_ENVIRONMENT } from '../lib/config';

/** How one alarm judges its metric; every field has a default per alarm (see DEFAULT_ALARMS). */
export interface AlarmTuning {
  /**
   * The alarm goes off at or above this (percent for `failedRuns`, milliseconds of p99 for `lateness`,
   * seconds for `outcomeBacklog`).
   */
  readonly threshold?: number;
  /** Minutes per datapoint: 1, 5, 10, 30 or a multiple of 60. */
  readonly periodMinutes?: number;
  /** How many recent datapoints are looked at… */
  readonly evaluationPeriods?: number;
  /** …and how many of them must breach (at most `evaluationPeriods`). */
  readonly datapointsToAlarm?: number;
}

/** The construct's alarms; `false` turns one off. Defaults in DEFAULT_ALARMS and docs/operations.md. */
export interface SundialAlarmProps {
  /** Errors plus throttles of each Sundial function (tick, API, and any worker). */
  readonly functionErrors?: AlarmTuning | false;
  /** No tick started by the schedule in the last `minutes` (the schedule paused by mistake, or broken). */
  readonly noTick?: { readonly minutes?: number } | false;
  /** Messages waiting in any of Sundial's dead-letter queues. */
  readonly deadLetters?: AlarmTuning | false;
  /** p99 of fire lateness (due time → invocation), in milliseconds. */
  readonly lateness?: AlarmTuning | false;
  /** Failed deliveries and runs, in percent of deliveries attempted. */
  readonly failedRuns?: AlarmTuning | false;
  /** 5xx answers of the HTTP API (API Gateway's own count, so timeouts and crashes are in it). */
  readonly apiServerErrors?: AlarmTuning | false;
  /** Age of the oldest message in the outcome queue, in seconds: outcomes of tracked runs piling up. */
  readonly outcomeBacklog?: AlarmTuning | false;
}

/** Operations props: alarms, where they go, the dashboard, traces and the log level. */
export interface SundialOperationsProps {
  /** The alarms, tuned or turned off one by one; `false` creates none. Default: all on, with defaults. */
  readonly alarms?: SundialAlarmProps | false;
  /** An SNS topic every alarm notifies (on ALARM and back to OK). Default: none. */
  readonly alarmTopic?: ITopic;
  /** More actions for every alarm (and OK), e.g. a Systems Manager OpsItem or another topic. */
  readonly alarmActions?: IAlarmAction[];
  /** A CloudWatch dashboard of the metrics and alarms. Default true; a name may be given. */
  readonly dashboard?: boolean | { readonly dashboardName?: string };
  /** X-Ray active tracing on Sundial's functions, with Powertools Tracer subsegments. Default false. */
  readonly tracing?: boolean;
  /** The lowest level the functions log. Default INFO. */
  readonly logLevel?: LogLevel;
}

type Tuning = Required<AlarmTuning>;

/** Each alarm's defaults; the reasons are in docs/operations.md. */
export const DEFAULT_ALARMS = {
  functionErrors: { threshold: 1, periodMinutes: 1, evaluationPeriods: 5, datapointsToAlarm: 3 },
  noTick: { minutes: 5 },
  deadLetters: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  lateness: { threshold: 5_000, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 3 },
  failedRuns: { threshold: 10, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 3 },
  apiServerErrors: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1, datapointsToAlarm: 1 },
  outcomeBacklog: { threshold: 300, periodMinutes: 5, evaluationPeriods: 2, datapointsToAlarm: 2 },
} as const satisfies Record<Exclude<keyof SundialAlarmProps, 'noTick'>, Tuning> & {
  noTick: { minutes: number };
};

const Period = z
  .number()
  .int()
  .refine((m) => [1, 5, 10, 30].includes(m) || (m > 0 && m % 60 === 0), '1, 5, 10, 30 or a multiple of 60');
/** An alarm's tuning, checked with its defaults filled in (datapoints to alarm within those evaluated). */
const Tuning = (defaults: Tuning) =>
  z
    .strictObject({
      threshold: z.number().min(0).optional(),
      periodMinutes: Period.optional(),
      evaluationPeriods: z.number().int().min(1).optional(),
      datapointsToAlarm: z.number().int().min(1).optional(),
    })
    .refine(
      (t) =>
        (t.datapointsToAlarm ?? defaults.datapointsToAlarm) <=
        (t.evaluationPeriods ?? defaults.evaluationPeriods),
      `datapointsToAlarm must be at most evaluationPeriods (default ${defaults.evaluationPeriods})`,
    );
const OrOff = <T extends z.ZodType>(schema: T) => z.union([z.literal(false), schema]).optional();
const AlarmsSchema = z.strictObject({
  functionErrors: OrOff(Tuning(DEFAULT_ALARMS.functionErrors)),
  // CloudWatch looks back at most a day on one-minute periods.
  noTick: OrOff(z.strictObject({ minutes: z.number().int().min(1).max(1440).optional() })),
  deadLetters: OrOff(Tuning(DEFAULT_ALARMS.deadLetters)),
  lateness: OrOff(Tuning(DEFAULT_ALARMS.lateness)),
  failedRuns: OrOff(Tuning(DEFAULT_ALARMS.failedRuns)),
  apiServerErrors: OrOff(Tuning(DEFAULT_ALARMS.apiServerErrors)),
  outcomeBacklog: OrOff(Tuning(DEFAULT_ALARMS.outcomeBacklog)),
});

const TargetEnvironment = z
  .strictObject({ account: z.string(), region: z.string() })
  .refine(
    (e) =>
      Token.isUnresolved(e.account) ||
      Token.isUnresolved(e.region) ||
      TARGET_ENVIRONMENT.test(`${e.account}/${e.region}`),
    'a 12-digit account (or *) and a region (or *)',
  );

/**
 * The construct's props as JavaScript callers may really pass them (a context value is a string): checked
 * at synth so that `shards: 'abc'` fails there instead of deploying `SUNDIAL_SHARDS=NaN`. Props that other
 * parts of the construct add are let through to their own checks.
 */
const SundialPropsSchema = z.looseObject({
  targetPrefixes: z
    .array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a function-name prefix: letters, digits, - and _'))
    .min(1, 'give at least one prefix')
    .optional(),
  shards: z.number().int().min(1).max(MAX_SHARDS).optional(),
  runTtlDays: z.number().int().min(1).optional(),
  removalPolicy: z.enum(RemovalPolicy).optional(),
  targetEnvironments: z.array(TargetEnvironment).optional(),
  alarms: OrOff(AlarmsSchema),
  dashboard: z
    .union([z.boolean(), z.strictObject({ dashboardName: z.string().min(1).optional() })])
    .optional(),
  tracing: z.boolean().optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
});

/** An alarm's tuning: the defaults overridden by what the props give; undefined when turned off. */
export function alarmTuning(
  alarms: SundialAlarmProps | false | undefined,
  name: Exclude<keyof SundialAlarmProps, 'noTick'>,
): Tuning | undefined {
  if (alarms === false) return undefined;
  const given = alarms?.[name];
  if (given === false) return undefined;
  return { ...DEFAULT_ALARMS[name], ...definedOnly(given ?? {}) };
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Throws one error naming every bad prop, the reason and the value given. */
export function validateSundialProps(props: unknown, constructPath: string): void {
  const result = SundialPropsSchema.safeParse(props, { reportInput: true });
  if (result.success) return;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.')}: ${issue.message} (got ${shown(issue.input)})`,
  );
  throw new Error(`Sundial (${constructPath}): invalid props: ${problems.join('; ')}`);
}

const shown = (value: unknown) =>
  typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
