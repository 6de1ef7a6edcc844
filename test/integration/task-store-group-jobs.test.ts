import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GroupAnswer, GroupService } from '../../lib/api/group-service';
import { GroupBusyError, JobNotFoundError } from '../../lib/errors';
import { JOB_LEASE_MS, type JobRunnerDeps, runGroupJob } from '../../lib/jobs/group-job';
import { REINDEX_JOB_ID, runReindex } from '../../lib/jobs/reindex';
import { JobStore } from '../../lib/store/job-store';
import { ListingRepair } from '../../lib/store/listing-repair';
import { runKey } from '../../lib/store/schema';
import { TaskStore } from '../../lib/store/task-store';
import { buildTask } from '../../lib/task/model';
import { applyPatch } from '../../lib/task/patch';
import { type GroupJob, type Task, TaskInput } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
import { ManualClock } from '../support/clock';
import { createTestTable } from '../support/dynamodb';

const T0 = Date.parse('2026-12-01T14:00:00Z');
const FAR = T0 + 3_600_000;

function task(id: string, group: string): Task {
  const input = parseOrThrow(TaskInput, {
    id,
    group,
    target: { function: 'sundial-target' },
    schedule: { every: { minutes: 5 } },
  });
  return buildTask({ ...input, id }, T0);
}

async function createGroup(store: TaskStore, group: string, n: number) {
  const tasks = Array.from({ length: n }, (_, i) => task(`${group}-${String(i).padStart(5, '0')}`, group));
  for (let i = 0; i < n; i += 100) await store.createTasks(tasks.slice(i, i + 100));
  return tasks;
}

async function allOfGroup(store: TaskStore, group: string): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ group, limit: 100, cursor });
    tasks.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return tasks;
}

let table: Awaited<ReturnType<typeof createTestTable>>;
let jobs: JobStore;
let clock: ManualClock;
const started: string[] = [];
let service: GroupService;
const runner = (over: Partial<JobRunnerDeps> = {}): JobRunnerDeps => ({
  store: table.store,
  jobs,
  clock,
  pageSize: 200,
  ...over,
});
const jobOf = (answer: GroupAnswer): GroupJob => {
  if (answer.status !== 202) throw new Error(`expected a job, got ${JSON.stringify(answer)}`);
  return answer.job;
};

beforeAll(async () => {
  table = await createTestTable({ shards: 4 });
  const options = { tableName: table.tableName, shards: 4, runTtlDays: 30 };
  jobs = new JobStore(table.client, options);
  clock = new ManualClock(T0);
  // Jobs are started by hand here, so each test decides when and how its runners run.
  service = new GroupService({
    store: table.store,
    jobs,
    clock,
    startJob: async (id) => void started.push(id),
    requestLimit: 100,
  });
}, 60_000);
afterAll(() => table.drop());

describe('group operations of any size', () => {
  it('a group within the request limit is changed in the request', async () => {
    await createGroup(table.store, 'small', 100);
    const answer = await service.pauseGroup('small');
    expect(answer).toEqual({ status: 200, result: { group: 'small', matched: 100, changed: 100 } });
    expect(started).toEqual([]);
  });

  it('a larger group becomes a job that pauses every task once, with its progress and final count', async () => {
    await createGroup(table.store, 'large', 1_500);
    const job = jobOf(await service.pauseGroup('large'));
    expect(job).toMatchObject({ action: 'pause', group: 'large', status: 'running', total: null, done: 0 });
    expect(started).toEqual([job.id]);
    const progress: number[] = [];
    const result = await runGroupJob(
      runner({ afterCheckpoint: async (r) => void progress.push(r.job.done) }),
      job.id,
      { owner: 'runner-1', deadline: FAR },
    );
    expect(result).toBe('done');
    // The count comes first, then one checkpoint per page.
    expect(progress).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1500]);
    const done = await service.getJob(job.id);
    expect(done).toMatchObject({
      status: 'done',
      total: 1500,
      done: 1500,
      changed: 1500,
      failed: 0,
      failures: [],
    });
    expect(done.finishedAt).toBeDefined();
    const tasks = await allOfGroup(table.store, 'large');
    expect(tasks.every((t) => t.state === 'paused' && t.version === 2)).toBe(true);
    expect((await table.store.listTasks({ group: 'large', state: 'active', limit: 10 })).items).toEqual([]);
    // The group is free again: the next operation is a new job.
    const resume = jobOf(await service.resumeGroup('large'));
    expect(resume.id).not.toBe(job.id);
    expect(await runGroupJob(runner(), resume.id, { owner: 'runner-2', deadline: FAR })).toBe('done');
    expect((await service.getJob(resume.id)).changed).toBe(1500);
  });

  it('a job interrupted mid-way and resumed finishes with every task changed once', async () => {
    await createGroup(table.store, 'crash', 1_000);
    const job = jobOf(await service.pauseGroup('crash'));
    let checkpoints = 0;
    const crashing = runner({
      afterCheckpoint: async () => {
        if (++checkpoints === 3) throw new Error('the runner died here');
      },
    });
    await expect(runGroupJob(crashing, job.id, { owner: 'first', deadline: FAR })).rejects.toThrow('died');
    const halfway = await service.getJob(job.id);
    expect(halfway).toMatchObject({ status: 'running', total: 1000, done: 600 });
    // The dead runner's lease still holds: a duplicate invocation stops at once.
    expect(await runGroupJob(runner(), job.id, { owner: 'second', deadline: FAR })).toBe('not-running');
    // Once it expired, the next runner (Lambda's retry, or a revive by a read) continues from the checkpoint.
    clock.advance(JOB_LEASE_MS + 1);
    started.length = 0;
    await service.getJob(job.id);
    expect(started).toEqual([job.id]);
    expect(await runGroupJob(runner(), job.id, { owner: 'third', deadline: FAR })).toBe('done');
    expect(await service.getJob(job.id)).toMatchObject({
      status: 'done',
      total: 1000,
      done: 1000,
      failed: 0,
    });
    const tasks = await allOfGroup(table.store, 'crash');
    expect(tasks).toHaveLength(1000);
    // Version 2 everywhere: each task was paused exactly once.
    expect(tasks.filter((t) => t.state !== 'paused' || t.version !== 2)).toEqual([]);
  });

  it('out of time, a runner checkpoints and hands over; two runners at once never double-count', async () => {
    await createGroup(table.store, 'relay', 600);
    const job = jobOf(await service.resumeGroup('relay'));
    // Nothing is paused: every task is processed and none changes.
    // Each checkpoint moves the clock past the turn's deadline (less the margin): the runner hands over.
    const deadline = clock.now() + 60_001;
    const tick = runner({ afterCheckpoint: async () => clock.advance(2) });
    const turns = await Promise.all(
      ['a', 'b'].map((owner) => runGroupJob(tick, job.id, { owner, deadline })),
    );
    expect(turns.sort()).toEqual(['continue', 'not-running']);
    const handed = await service.getJob(job.id);
    expect(handed.status).toBe('running');
    expect(await runGroupJob(runner(), job.id, { owner: 'c', deadline: FAR })).toBe('done');
    expect(await service.getJob(job.id)).toMatchObject({ done: 600, total: 600, changed: 0, status: 'done' });
  });

  it('repeating the request while its job runs returns that job; another operation is refused', async () => {
    await createGroup(table.store, 'busy', 150);
    const first = jobOf(await service.deleteGroup('busy'));
    const again = jobOf(await service.deleteGroup('busy'));
    expect(again.id).toBe(first.id);
    await expect(service.pauseGroup('busy')).rejects.toBeInstanceOf(GroupBusyError);
    await expect(service.getJob('01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toBeInstanceOf(JobNotFoundError);
    // Run records go with their tasks.
    const doc = DynamoDBDocumentClient.from(table.client);
    await doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...runKey('busy-00000', '01RUN'), taskId: 'busy-00000' },
      }),
    );
    expect(await runGroupJob(runner(), first.id, { owner: 'd', deadline: FAR })).toBe('done');
    expect(await service.getJob(first.id)).toMatchObject({ done: 150, changed: 150 });
    expect(await allOfGroup(table.store, 'busy')).toEqual([]);
    expect((await table.store.listRuns('busy-00000', { limit: 10 })).items).toEqual([]);
  });

  it('a task PATCHed while its group is being paused ends paused with the change, its keys consistent', async () => {
    const tasks = await createGroup(table.store, 'race', 400);
    const job = jobOf(await service.pauseGroup('race'));
    const patch = (id: string) =>
      table.store.modifyTask(id, (c) =>
        applyPatch(c.task, { description: 'patched', schedule: { every: { minutes: 7 } } }, clock.now()),
      );
    // A store whose group reads go stale at once: the first task of each batch of 50 is PATCHed between
    // the job's read and its write, so the batch's conditional write fails, and the job must read again
    // and pause the new version.
    const raced = new Set<string>();
    class RacingStore extends TaskStore {
      override async groupPage(...args: Parameters<TaskStore['groupPage']>) {
        const page = await super.groupPage(...args);
        for (let i = 0; i < page.tasks.length; i += 50) {
          const id = page.tasks[i]?.task.id as string;
          raced.add(id);
          await patch(id);
        }
        return page;
      }
    }
    const racing = new RacingStore(table.client, { tableName: table.tableName, shards: 4, runTtlDays: 30 });
    // And one task of a later page PATCHed between two pages.
    const later = tasks[350]?.id as string;
    const result = await runGroupJob(
      runner({
        store: racing,
        afterCheckpoint: async (r) => void (r.job.done === 200 && (await patch(later))),
      }),
      job.id,
      { owner: 'e', deadline: FAR },
    );
    expect(result).toBe('done');
    expect(raced.size).toBe(8);
    expect(await service.getJob(job.id)).toMatchObject({ done: 400, changed: 400, failed: 0 });
    for (const id of [tasks[0]?.id, tasks[200]?.id, later] as string[]) {
      const due = await table.store.getDueTask(id);
      expect(due?.task).toMatchObject({
        state: 'paused',
        description: 'patched',
        schedule: { every: { minutes: 7 } },
        version: 3,
      });
      // Paused: out of the due index, and listed as paused.
      expect(due?.dueAt).toBeUndefined();
    }
    const paused = await table.store.listTasks({ group: 'race', state: 'paused', limit: 100 });
    expect(paused.cursor).toBeDefined();
    expect((await table.store.listTasks({ group: 'race', state: 'active', limit: 100 })).items).toEqual([]);
  });
});

describe('the reindex of a table written before the list index', () => {
  it('indexes every task once, resumes from its checkpoint, and is a no-op when done', async () => {
    const legacy = await createTestTable({ shards: 4 });
    const options = { tableName: legacy.tableName, shards: 4, runTtlDays: 30 };
    const legacyJobs = new JobStore(legacy.client, options);
    const repair = new ListingRepair(legacy.client, options);
    const doc = DynamoDBDocumentClient.from(legacy.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    // Items as the previous version wrote them: no listing keys; some with run records beside them.
    for (let i = 0; i < 250; i++) {
      const t = task(`old-${i}`, i % 2 ? 'odd' : 'even');
      await doc.send(
        new PutCommand({
          TableName: legacy.tableName,
          Item: {
            pk: `TASK#${t.id}`,
            sk: 'TASK',
            ...t,
            payload: JSON.stringify(t.payload),
            groupKey: t.group,
          },
        }),
      );
      if (i % 10 === 0)
        await doc.send(new PutCommand({ TableName: legacy.tableName, Item: runKey(t.id, '01RUN') }));
    }
    expect((await legacy.store.listTasks({ state: 'active', limit: 10 })).items).toEqual([]);
    const deps = { repair, jobs: legacyJobs, clock, pageSize: 100 };
    // A turn without time left hands over at once (its lease released)...
    expect(await runReindex(deps, { owner: 'r1', deadline: clock.now() + 60_000 })).toBe('continue');
    expect(await runReindex(deps, { owner: 'r2', deadline: FAR })).toBe('done');
    const record = await legacyJobs.readJob(REINDEX_JOB_ID);
    expect(record?.job).toMatchObject({ status: 'done', done: 250, changed: 250 });
    const listed = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await legacy.store.listTasks({ state: 'active', limit: 100, cursor });
      for (const t of page.items) listed.add(t.id);
      cursor = page.cursor;
    } while (cursor);
    expect(listed.size).toBe(250);
    expect((await legacy.store.listTasks({ group: 'odd', state: 'active', limit: 100 })).items).toHaveLength(
      100,
    );
    // Done: a second start does nothing; "again" runs it once more and finds nothing to change.
    expect(await runReindex(deps, { owner: 'r3', deadline: FAR })).toBe('done');
    expect((await legacyJobs.readJob(REINDEX_JOB_ID))?.step).toBe(record?.step);
    expect(await runReindex(deps, { owner: 'r4', deadline: FAR, again: true })).toBe('done');
    expect((await legacyJobs.readJob(REINDEX_JOB_ID))?.job).toMatchObject({ done: 250, changed: 0 });
    await legacy.drop();
  });
});
