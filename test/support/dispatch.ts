import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Invoker } from '../../lib/dispatch/invoker';
import { runTick, type TickDeps, type TickOptions } from '../../lib/dispatch/tick';
import { taskKey } from '../../lib/store/schema';
import { buildTask } from '../../lib/task/model';
import type { DeliveryEvent, Task } from '../../lib/task/schemas';
import { TaskInput } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
import { ManualClock } from './clock';
import type { createTestTable } from './dynamodb';

export type TestTable = Awaited<ReturnType<typeof createTestTable>>;

/** A stored task built through the real contract and model, as the API would create it. */
export function makeTask(id: string, now: number, over: Record<string, unknown> = {}): Task {
  const input = parseOrThrow(TaskInput, {
    id,
    target: { function: 'sundial-target' },
    schedule: { every: { minutes: 1 } },
    payload: { id },
    ...over,
  });
  return buildTask({ ...input, id }, now);
}

/** Records every event; can be told to fail. */
export class RecordingInvoker implements Invoker {
  readonly events: DeliveryEvent[] = [];
  failWith?: (event: DeliveryEvent) => Error | undefined;
  async invoke(_target: Task['target'], event: DeliveryEvent) {
    const error = this.failWith?.(event);
    if (error) throw error;
    this.events.push(event);
  }
}

/** A ManualClock that lets a test act while the tick waits for an occurrence's second. */
export class HookedClock extends ManualClock {
  onSleep?: (at: number) => Promise<void> | void;
  override async sleepUntil(at: number): Promise<void> {
    await this.onSleep?.(at);
    await super.sleepUntil(at);
  }
}

export function tickWith(
  table: TestTable,
  clock: ManualClock,
  invoker: Invoker,
  extra: Partial<TickDeps> = {},
  options: Partial<TickOptions> = {},
) {
  return runTick(
    { store: table.dispatch, invoker, clock, newRunId: () => 'unused', random: () => 0.5, ...extra },
    { concurrency: 16, ...options },
  );
}

/**
 * What the task API does on pause or PATCH (issue 5 owns it): a user write bumps the version, and
 * pause takes the item out of the due index. Written here to race the tick the way the API will.
 */
export async function userWrite(
  table: TestTable,
  taskId: string,
  update: string,
  values: Record<string, unknown>,
) {
  const doc = DynamoDBDocumentClient.from(table.client);
  await doc.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: taskKey(taskId),
      ConditionExpression: 'attribute_exists(pk)',
      UpdateExpression: `${update} ADD version :one`,
      ExpressionAttributeNames: update.includes('#state') ? { '#state': 'state' } : undefined,
      ExpressionAttributeValues: { ...values, ':one': 1 },
    }),
  );
}
