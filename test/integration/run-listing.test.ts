import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors';
import { failedRunKeys } from '../../lib/store/listing-keys';
import { runKey } from '../../lib/store/schema';
import { type FailureStatus, Run, type RunStatus } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { createTestTable } from '../support/dynamodb';

// The runtime that records outcomes is built on its own: these records are written straight into the
// table, in the shape lib/store/outcome-store.ts writes (list keys only on runs failed for good).
const clock = new ManualClock(Date.parse('2026-12-02T10:00:00Z'));
let table: Awaited<ReturnType<typeof createTestTable>>;
let doc: DynamoDBDocumentClient;

type Item = Record<string, unknown>;

/** A run record as the store keeps it, internals included (lease, expiry). */
function record(taskId: string, at: string, status: RunStatus, extra: Item = {}): Item {
  const runId = ulid(Date.parse(at));
  return {
    ...runKey(taskId, runId),
    taskId,
    runId,
    scheduledAt: at,
    firedAt: at,
    attempt: 1,
    source: 'schedule',
    status,
    leaseUntil: Date.parse(at) + 60_000,
    expiresAt: Math.floor(Date.parse(at) / 1000) + 30 * 86_400,
    ...extra,
  };
}

/** A run that ended `status` for good at `finishedAt`, with its list keys. */
function finalFailure(taskId: string, finishedAt: string, status: FailureStatus, extra: Item = {}): Item {
  const firedAt = new Date(Date.parse(finishedAt) - 1500).toISOString();
  const run = record(taskId, firedAt, status, {
    attempt: 3,
    finishedAt,
    durationMs: 1500,
    errorType: 'Error',
    errorMessage: `${taskId} broke`,
    ...extra,
  });
  return { ...run, ...failedRunKeys(status, finishedAt, run.runId as string) };
}

async function putAll(items: Item[]) {
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: batch } }));
  }
}

beforeAll(async () => {
  table = await createTestTable({ clock });
  doc = DynamoDBDocumentClient.from(table.client);
});
afterAll(() => table.drop());

describe('a task run history', () => {
  const statuses: RunStatus[] = ['claimed', 'delivered', 'succeeded', 'failed', 'timed_out', 'skipped'];
  const history = Array.from({ length: 30 }, (_, i) =>
    record(
      'mixed',
      new Date(Date.parse('2026-12-01T00:00:00Z') + i * 60_000).toISOString(),
      statuses[i % 6] as RunStatus,
      {
        ...(i % 6 === 3 ? { errorType: 'Error', errorMessage: 'boom', retryAt: '2026-12-01T01:00:00Z' } : {}),
        ...(i % 6 === 5 ? { reason: 'overlap' } : {}),
      },
    ),
  );
  beforeAll(() => putAll(history));

  it('shows only the fields of the Run schema: no lease, expiry or keys', async () => {
    const { items } = await table.store.listRuns('mixed', { limit: 100 });
    expect(items).toHaveLength(30);
    const allowed = Object.keys(Run.shape);
    for (const run of items) {
      for (const key of Object.keys(run)) expect(allowed).toContain(key);
      expect(Run.safeParse(run).success).toBe(true);
    }
    expect(items[0]).not.toHaveProperty('leaseUntil');
    expect(items.find((r) => r.status === 'skipped')).toMatchObject({ reason: 'overlap' });
  });

  it('filters by each status, newest first, in pages', async () => {
    for (const status of statuses) {
      const runIds: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await table.store.listRuns('mixed', { status, limit: 2, cursor });
        runIds.push(...page.items.map((r) => r.runId));
        sizes.push(page.items.length);
        for (const run of page.items) expect(run.status).toBe(status);
        cursor = page.cursor;
      } while (cursor);
      const expected = history
        .filter((r) => r.status === status)
        .map((r) => r.runId as string)
        .reverse();
      expect(runIds).toEqual(expected);
      expect(sizes).toEqual([2, 2, 1]);
    }
  });

  it('bounds the reads of one request: a sparse status comes in short pages, each with a cursor', async () => {
    // 1,500 delivered runs, the one failure the oldest: a request reads at most ~670 records (limit 1).
    const failed = record('sparse', '2026-11-30T00:00:00.000Z', 'failed');
    const delivered = Array.from({ length: 1500 }, (_, i) =>
      record('sparse', new Date(Date.parse('2026-12-01T00:00:00Z') + i * 1000).toISOString(), 'delivered'),
    );
    await putAll([failed, ...delivered]);
    const pages: number[] = [];
    const found: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.store.listRuns('sparse', { status: 'failed', limit: 1, cursor });
      pages.push(page.items.length);
      found.push(...page.items.map((r) => r.runId));
      cursor = page.cursor;
    } while (cursor && pages.length < 10);
    expect(found).toEqual([failed.runId]);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.slice(0, -1).every((n) => n === 0)).toBe(true);
    expect(cursor).toBeUndefined();
  });

  it('refuses a cursor of another status or task, and one made up', async () => {
    const page = await table.store.listRuns('mixed', { status: 'failed', limit: 1 });
    const cursor = page.cursor as string;
    await expect(
      table.store.listRuns('mixed', { status: 'skipped', limit: 1, cursor }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(table.store.listRuns('mixed', { limit: 1, cursor })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      table.store.listRuns('other', { status: 'failed', limit: 1, cursor }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(table.store.listRuns('mixed', { limit: 1, cursor: 'c1.e30.AAAA' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('runs failed for good, across tasks', () => {
  const today = [
    finalFailure('alpha', '2026-12-02T09:30:00.000Z', 'failed'),
    finalFailure('beta', '2026-12-02T08:00:00.000Z', 'failed'),
    finalFailure('gamma', '2026-12-02T07:00:00.000Z', 'timed_out', { errorType: 'Sundial.Timeout' }),
  ];
  const yesterday = [
    finalFailure('beta', '2026-12-01T23:59:59.000Z', 'failed'),
    finalFailure('alpha', '2026-12-01T12:00:00.000Z', 'failed'),
    finalFailure('gamma', '2026-12-01T06:00:00.000Z', 'failed'),
  ];
  const older = finalFailure('alpha', '2026-11-20T10:00:00.000Z', 'failed');
  // Beyond the 30 days run records live: never read, even while DynamoDB has not expired it yet.
  const expired = finalFailure('alpha', '2026-10-01T10:00:00.000Z', 'failed');
  // Failed, but waiting for a retry: no list keys, not listed.
  const retrying = record('alpha', '2026-12-02T09:00:00.000Z', 'failed', { retryAt: '2026-12-02T09:01:00Z' });
  const failedIds = [...today, ...yesterday, older].filter((r) => r.status === 'failed').map((r) => r.runId);

  beforeAll(() => putAll([...today, ...yesterday, older, expired, retrying]));

  async function everyPage(status: FailureStatus, limit: number, between?: () => void) {
    const runs: Run[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.store.listRecentRuns({ status, limit, cursor });
      runs.push(...page.items);
      sizes.push(page.items.length);
      cursor = page.cursor;
      if (cursor) between?.();
    } while (cursor);
    return { runs, sizes };
  }

  it('lists them newest first across tasks and days, in full pages, only their status', async () => {
    clock.set('2026-12-02T10:00:00Z');
    const { runs, sizes } = await everyPage('failed', 2);
    expect(runs.map((r) => r.runId)).toEqual(failedIds);
    expect(sizes).toEqual([2, 2, 2]);
    expect(runs.map((r) => r.taskId)).toEqual(['alpha', 'beta', 'beta', 'alpha', 'gamma', 'alpha']);
    expect(runs[0]).toMatchObject({
      status: 'failed',
      attempt: 3,
      errorMessage: 'alpha broke',
      durationMs: 1500,
    });
    for (const run of runs) {
      expect(run).not.toHaveProperty('listPk');
      expect(run).not.toHaveProperty('leaseUntil');
    }
    const timedOut = await table.store.listRecentRuns({ status: 'timed_out', limit: 50 });
    expect(timedOut.items.map((r) => r.runId)).toEqual([today[2]?.runId]);
    expect(timedOut.cursor).toBeUndefined();
  });

  it('neither skips nor repeats a run when the day turns between two pages', async () => {
    clock.set('2026-12-02T23:59:00Z');
    const { runs } = await everyPage('failed', 2, () => clock.advance(86_400_000));
    expect(runs.map((r) => r.runId)).toEqual(failedIds);
  });

  it('reads nothing older than the run records live', async () => {
    clock.set('2026-12-19T10:00:00Z'); // 30 days back: 2026-11-19, the oldest partition read
    const { runs } = await everyPage('failed', 50);
    expect(runs.map((r) => r.runId)).toEqual(failedIds);
    clock.set('2027-01-15T10:00:00Z');
    expect((await table.store.listRecentRuns({ status: 'failed', limit: 50 })).items).toEqual([]);
  });

  it('leaves out a run deleted meanwhile (the index lags the table)', async () => {
    clock.set('2026-12-02T10:00:00Z');
    const gone = finalFailure('deleted', '2026-12-02T09:45:00.000Z', 'failed');
    await doc.send(new PutCommand({ TableName: table.tableName, Item: { ...gone, status: 'succeeded' } }));
    const page = await table.store.listRecentRuns({ status: 'failed', limit: 1 });
    expect(page.items.map((r) => r.runId)).toEqual([failedIds[0]]);
  });

  it('refuses a cursor of another listing', async () => {
    const page = await table.store.listRecentRuns({ status: 'failed', limit: 1 });
    const cursor = page.cursor as string;
    await expect(
      table.store.listRecentRuns({ status: 'timed_out', limit: 1, cursor }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(table.store.listRuns('alpha', { limit: 1, cursor })).rejects.toBeInstanceOf(ValidationError);
  });
});
