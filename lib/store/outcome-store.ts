import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Run, RunAttempt, Task } from '../task/schemas';
import { isConditionFailure, TableAdapter, taskExists } from './items';
import { failedRunKeys } from './listing-keys';
import { runKey, taskKey } from './schema';

/** Fields of a run record an attempt's outcome sets; a new attempt clears them. */
const OUTCOME_FIELDS = [
  'finishedAt',
  'durationMs',
  'errorType',
  'errorMessage',
  'response',
  'retryAt',
] as const;

/** What the task shows of its latest finished run (lib/outcome: written only when it changes). */
export type RunSummary = Pick<Task, 'lastStatus' | 'lastError'>;

/**
 * The writes of runs whose outcomes Sundial follows. Each is conditional on the attempt, so outcomes (which
 * Lambda delivers at least once) are recorded once, an outcome of an old attempt never overwrites a newer
 * one, and a `delivered` written after its outcome already came (the target was quicker than the write)
 * leaves the outcome alone.
 */
export class OutcomeStore extends TableAdapter {
  /** Records that an attempt was delivered; false when this attempt or a later one is recorded already. */
  async markDelivered(run: Run): Promise<boolean> {
    const set: Record<string, unknown> = { ...run, expiresAt: this.expiresAt(run) };
    return this.updateRun(run, set, [...OUTCOME_FIELDS], 'attribute_not_exists(sk) OR attempt < :attempt');
  }

  /**
   * Records an attempt's outcome (and adds it to the run's attempts); a final failure also gets the
   * failed-runs listing keys. False when the outcome was recorded before or a later attempt started.
   */
  async recordOutcome(run: Run & { finishedAt: string }): Promise<boolean> {
    const final = (run.status === 'failed' || run.status === 'timed_out') && run.retryAt === undefined;
    const attempt: RunAttempt = {
      attempt: run.attempt,
      status: run.status,
      firedAt: run.firedAt,
      finishedAt: run.finishedAt,
      ...(run.durationMs === undefined ? {} : { durationMs: run.durationMs }),
      ...(run.errorType === undefined ? {} : { errorType: run.errorType }),
      ...(run.errorMessage === undefined ? {} : { errorMessage: run.errorMessage.slice(0, 256) }),
    };
    const { attempts: _attempts, ...fields } = run;
    const set: Record<string, unknown> = {
      ...fields,
      expiresAt: this.expiresAt(run),
      ...(final ? failedRunKeys(run.status as 'failed' | 'timed_out', run.finishedAt, run.runId) : {}),
    };
    const remove = OUTCOME_FIELDS.filter((f) => run[f] === undefined);
    return this.updateRun(
      run,
      set,
      remove,
      'attribute_not_exists(sk) OR attempt < :attempt OR (attempt = :attempt AND #status IN (:claimed, :delivered))',
      attempt,
    );
  }

  /** The attempt, status and pending retry of a run record, read consistently. */
  async readRun(
    taskId: string,
    runId: string,
  ): Promise<Pick<Run, 'attempt' | 'status' | 'retryAt'> | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runKey(taskId, runId),
        ConsistentRead: true,
        ProjectionExpression: 'attempt, #status, retryAt',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    return Item as Pick<Run, 'attempt' | 'status' | 'retryAt'> | undefined;
  }

  /** Records a skipped occurrence, unless its run is recorded already (a replayed message never overwrites it). */
  async recordSkipped(run: Run): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...runKey(run.taskId, run.runId), ...run, expiresAt: this.expiresAt(run) },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Sets the task's summary of its latest finished run (not on a task deleted or replaced meanwhile): a
   * failure counts one more in a row (ADD, so concurrent outcomes all count), a success resets the count.
   */
  async recordSummary(taskId: string, createdAt: string, summary: RunSummary): Promise<void> {
    const failed = summary.lastStatus !== 'succeeded';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKey(taskId),
          ConditionExpression: `${taskExists} AND createdAt = :createdAt`,
          UpdateExpression: failed
            ? 'SET lastStatus = :status, lastError = :error ADD consecutiveFailures :one'
            : 'SET lastStatus = :status, consecutiveFailures = :zero',
          ExpressionAttributeValues: {
            ':createdAt': createdAt,
            ':status': summary.lastStatus,
            ...(failed ? { ':error': summary.lastError ?? '', ':one': 1 } : { ':zero': 0 }),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private expiresAt(run: Run): number {
    return Math.floor(Date.parse(run.firedAt) / 1000) + this.runTtlSeconds;
  }

  /** One conditional UpdateItem of a run record: SET `set`, REMOVE `remove`, append `attempt` to attempts. */
  private async updateRun(
    run: Run,
    set: Record<string, unknown>,
    remove: readonly string[],
    condition: string,
    attempt?: RunAttempt,
  ): Promise<boolean> {
    const entries = Object.entries(set).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = condition.includes('#status') ? { '#status': 'status' } : {};
    const values: Record<string, unknown> = { ':attempt': run.attempt };
    const clauses = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:f${i}`] = v;
      return `#f${i} = :f${i}`;
    });
    if (attempt) {
      clauses.push('attempts = list_append(if_not_exists(attempts, :none), :attempt_list)');
      values[':none'] = [];
      values[':attempt_list'] = [attempt];
    }
    if (condition.includes(':claimed'))
      Object.assign(values, { ':claimed': 'claimed', ':delivered': 'delivered' });
    remove.forEach((k, i) => {
      names[`#r${i}`] = k;
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runKey(run.taskId, run.runId),
          ConditionExpression: condition,
          UpdateExpression: `SET ${clauses.join(', ')}${remove.length ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
