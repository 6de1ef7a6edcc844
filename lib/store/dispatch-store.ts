import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { encodeTime, ulid } from 'ulid';
import { RunQueueFullError, TaskNotFoundError } from '../errors';
import type { Run } from '../task/schemas';
import {
  type DueTask,
  dueAtOf,
  firstManualIs,
  isConditionFailure,
  type Lease,
  lastRunBefore,
  leaseExpired,
  type ManualRun,
  noManualRuns,
  runAbsent,
  runExists,
  sameAttempt,
  sameManualCount,
  sameVersion,
  stillDueAt,
  TableAdapter,
  taskExists,
} from './items';
import { listingKeysOf } from './listing-keys';
import { RUN_SK_PREFIX, runKey, shardOf, TABLE, taskKey } from './schema';

/** Run-now requests that may wait on one task at a time (the API answers 429 beyond). */
export const MAX_PENDING_MANUAL_RUNS = 20;

const sameLastRunAt = 'lastRunAt = :seenLastRunAt';
const sameIncarnation = 'createdAt = :createdAt';
// lastRunAt is null (a NULL attribute) until the first run.
const noLastRunAt = '(attribute_not_exists(lastRunAt) OR attribute_type(lastRunAt, :nullType))';

const msOrNegInf = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NEGATIVE_INFINITY);

/** A run record as the tick writes it: the public run plus the lease it carries while undelivered. */
export interface RunClaim {
  run: Run;
  lease: Lease;
}

/** What a tick learned when it tried to claim an occurrence. */
export type ClaimResult = { won: true } | { won: false; existing: RunClaim };

/** How the tick acknowledges what it delivered for one task. */
export interface Acknowledgement {
  /** The task as the tick saw it (version and dueAt are the conditions). */
  seen: DueTask;
  /** Manual runs delivered: they are the first `manualDone` entries of `seen.manualRuns`. */
  manualDone: number;
  /** The scheduled occurrences' outcome, absent when the tick fired none. */
  schedule?: {
    nextRunAt: number | null;
    /** Occurrences this tick delivered: added to runCount (two ticks may share a task's batch). */
    fired: number;
    /** The last occurrence settled; absent when the plan only skipped missed ones. */
    lastRunAt?: number;
  };
  /** The last permanent delivery error, recorded on the task for operators. */
  lastError?: string;
}

/**
 * The dispatcher's view of the table.
 *
 * The claim on an occurrence is its run record: creating `RUN#<runId>` (conditional on its absence)
 * is the one write that decides which tick delivers it, and the record doubles as the lease and as
 * history. Scheduled run ids are derived from (task, createdAt, scheduledAt), so every tick that ever
 * looks at one occurrence computes the same key and the same runId. The task item moves in the due
 * index only once per batch, when the tick acknowledges (see docs/delivery.md for the cost figures).
 *
 * Invariants for writers outside the tick (task-store, API):
 * - `dueAt` is the fire time of `nextRunAt` (or earlier while `manualRuns` is non-empty); an item
 *   carries `dueShard`/`dueAt` only while it is active with a next run, or has manual runs pending.
 * - Any user change to what or when a task fires (PATCH, pause, resume, enable) bumps `version`:
 *   the tick's acknowledgement is conditional on the version it read, so the user's write always wins
 *   and the tick then records only its counters (never `dueAt`, never `state`).
 * - A writer that recomputes `nextRunAt` must do it after `lastRunAt` (never before), or occurrences
 *   already delivered are planned again (they would be found claimed and skipped, but cost a write).
 * - Deleting a task deletes its item; every tick write on the task item is conditional on it existing,
 *   so a delete is never undone. Run records of a deleted task may be left behind; TTL removes them.
 * - `manualRuns` is only appended to (enqueueManualRun) by others; only the tick removes entries.
 */
export class DispatchStore extends TableAdapter {
  /** Tasks in one shard whose `dueAt <= upTo`, oldest first, following every page. */
  async *queryDue(shard: number, upTo: number): AsyncGenerator<DueTask> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: TABLE.dueIndex.name,
      KeyConditionExpression: 'dueShard = :shard AND dueAt <= :upTo',
      ExpressionAttributeValues: { ':shard': shard, ':upTo': upTo },
    };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) yield this.toDueTask(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** The task's current scheduling state, read strongly before firing an occurrence claimed early. */
  async readDueTask(taskId: string): Promise<DueTask | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(taskId), ConsistentRead: true }),
    );
    return Item ? this.toDueTask(Item) : undefined;
  }

  /**
   * Claims one occurrence by creating its run record. Lost: someone created it first, and `existing`
   * says who holds it and until when.
   */
  async claimRun(claim: RunClaim): Promise<ClaimResult> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.runItem(claim),
          // Two ticks (overlapping, retried by EventBridge, or fanned out) reached the same occurrence:
          // the run key is the same for both, so only the first put lands.
          ConditionExpression: runAbsent,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { won: true };
    } catch (error) {
      if (!isConditionFailure(error) || !error.Item) throw error;
      return { won: false, existing: this.toRunClaim(unmarshall(error.Item)) };
    }
  }

  /**
   * Takes over a claim whose holder let its lease expire (it died, or timed out), for re-delivery with
   * the same runId and the next attempt. False if another tick took it over first.
   */
  async takeOver(existing: RunClaim, lease: Lease, firedAt: number): Promise<boolean> {
    return this.conditionalUpdate({
      Key: runKey(existing.run.taskId, lease.runId),
      // Two ticks found the same expired lease: only the one that still sees the old attempt wins.
      // The lease must really have expired: a slow holder is still within it and delivers itself.
      ConditionExpression: `${sameAttempt} AND ${leaseExpired}`,
      UpdateExpression: 'SET attempt = :attempt, leaseUntil = :until, firedAt = :firedAt',
      ExpressionAttributeValues: {
        ':seenAttempt': existing.lease.attempt,
        ':now': firedAt,
        ':attempt': lease.attempt,
        ':until': lease.until,
        ':firedAt': new Date(firedAt).toISOString(),
      },
    });
  }

  /** The newest run record of one source with a runId time in [from, to] (epoch ms), if any. */
  async latestRunBetween(
    taskId: string,
    from: number,
    to: number,
    source: Run['source'],
  ): Promise<RunClaim | undefined> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': taskKey(taskId).pk,
          ':from': `${RUN_SK_PREFIX}${encodeTime(from)}`,
          ':to': `${RUN_SK_PREFIX}${encodeTime(to)}~`,
        },
        ScanIndexForward: false,
        // Manual runs interleave with scheduled ones; a few suffice to find the newest of a source.
        Limit: 25,
        ConsistentRead: true,
      }),
    );
    const item = page.Items?.find((i) => i.source === source);
    return item ? this.toRunClaim(item) : undefined;
  }

  /** The run record of one occurrence, read consistently. */
  async readRun(taskId: string, runId: string): Promise<RunClaim | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: runKey(taskId, runId), ConsistentRead: true }),
    );
    return Item ? this.toRunClaim(Item) : undefined;
  }

  /**
   * Marks a claimed occurrence delivered once its target accepted the event. Until then its run record
   * says `claimed`, and a tick that finds it so after the lease expired delivers it again.
   */
  async recordDelivered(taskId: string, runId: string): Promise<void> {
    await this.conditionalUpdate({
      Key: runKey(taskId, runId),
      // A record removed meanwhile (task deleted) is not recreated.
      ConditionExpression: runExists,
      UpdateExpression: 'SET #status = :delivered',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':delivered': 'delivered' },
    });
  }

  /** Records the outcome of a delivery that failed; the record keeps its lease, so it is never retried. */
  async recordFailure(taskId: string, runId: string, error: string): Promise<void> {
    await this.conditionalUpdate({
      Key: runKey(taskId, runId),
      // A record removed meanwhile (task deleted) is not recreated.
      ConditionExpression: runExists,
      UpdateExpression: 'SET #status = :failed, #error = :error',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':error': error },
    });
  }

  /**
   * Acknowledges what a tick delivered for one task: advances it to its next occurrence (one move in the
   * due index), drops the manual runs it delivered, or completes it. Returns false when a user's write
   * (or a tick that went further) came first; the tick's counters are then recorded without touching
   * the schedule. Also repairs an item left in the due index with nothing to fire.
   */
  async acknowledge(ack: Acknowledgement): Promise<boolean> {
    let seen: DueTask | undefined = ack.seen;
    // A run-now request appended meanwhile changes dueAt and the list: read again and retry.
    for (let round = 0; round < 5 && seen; round++) {
      const stale = seen.task.version !== ack.seen.task.version;
      const mine = seen.manualRuns.slice(0, ack.manualDone).map((m) => m.runId);
      const ours = ack.seen.manualRuns.slice(0, ack.manualDone).map((m) => m.runId);
      if (stale || mine.join() !== ours.join()) break;
      if (await this.tryAcknowledge(ack, seen)) return true;
      seen = await this.readDueTask(ack.seen.task.id);
      // Completed or paused meanwhile (out of the due index): nothing to move, record the counters.
      if (seen && seen.dueAt === undefined) break;
      // Another tick acknowledged further than we got: its write stands.
      const further = ack.schedule?.nextRunAt ?? Number.POSITIVE_INFINITY;
      if (seen?.task.nextRunAt && Date.parse(seen.task.nextRunAt) > further) break;
    }
    if (!seen) return false;
    await this.recordCounters(ack);
    return false;
  }

  private async tryAcknowledge(ack: Acknowledgement, seen: DueTask): Promise<boolean> {
    const { task } = seen;
    const values: Record<string, unknown> = {
      ':seenVersion': task.version,
      ':seenDueAt': seen.dueAt,
      ...(task.lastRunAt ? { ':seenLastRunAt': task.lastRunAt } : { ':nullType': 'NULL' }),
    };
    const names: Record<string, string> = {};
    const set: string[] = [];
    const remove: string[] = [];
    const manualLeft = seen.manualRuns.slice(ack.manualDone);
    // Emptied: the list goes, so no item keeps an empty container behind (see noManualRuns).
    if (ack.manualDone > 0 && manualLeft.length === 0) remove.push('manualRuns');
    else for (let i = 0; i < ack.manualDone; i++) remove.push(`manualRuns[${i}]`);
    let manualCondition = noManualRuns;
    if (seen.manualRuns.length === 0) values[':zero'] = 0;
    else {
      // The size alone is not enough: another tick removing ours while a run-now appends a new one keeps
      // it equal (two requests in the same millisecond leave dueAt unchanged too), and we would remove
      // an undelivered run. The entries we remove must be the ones we delivered.
      const ours = seen.manualRuns.slice(0, ack.manualDone).map((m, i) => {
        values[`:manual${i}`] = m.runId;
        return `manualRuns[${i}].runId = :manual${i}`;
      });
      manualCondition = [sameManualCount, ...ours].join(' AND ');
      values[':manualCount'] = seen.manualRuns.length;
    }
    if (ack.lastError !== undefined) {
      set.push('lastError = :lastError');
      values[':lastError'] = ack.lastError;
    }
    const { schedule } = ack;
    if (schedule) {
      set.push('nextRunAt = :next');
      values[':next'] = schedule.nextRunAt === null ? null : new Date(schedule.nextRunAt).toISOString();
      values[':fired'] = schedule.fired;
      // Two ticks sharing a batch acknowledge in any order: lastRunAt only moves forward.
      const lastRunAt = Math.max(schedule.lastRunAt ?? Number.NEGATIVE_INFINITY, msOrNegInf(task.lastRunAt));
      if (Number.isFinite(lastRunAt)) {
        set.push('lastRunAt = :lastRunAt');
        values[':lastRunAt'] = new Date(lastRunAt).toISOString();
      }
    }
    // Without a schedule outcome (manual runs only) the next run is the one stored.
    const nextRunAt = schedule ? (values[':next'] as string | null) : task.nextRunAt;
    const dueAt = dueAtOf({ ...task, nextRunAt }, manualLeft);
    if (dueAt === undefined) remove.push('dueAt', 'dueShard');
    else {
      set.push('dueAt = :dueAt');
      values[':dueAt'] = dueAt;
    }
    if (schedule && schedule.nextRunAt === null && task.state === 'active') {
      set.push('#state = :completed', 'listPk = :listPk', 'listSk = :listSk');
      names['#state'] = 'state';
      values[':completed'] = 'completed';
      // The list index follows the state (lib/store/listing-keys.ts).
      const keys = listingKeysOf({ ...task, state: 'completed' });
      values[':listPk'] = keys.listPk;
      values[':listSk'] = keys.listSk;
    }
    const update = [
      set.length ? `SET ${set.join(', ')}` : '',
      remove.length ? `REMOVE ${remove.join(', ')}` : '',
      schedule ? 'ADD runCount :fired' : '',
    ]
      .filter(Boolean)
      .join(' ');
    return this.conditionalUpdate({
      Key: taskKey(task.id),
      // A PATCH, pause, resume or delete since the tick read the task bumps the version (or removes the
      // item): the user's write wins. Another tick that acknowledged first moved dueAt: re-read.
      // A run-now appended meanwhile changes the list's size: re-read, so its dueAt is not lost.
      // A counters-only write by another tick since the read moved lastRunAt: re-read, never move it back.
      ConditionExpression: `${sameVersion} AND ${stillDueAt} AND ${manualCondition} AND ${task.lastRunAt ? sameLastRunAt : noLastRunAt}`,
      UpdateExpression: update,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Lost to a user's write or to a tick that went further: keep their schedule and state, record only
   * what was delivered so it is not planned again (a writer recomputes nextRunAt after lastRunAt), and
   * drop the manual runs delivered.
   */
  private async recordCounters(ack: Acknowledgement): Promise<void> {
    const { schedule } = ack;
    if (schedule && schedule.lastRunAt !== undefined) {
      // Deleted: nothing to record, and the item must not come back (both writes need it to exist).
      // A task replaced (or deleted and created again) meanwhile is another task: it gets none of these.
      const incarnation = { ':createdAt': ack.seen.task.createdAt };
      await this.conditionalUpdate({
        Key: taskKey(ack.seen.task.id),
        ConditionExpression: `${taskExists} AND ${sameIncarnation}`,
        UpdateExpression: 'ADD runCount :fired',
        ExpressionAttributeValues: { ':fired': schedule.fired, ...incarnation },
      });
      await this.conditionalUpdate({
        Key: taskKey(ack.seen.task.id),
        // lastRunAt only moves forward, whichever tick writes last.
        ConditionExpression: `${taskExists} AND ${sameIncarnation} AND ${lastRunBefore}`,
        UpdateExpression: 'SET lastRunAt = :lastRunAt',
        ExpressionAttributeValues: {
          ':lastRunAt': new Date(schedule.lastRunAt).toISOString(),
          ':null': 'NULL',
          ...incarnation,
        },
      });
    }
    if (ack.manualDone > 0) {
      const first = ack.seen.manualRuns[0]?.runId;
      const key = taskKey(ack.seen.task.id);
      // Only the tick removes entries, oldest first: ours are still the first ones, or gone already.
      // When they are all there is, the whole list goes (never an empty list left behind).
      const removedAll = await this.conditionalUpdate({
        Key: key,
        ConditionExpression: `${firstManualIs} AND ${sameManualCount}`,
        UpdateExpression: 'REMOVE manualRuns',
        ExpressionAttributeValues: { ':first': first, ':manualCount': ack.manualDone },
      });
      if (!removedAll) {
        await this.conditionalUpdate({
          Key: key,
          ConditionExpression: firstManualIs,
          UpdateExpression: `REMOVE ${Array.from({ length: ack.manualDone }, (_, i) => `manualRuns[${i}]`).join(', ')}`,
          ExpressionAttributeValues: { ':first': first },
        });
      }
    }
  }

  /**
   * Records a "run now" request on the task, to be delivered through the same claim path as scheduled
   * occurrences by the next tick (due at once: a caller that wants it sooner runs a tick). Works for
   * paused and completed tasks too; the task's schedule is untouched. TaskNotFoundError when the task
   * does not exist. The returned runId is the one the target will receive.
   */
  async enqueueManualRun(taskId: string, now: number, runId: string = ulid(now)): Promise<ManualRun> {
    const entry: ManualRun = { runId, requestedAt: now };
    const ok = await this.conditionalUpdate({
      Key: taskKey(taskId),
      // Run-now racing a delete: a deleted task stays deleted. The queue is bounded so the item stays
      // small and the tick's acknowledgement (one condition per entry) stays within DynamoDB's limits.
      ConditionExpression: `${taskExists} AND (attribute_not_exists(manualRuns) OR size(manualRuns) < :cap)`,
      // dueAt = now brings the item up in the next tick's query; the tick puts it back afterwards.
      UpdateExpression:
        'SET manualRuns = list_append(if_not_exists(manualRuns, :empty), :entry), dueShard = :shard, dueAt = :now',
      ExpressionAttributeValues: {
        ':empty': [],
        ':entry': [entry],
        ':shard': shardOf(taskId, this.shards),
        ':now': now,
        ':cap': MAX_PENDING_MANUAL_RUNS,
      },
    });
    if (!ok) {
      if (await this.readDueTask(taskId)) throw new RunQueueFullError(taskId, MAX_PENDING_MANUAL_RUNS);
      throw new TaskNotFoundError(taskId);
    }
    return entry;
  }

  private runItem({ run, lease }: RunClaim): Record<string, unknown> {
    const expiresAt = Math.floor(Date.parse(run.firedAt) / 1000) + this.runTtlSeconds;
    return { ...runKey(run.taskId, run.runId), ...run, leaseUntil: lease.until, expiresAt };
  }

  private toRunClaim(item: Record<string, unknown>): RunClaim {
    const { pk: _pk, sk: _sk, expiresAt: _e, leaseUntil, ...run } = item;
    const r = run as Run;
    return {
      run: r,
      lease: {
        runId: r.runId,
        scheduledAt: Date.parse(r.scheduledAt),
        source: r.source,
        attempt: r.attempt,
        until: leaseUntil as number,
      },
    };
  }
}
