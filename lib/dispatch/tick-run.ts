import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../clock';
import type { Log } from '../log';
import type { DispatchStore } from '../store/dispatch-store';
import type { Lease } from '../store/items';
import type { Invoker } from './invoker';
import { emptyTickReport, type TickReport } from './tick-report';
import type { ShardRange } from './tick-request';

/** Named instants where a test can make the tick die (throw) or stall; never set in production. */
export interface TickFaults {
  /** After an occurrence's claim was written and before its target is invoked. */
  afterClaim?(lease: Lease, taskId: string): void | Promise<void>;
}

export interface TickDeps {
  store: DispatchStore;
  invoker: Invoker;
  clock: Clock;
  newRunId: () => string;
  /** The allow-list; a target outside it is a permanent failure (it cannot have been created so). */
  targetPrefixes?: readonly string[];
  /** Starts another tick, asynchronously, on a range of shards (fan-out); absent: never fan out. */
  fanOut?: (range: ShardRange) => Promise<void>;
  /** Sundial's own functions, never invoked as targets. */
  reservedFunctions?: readonly string[];
  faults?: TickFaults;
  /** For retry jitter; Math.random by default. */
  random?: () => number;
  log?: Log;
}

export interface TickOptions {
  /** How long a claim protects an occurrence before another tick may re-deliver it. */
  leaseMs: number;
  /** Deliveries (claim, invoke, record) in flight at once. */
  concurrency: number;
  /** Occurrences due up to now + this are claimed and fired at their second: one tick period + margin. */
  lookAheadMs: number;
  /** An occurrence fired this long after the tick read its task re-reads it first (pause, PATCH). */
  recheckAfterMs: number;
  /** Invocation attempts on transient errors, on top of the SDK's own retries. */
  invokeAttempts: number;
  /** Full-jitter exponential backoff between those attempts. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** More due items than this in one tick: the tick fans out to one tick per overloaded shard. */
  maxDuePerTick: number;
}

export const DEFAULT_TICK_OPTIONS: TickOptions = {
  leaseMs: 2 * 60_000,
  concurrency: 64,
  lookAheadMs: 62_000,
  recheckAfterMs: 2_000,
  invokeAttempts: 4,
  retryBaseMs: 200,
  retryMaxMs: 5_000,
  maxDuePerTick: 4_000,
};

/** One tick's state: what it depends on, when it started, how far it looks, and what it did. */
export class TickRun {
  readonly report: TickReport = emptyTickReport();
  readonly started: number;
  /** Occurrences firing by this instant are this tick's. */
  readonly horizon: number;
  /** Deliveries in flight at once. */
  readonly limit: LimitFunction;

  constructor(
    readonly deps: TickDeps,
    readonly options: TickOptions,
  ) {
    this.started = deps.clock.now();
    this.horizon = this.started + options.lookAheadMs;
    this.limit = pLimit(options.concurrency);
  }

  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) {
    this.deps.log?.(level, message, fields);
  }
}
