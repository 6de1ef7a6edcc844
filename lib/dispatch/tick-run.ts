import { randomBytes } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../clock';
import type { Log } from '../log';
import type { DispatchStore } from '../store/dispatch-store';
import type { FireQueue } from './fire-queue';
import { emptyTickReport, type TickReport } from './tick-report';
import type { ShardRange } from './tick-request';

/** Named instants where a test can make the tick die (throw) or stall; never set in production. */
export interface TickFaults {
  /** After a chunk's messages were sent and before its hand-offs are recorded. */
  afterSend?(taskIds: string[]): void | Promise<void>;
}

export interface TickDeps {
  store: DispatchStore;
  queue: FireQueue;
  clock: Clock;
  /** Starts another tick, asynchronously, on a range of shards (fan-out); absent: never fan out. */
  fanOut?: (range: ShardRange) => Promise<void>;
  /** A fresh hand-off token; random by default. */
  newToken?: () => string;
  faults?: TickFaults;
  log?: Log;
}

export interface TickOptions {
  /**
   * Occurrences firing up to now + this are handed off: two tick periods, so one late or lost tick
   * (EventBridge retries it) makes nothing late.
   */
  lookAheadMs: number;
  /** How long a tick's lease on its shards lasts if it never releases it (it died): its timeout. */
  leaseMs: number;
  /** Tasks handed off per chunk: messages of a chunk are sent, then its hand-offs recorded. */
  chunkSize: number;
  /** Chunks in flight at once. */
  chunks: number;
  /** Hand-off batches (25 conditional writes each) in flight at once. */
  writes: number;
  /** More due items than this in one tick: the tick fans out to one tick per overloaded shard. */
  maxDuePerTick: number;
}

export const DEFAULT_TICK_OPTIONS: TickOptions = {
  lookAheadMs: 120_000,
  leaseMs: 60_000,
  chunkSize: 250,
  chunks: 4,
  writes: 8,
  maxDuePerTick: 20_000,
};

/** 8 random bytes, base64url: unique per hand-off of a task, short on the item and in every entry. */
export const randomToken = () => randomBytes(8).toString('base64url');

/** One tick's state: what it depends on, when it started, how far it looks, and what it did. */
export class TickRun {
  readonly report: TickReport = emptyTickReport();
  readonly started: number;
  /** Occurrences firing by this instant are this tick's. */
  readonly horizon: number;
  readonly chunkLimit: LimitFunction;
  readonly writeLimit: LimitFunction;

  constructor(
    readonly deps: TickDeps,
    readonly options: TickOptions,
  ) {
    this.started = deps.clock.now();
    this.horizon = this.started + options.lookAheadMs;
    this.chunkLimit = pLimit(options.chunks);
    this.writeLimit = pLimit(options.writes);
  }

  newToken(): string {
    return (this.deps.newToken ?? randomToken)();
  }

  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) {
    this.deps.log?.(level, message, fields);
  }
}
