import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../clock';
import type { Log } from '../log';
import type { OutcomeDeps } from '../outcome/settle';
import type { DispatchStore } from '../store/dispatch-store';
import type { FireQueue } from './fire-queue';
import { emptyFireReport, type FireReport } from './fire-report';
import type { Invoker } from './invoker';

export { emptyFireReport, type FireReport } from './fire-report';

/** Named instants where a test can make the worker die (throw); never set in production. */
export interface FireFaults {
  /** Just before a target is invoked. */
  beforeInvoke?(taskId: string, runId: string): void | Promise<void>;
  /** After a target accepted an event and before its run is recorded. */
  afterInvoke?(taskId: string, runId: string): void | Promise<void>;
}

export interface FireDeps {
  store: DispatchStore;
  invoker: Invoker;
  queue: FireQueue;
  clock: Clock;
  /** The allow-list; a target outside it is a permanent failure (it cannot have been created so). */
  targetPrefixes?: readonly string[];
  /** Sundial's own functions, never invoked as targets. */
  reservedFunctions?: readonly string[];
  faults?: FireFaults;
  /** Runs of targets whose outcomes come back are tracked (lib/dispatch/fire-tracked.ts); absent: none is. */
  outcome?: OutcomeDeps;
  /** For retry jitter; Math.random by default. */
  random?: () => number;
  log?: Log;
}

export interface FireOptions {
  /** A message this young whose hand-off is not recorded yet is read again in-process (the tick is writing it). */
  freshMs: number;
  /** Between those reads. */
  pollMs: number;
  /** Older than this with no hand-off recorded: the tick's write was refused or never came; dropped. */
  ackWindowMs: number;
  /** In between: the entries are sent again with this delay. */
  requeueDelaySeconds: number;
  /** Invocation attempts on transient errors, on top of the SDK's own retries. */
  invokeAttempts: number;
  /** Full-jitter exponential backoff between those attempts. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Invocations in flight at once. */
  concurrency: number;
  /** An entry due later than this (a retry's long delay: SQS delays 15 minutes at most) is sent on again. */
  maxHoldMs: number;
}

export const DEFAULT_FIRE_OPTIONS: FireOptions = {
  freshMs: 3_000,
  pollMs: 100,
  ackWindowMs: 60_000,
  requeueDelaySeconds: 2,
  invokeAttempts: 3,
  retryBaseMs: 100,
  retryMaxMs: 2_000,
  concurrency: 64,
  maxHoldMs: 10_000,
};

/** One fire worker invocation's state. */
export class FireRun {
  readonly report: FireReport = emptyFireReport();
  readonly limit: LimitFunction;
  /** Tasks whose fires a paused scheduler takes back, and from when. */
  readonly givingBack = new Map<string, { cutoff: number; messageIds: Set<string> }>();

  constructor(
    readonly deps: FireDeps,
    readonly options: FireOptions,
  ) {
    this.limit = pLimit(options.concurrency);
  }

  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) {
    this.deps.log?.(level, message, fields);
  }
}
