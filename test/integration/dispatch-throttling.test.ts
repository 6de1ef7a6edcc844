import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/dynamodb-local';
import { DYNAMODB_CLIENT_CONFIG } from '../../lib/runtime';
import { DispatchStore } from '../../lib/store/dispatch-store';
import { ManualClock } from '../support/clock';
import { makeTask, RecordingInvoker, TestDispatcher } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';
import { startThrottlingProxy } from '../support/throttling-proxy';

const T0 = Date.parse('2026-12-01T14:00:00Z');

it('DynamoDB throttling on hand-offs is retried by the SDK, and nothing is lost', async () => {
  const clock = new ManualClock(T0 + 300_000);
  const table = await createTestTable({ shards: 2, clock });
  const ids = Array.from({ length: 5 }, (_, i) => `throttled-${i}`);
  for (const id of ids)
    await table.store.createTask(makeTask(id, T0, { schedule: { every: { minutes: 5 } } }));
  // Hand-offs (BatchExecuteStatement) are throttled several times in a row, as DynamoDB does on a hot partition.
  const puts = await startThrottlingProxy(table.endpoint, 'BatchExecuteStatement', 3);
  const client = new DynamoDBClient({
    ...DYNAMODB_CLIENT_CONFIG,
    endpoint: puts.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const store = new DispatchStore(client, { tableName: table.tableName, shards: 2, runTtlDays: 1 }, clock);
  const invoker = new RecordingInvoker();
  const dispatcher = new TestDispatcher({ ...table, dispatch: store }, clock, invoker, {
    tickOptions: { writes: 1 },
  });
  const report = await dispatcher.tick();
  expect(puts.state.throttled).toBe(3);
  expect(report).toMatchObject({ handedOff: 5, refused: 0, errors: 0 });
  await dispatcher.deliverVisible();
  expect(invoker.events.map((e) => e.taskId).sort()).toEqual(ids);
  for (const id of ids) expect(await table.store.getTask(id)).toMatchObject({ runCount: 1 });
  client.destroy();
  await puts.close();
  await table.drop();
});
