import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GroupJob, SundialClient } from '../../lib';
import { GROUP_REQUEST_LIMIT } from '../../lib/api/group-service';
import type { LocalCloud } from '../../lib/local/cloud';
import { localDynamoDbClient } from '../../lib/local/dynamodb-local';
import { createTableInput, TABLE } from '../../lib/store/schema';
import { buildTask } from '../../lib/task/model';
import { type DeliveryEvent, TaskInput } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';
import { runCli } from '../support/run-cli';

const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
const received: DeliveryEvent[] = [];
const SIZE = GROUP_REQUEST_LIMIT + 200;
let cloud: LocalCloud;
let sundial: SundialClient;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-group-jobs', clock, received);
  // Waiting between progress reports is waiting for the local job function to finish its invocations.
  sundial = new SundialClient({ endpoint: cloud.apiUrl, sleep: () => cloud.lambda.drain() });
  for (let b = 0; b < SIZE; b += 100) {
    const tasks = Array.from({ length: Math.min(100, SIZE - b) }, (_, i) => ({
      id: `big-${String(b + i).padStart(5, '0')}`,
      group: 'big',
      target: { function: 'sundial-recorder' },
      schedule: { every: { minutes: 1 } },
    }));
    await sundial.createTasks(tasks);
  }
}, 120_000);
afterAll(() => cloud?.stop());

describe('group jobs on the local cloud (the job function on the local Lambda endpoint)', {
  timeout: 120_000,
}, () => {
  it('the SDK pauses a group larger than a request through a job, reporting progress, to a final count', async () => {
    const reports: GroupJob[] = [];
    const outcome = await sundial.pauseGroup('big', { onProgress: (job) => reports.push(job) });
    expect(outcome).toMatchObject({ group: 'big', matched: SIZE, changed: SIZE, failed: 0 });
    expect(outcome.job?.status).toBe('done');
    expect(reports[0]).toMatchObject({ status: 'running', action: 'pause', group: 'big' });
    expect(reports.at(-1)).toMatchObject({ status: 'done', total: SIZE, done: SIZE });
    const active = await sundial.listTasks({ group: 'big', state: 'active' });
    expect(active.tasks).toEqual([]);
  });

  it('over HTTP: 202 with the job and its Location, then GET /v1/jobs/{id} to the final count', async () => {
    const answer = await fetch(`${cloud.apiUrl}/v1/groups/big/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(202);
    const job = (await answer.json()) as GroupJob;
    expect(job).toMatchObject({ action: 'resume', group: 'big', status: 'running', done: 0 });
    expect(answer.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    await cloud.lambda.drain();
    const done = await fetch(`${cloud.apiUrl}/v1/jobs/${job.id}`);
    expect(await done.json()).toMatchObject({
      status: 'done',
      total: SIZE,
      done: SIZE,
      changed: SIZE,
      failed: 0,
    });
    expect((await fetch(`${cloud.apiUrl}/v1/jobs/not-a-job`)).status).toBe(400);
    expect((await fetch(`${cloud.apiUrl}/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV`)).status).toBe(404);
  });

  it('the CLI deletes the group, waiting on the job with a progress line, and prints the final count', async () => {
    const { code, stdout, stderr } = await runCli('groups', 'delete', 'big', '--endpoint', cloud.apiUrl);
    expect(code).toBe(0);
    expect(stdout).toBe(`group big: ${SIZE} tasks, ${SIZE} deleted\n`);
    // Not a terminal: one progress line per report.
    for (const line of stderr.trim().split('\n')) expect(line).toMatch(/^job [0-9A-Z]{26}: \d+\/\d+$/);
    expect((await sundial.listTasks({ group: 'big' })).tasks).toEqual([]);
  });
});

describe('upgrading a local table made before the list index', () => {
  it('npm start adds the index and reindexes the tasks already there', async () => {
    const client = localDynamoDbClient(inject('dynamodbEndpoint'));
    const tableName = 'e2e-group-jobs-legacy';
    const input = createTableInput(tableName);
    // The previous version's table: the same keys, without the list index.
    await client.send(
      new CreateTableCommand({
        ...input,
        GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.filter(
          (i) => i.IndexName !== TABLE.listIndex.name,
        ),
        AttributeDefinitions: input.AttributeDefinitions?.filter((a) => !a.AttributeName?.startsWith('list')),
      }),
    );
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    for (let i = 0; i < 30; i++) {
      const id = `old-${i}`;
      const task = buildTask(
        {
          ...parseOrThrow(TaskInput, {
            id,
            target: { function: 'sundial-recorder' },
            schedule: { cron: '0 * * * *' },
          }),
          id,
        },
        clock.now(),
      );
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `TASK#${id}`, sk: 'TASK', ...task, payload: JSON.stringify(task.payload) },
        }),
      );
    }
    const upgraded = await startTestCloud(tableName, clock, received);
    try {
      await upgraded.lambda.drain();
      const api = new SundialClient({ endpoint: upgraded.apiUrl });
      const page = await api.listTasks({ state: 'active', limit: 100 });
      expect(page.tasks.map((t) => t.id).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `old-${i}`).sort(),
      );
    } finally {
      await upgraded.stop();
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    }
  });
});
