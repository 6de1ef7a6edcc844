import type { EventSourceCounters } from '../lib/local/event-source';

/** The target every bench task invokes: the cloud process records each event it receives. */
export const SINK = 'sundial-bench-sink';
/** The access key the bench cloud's Lambda, SQS and Scheduler endpoints accept (with a secret of the run). */
export const BENCH_CREDENTIALS_ID = 'sundialbench';

/** What the cloud process tells its parent after starting. */
export interface CloudEndpoints {
  dynamodbEndpoint: string;
  lambdaUrl: string;
  queueUrl: string;
  schedulerUrl: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  scheduleName: string;
}

/** A deployment: one table, its fire queue (consumed by the fire worker) and its tick function. */
export interface Deployed {
  queueUrl: string;
  tickFunction: string;
}

/** One delivery as the target received it. */
export interface Receipt {
  taskId: string;
  scheduledAt: number;
  /** The fire worker's `firedAt`: when it invoked the target. */
  firedAt: number;
  /** When the target ran (the cloud process's clock; same machine). */
  receivedAt: number;
  source: 'schedule' | 'manual';
  attempt: number;
  runId: string;
}

export interface CloudCounters {
  /** SQS API calls answered, per action. */
  queueCalls: Record<string, number>;
  /** Lambda invocations answered, per function. */
  lambdaCalls: Record<string, number>;
  /** Per deployment: what its event source mapping did (batches = ReceiveMessage + DeleteMessageBatch). */
  sources: Record<string, EventSourceCounters>;
  schedulerEnabled: boolean;
}

/** The calls the parent makes to the cloud process (over IPC). */
export interface CloudApi {
  init(params: { hostUrl: string }): Promise<CloudEndpoints>;
  deploy(params: { name: string; tableName: string }): Promise<Deployed>;
  /** EventBridge's rate(1 minute): `ticks` invocations at once at each minute's start (2: overlapping ticks). */
  startClock(params: { name: string; ticks: number }): Promise<void>;
  stopClock(params: { name: string }): Promise<void>;
  /** One tick invocation now, as EventBridge would start it. */
  tickNow(params: { name: string }): Promise<unknown>;
  receipts(params: { from: number }): Promise<Receipt[]>;
  counters(params: Record<string, never>): Promise<CloudCounters>;
  stop(params: Record<string, never>): Promise<void>;
}
