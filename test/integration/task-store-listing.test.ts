import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { LISTED_STATES } from '../../lib/store/listing-keys';
import { LIST_SHARDS, runKey } from '../../lib/store/schema';
import type { TaskQuery } from '../../lib/store/task-listing';
import type { TaskStore } from '../../lib/store/task-store';
import { buildTask } from '../../lib/task/model';
import { type Task, TaskInput, type TaskState } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
import { ManualClock } from '../support/clock';
import { RecordingInvoker, TestDispatcher } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';
import { ReadMeter, sum } from '../support/read-meter';

const T0 = Date.parse('2026-12-01T14:00:00Z');
const GROUPS = ['g1', 'g2', undefined] as const;

function task(id: string, over: Record<string, unknown> = {}): Task {
  const input = parseOrThrow(TaskInput, {
    id,
    target: { function: 'sundial-target' },
    schedule: { every: { minutes: 5 } },
    ...over,
  });
  return buildTask({ ...input, id }, T0);
}

async function createAll(store: TaskStore, tasks: Task[]) {
  for (let i = 0; i < tasks.length; i += 100) await store.createTasks(tasks.slice(i, i + 100));
}

/** Sets a task's state through the store's own conditional write. */
async function setState(store: TaskStore, id: string, state: TaskState) {
  await store.modifyTask(id, (c) =>
    c.task.state === state
      ? undefined
      : {
          ...c.task,
          state,
          enabled: state !== 'paused',
          nextRunAt: state === 'completed' ? null : c.task.nextRunAt,
          version: c.task.version + 1,
        },
  );
}

/** Every page of a listing: the ids in order and each page's size and cursor. */
async function pages(store: TaskStore, query: Omit<TaskQuery, 'cursor'>, between?: () => Promise<void>) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ ...query, cursor });
    ids.push(...page.items.map((t) => t.id));
    sizes.push(page.items.length);
    cursor = page.cursor;
    if (cursor) await between?.();
  } while (cursor);
  return { ids, sizes };
}

let table: Awaited<ReturnType<typeof createTestTable>>;
let meter: ReadMeter;
/** The fixture's tasks, id → group and state. */
const fixture = new Map<string, { group?: string; state: TaskState }>();

beforeAll(async () => {
  table = await createTestTable({ shards: 4 });
  meter = new ReadMeter(table.client);
  const tasks = Array.from({ length: 150 }, (_, i) =>
    task(`t-${String(i).padStart(3, '0')}`, { group: GROUPS[i % 3] }),
  );
  await createAll(table.store, tasks);
  for (const [i, t] of tasks.entries()) {
    const state: TaskState = i % 5 === 0 ? 'paused' : i % 7 === 0 ? 'completed' : 'active';
    await setState(table.store, t.id, state);
    fixture.set(t.id, { group: t.group, state });
  }
  // A history that would dominate a scan: 40 run records for each of 50 tasks.
  const doc = DynamoDBDocumentClient.from(table.client);
  const runs = tasks.slice(0, 50).flatMap((t) =>
    Array.from({ length: 40 }, (_, r) => ({
      ...runKey(t.id, `01RUN${String(r).padStart(4, '0')}`),
      taskId: t.id,
      status: 'delivered',
      expiresAt: 2_000_000_000,
    })),
  );
  for (let i = 0; i < runs.length; i += 25) {
    const batch = runs.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: batch } }));
  }
}, 120_000);
afterAll(() => table.drop());

const expected = (query: { group?: string; state?: TaskState }) =>
  [...fixture]
    .filter(
      ([, t]) =>
        (query.group === undefined || t.group === query.group) &&
        (query.state === undefined || t.state === query.state),
    )
    .map(([id]) => id)
    .sort();

const QUERIES: { group?: string; state?: TaskState }[] = [
  {},
  ...LISTED_STATES.map((state) => ({ state })),
  { group: 'g1' },
  { group: 'g2' },
  ...LISTED_STATES.map((state) => ({ group: 'g1', state })),
];

describe('listing tasks from the indexes, with history present', () => {
  it.each(QUERIES)(
    'lists %o completely, each task once, every page full but the last, no cursor at the end',
    async (query) => {
      const { ids, sizes } = await pages(table.store, { ...query, limit: 7 });
      expect([...ids].sort()).toEqual(expected(query));
      expect(new Set(ids).size).toBe(ids.length);
      // Full pages, then a last page that is never empty (unless the listing is).
      expect(sizes.slice(0, -1).every((n) => n === 7)).toBe(true);
      if (ids.length > 0) expect(sizes.at(-1)).toBeGreaterThan(0);
    },
  );

  it('reads per page follow the page, never the table or its 2,000 run records', async () => {
    for (const query of QUERIES) {
      let cursor: string | undefined;
      do {
        const { result: page, calls } = await meter.measure(() =>
          table.store.listTasks({ ...query, limit: 10, cursor }),
        );
        expect(calls.map((c) => c.command)).not.toContain('ScanCommand');
        const queries = calls.filter((c) => c.command === 'QueryCommand');
        // At most one query per index partition of the listing (3 states of each shard)...
        expect(queries.length).toBeLessThanOrEqual(3 * LIST_SHARDS);
        // ...each reading at most the page and one more, and the page's items read by key once.
        for (const q of queries) expect(q.itemsRead).toBeLessThanOrEqual(11);
        expect(sum(calls, 'itemsRead')).toBeLessThanOrEqual(queries.length * 11 + 10);
        // Capacity: one unit per task read by key (items under 4 KB), half a unit per 4 KB of index entries.
        expect(sum(calls, 'units')).toBeLessThanOrEqual(10 + queries.length * 0.5 * 2);
        cursor = page.cursor;
      } while (cursor);
    }
  });

  it('the same first page costs the same reads at ten times the tasks', async () => {
    const big = await createTestTable({ shards: 4 });
    const bigMeter = new ReadMeter(big.client);
    const small = await createTestTable({ shards: 4 });
    const smallMeter = new ReadMeter(small.client);
    await createAll(
      small.store,
      Array.from({ length: 40 }, (_, i) => task(`s-${i}`)),
    );
    await createAll(
      big.store,
      Array.from({ length: 400 }, (_, i) => task(`s-${i}`)),
    );
    for (const [store, m] of [
      [small.store, smallMeter],
      [big.store, bigMeter],
    ] as const) {
      await store.listTasks({ limit: 1 }); // makes the cursor secret once
      m.calls.length = 0;
    }
    const smallPage = await smallMeter.measure(() => small.store.listTasks({ state: 'active', limit: 1 }));
    const bigPage = await bigMeter.measure(() => big.store.listTasks({ state: 'active', limit: 1 }));
    expect(sum(bigPage.calls, 'itemsRead')).toBeLessThanOrEqual(sum(smallPage.calls, 'itemsRead'));
    await Promise.all([big.drop(), small.drop()]);
  });

  it('a page that exactly fills the limit is the last one: no cursor to an empty page', async () => {
    const exact = await createTestTable({ shards: 4 });
    await createAll(
      exact.store,
      Array.from({ length: 14 }, (_, i) => task(`e-${i}`, { group: 'exact' })),
    );
    for (const query of [
      {},
      { group: 'exact' },
      { state: 'active' as const },
      { group: 'exact', state: 'active' as const },
    ]) {
      const { sizes } = await pages(exact.store, { ...query, limit: 7 });
      expect(sizes).toEqual([7, 7]);
      const one = await exact.store.listTasks({ ...query, limit: 14 });
      expect(one.items).toHaveLength(14);
      expect(one.cursor).toBeUndefined();
    }
    const none = await exact.store.listTasks({ state: 'paused', limit: 7 });
    expect(none).toEqual({ items: [], cursor: undefined });
    await exact.drop();
  });
});

describe('cursors', () => {
  const firstCursor = async (query: Omit<TaskQuery, 'limit' | 'cursor'>) =>
    (await table.store.listTasks({ ...query, limit: 3 })).cursor as string;
  const refused = async (query: TaskQuery) => {
    const { calls, result } = await meter.measure(() =>
      table.store.listTasks(query).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect(result).toBeInstanceOf(ValidationError);
    expect((result as ValidationError).errors[0]?.path).toBe('cursor');
    // Refused before reading anything: a forged cursor never reads a partition.
    expect(calls.filter((c) => c.command !== 'GetCommand')).toEqual([]);
  };

  it('a cursor altered by one character is refused', async () => {
    const cursor = await firstCursor({ state: 'active' });
    const [version, body, tag] = cursor.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    await refused({ state: 'active', limit: 3, cursor: `${version}.${flip(body, 2)}.${tag}` });
    await refused({ state: 'active', limit: 3, cursor: `${version}.${body}.${flip(tag, 0)}` });
  });

  it('a position made up by the caller is refused, whatever it names', async () => {
    const body = Buffer.from(JSON.stringify([0, 'g2/t-001'])).toString('base64url');
    await refused({ group: 'g1', state: 'active', limit: 3, cursor: `c1.${body}.AAAAAAAAAAAAAAAAAAAAAA` });
    // The cursors of the previous version (a DynamoDB key in base64 JSON) are refused too.
    const old = Buffer.from(JSON.stringify({ pk: 'TASK#t-001', sk: 'TASK' })).toString('base64url');
    await refused({ limit: 3, cursor: old });
    await refused({ limit: 3, cursor: 'not a cursor' });
  });

  it('a cursor continues only the listing that returned it', async () => {
    const g1 = await firstCursor({ group: 'g1' });
    await refused({ group: 'g2', limit: 3, cursor: g1 });
    await refused({ group: 'g1', state: 'active', limit: 3, cursor: g1 });
    const paused = await firstCursor({ state: 'paused' });
    await refused({ state: 'active', limit: 3, cursor: paused });
    await refused({ limit: 3, cursor: paused });
    // A run history cursor is no task cursor, and one task's is not another's.
    const runs = (await table.store.listRuns('t-000', { limit: 3 })).cursor as string;
    await refused({ limit: 3, cursor: runs });
    await expect(table.store.listRuns('t-001', { limit: 3, cursor: runs })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('a cursor of another table (another secret) is refused', async () => {
    const other = await createTestTable({ shards: 4 });
    await createAll(
      other.store,
      Array.from({ length: 5 }, (_, i) => task(`o-${i}`)),
    );
    const cursor = (await other.store.listTasks({ limit: 2 })).cursor as string;
    await refused({ limit: 2, cursor });
    await other.drop();
  });

  it('a stale cursor (its task deleted since) continues where it stopped', async () => {
    const stale = await createTestTable({ shards: 4 });
    await createAll(
      stale.store,
      Array.from({ length: 9 }, (_, i) => task(`s-${i}`, { group: 'st' })),
    );
    for (const query of [{}, { group: 'st' }, { state: 'active' as const }]) {
      const first = await stale.store.listTasks({ ...query, limit: 3 });
      const last = first.items.at(-1) as Task;
      await stale.store.deleteTask(last.id);
      const next = await stale.store.listTasks({ ...query, limit: 100, cursor: first.cursor });
      const seen = [...first.items.map((t) => t.id), ...next.items.map((t) => t.id)];
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => id !== last.id).sort()).toEqual(
        (await stale.store.listTasks({ ...query, limit: 100 })).items.map((t) => t.id).sort(),
      );
      await stale.store.createTask(task(last.id, { group: 'st' }));
    }
    await stale.drop();
  });
});

describe('concurrent writes while paging', () => {
  it('tasks that stay are listed exactly once while others are created, deleted, paused and resumed', async () => {
    const busy = await createTestTable({ shards: 4 });
    const stable = Array.from({ length: 120 }, (_, i) =>
      task(`k-${String(i).padStart(3, '0')}`, { group: 'busy' }),
    );
    await createAll(busy.store, stable);
    let round = 0;
    // Between pages: new tasks, deleted new tasks, and stable tasks changing state (the set is unchanged).
    const churn = async () => {
      round++;
      await busy.store.createTask(task(`new-${round}`, { group: 'busy' }));
      if (round > 2) await busy.store.deleteTask(`new-${round - 2}`);
      for (let j = 0; j < 6; j++) {
        const id = stable[(round * 7 + j * 13) % stable.length]?.id as string;
        const current = await busy.store.getTask(id);
        await setState(busy.store, id, current?.state === 'paused' ? 'active' : 'paused');
      }
    };
    for (const query of [{}, { group: 'busy' }]) {
      const { ids } = await pages(busy.store, { ...query, limit: 9 }, churn);
      expect(new Set(ids).size).toBe(ids.length);
      for (const t of stable) expect(ids.filter((id) => id === t.id)).toHaveLength(1);
    }
    expect(round).toBeGreaterThan(20);
    await busy.drop();
  });
});

describe('run history pages', () => {
  it('newest first, exact fill without an empty page, cursors bound to the task', async () => {
    const all = await table.store.listRuns('t-003', { limit: 100 });
    expect(all.items).toHaveLength(40);
    expect(all.cursor).toBeUndefined();
    expect(all.items[0]?.taskId).toBe('t-003');
    const sizes: number[] = [];
    const runIds: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.store.listRuns('t-003', { limit: 10, cursor });
      sizes.push(page.items.length);
      runIds.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(sizes).toEqual([10, 10, 10, 10]);
    expect(runIds).toEqual(all.items);
  });
});

describe('the dispatcher keeps the listing keys', () => {
  it('a task the tick completes leaves the active listing for the completed one', async () => {
    const clock = new ManualClock(T0 + 120_000);
    const done = await createTestTable({ shards: 4, clock });
    await done.store.createTask(task('once', { schedule: { at: '2026-12-01T14:01:00Z' }, group: 'one' }));
    const dispatcher = new TestDispatcher(done, clock, new RecordingInvoker());
    expect(await dispatcher.tick()).toMatchObject({ handedOff: 1 });
    await dispatcher.deliverVisible();
    expect((await done.store.getTask('once'))?.state).toBe('completed');
    expect((await done.store.listTasks({ state: 'active', limit: 10 })).items).toEqual([]);
    expect((await done.store.listTasks({ state: 'completed', limit: 10 })).items.map((t) => t.id)).toEqual([
      'once',
    ]);
    expect((await done.store.listTasks({ group: 'one', state: 'completed', limit: 10 })).items).toHaveLength(
      1,
    );
    await done.drop();
  });

  it('an item written before the list index is listed once any change writes it again', async () => {
    const legacy = await createTestTable({ shards: 4 });
    const t = task('legacy');
    const doc = DynamoDBDocumentClient.from(legacy.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    await doc.send(
      new PutCommand({
        TableName: legacy.tableName,
        Item: { pk: 'TASK#legacy', sk: 'TASK', ...t, payload: JSON.stringify(t.payload), groupKey: t.group },
      }),
    );
    expect((await legacy.store.listTasks({ limit: 10 })).items).toEqual([]);
    await setState(legacy.store, 'legacy', 'paused');
    expect((await legacy.store.listTasks({ state: 'paused', limit: 10 })).items.map((x) => x.id)).toEqual([
      'legacy',
    ]);
    await legacy.drop();
  });
});
