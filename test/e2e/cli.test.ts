import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

const BIN = resolve('bin/sundial.mjs');
const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-cli', clock, received);
});
afterAll(() => cloud?.stop());

/** Runs the real `sundial` bin as a child process, as a shell script would. */
function sundial(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, SUNDIAL_ENDPOINT: cloud.apiUrl }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Each call starts a Node process (about 1-2 s on a busy machine), hence the longer timeout.
describe('the sundial CLI', { timeout: 90_000 }, () => {
  it('creates a task from flags and shows it (exit 0)', async () => {
    const out = await sundial(
      'tasks',
      'create',
      '--id',
      'cli-1',
      '--group',
      'cli',
      '--target',
      'sundial-recorder',
      '--every',
      '15m',
      '--payload',
      '{"n":1}',
    );
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toMatch(/^id\s+cli-1$/m);
    expect(out.stdout).toMatch(/^next run\s+2026-12-01T12:15:00.000Z$/m);
  });

  it('creates many tasks from a file in batches, with a progress line, and lists them as JSON', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sundial-cli-')), 'tasks.json');
    const tasks = Array.from({ length: 150 }, (_, i) => ({
      id: `cli-batch-${i}`,
      group: 'cli-batch',
      target: { function: 'sundial-recorder' },
      schedule: { cron: '0 9 * * *' },
    }));
    writeFileSync(file, JSON.stringify(tasks));
    const created = await sundial('tasks', 'create', '--file', file, '--output', 'json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toHaveLength(150);
    expect(created.stderr).toBe('created 100/150\ncreated 150/150\n');

    const listed = await sundial('tasks', 'list', '--group', 'cli-batch', '--all', '--output', 'json');
    expect(JSON.parse(listed.stdout).tasks).toHaveLength(150);
  });

  it('prints tables that fit the terminal, and updates, runs and pauses', async () => {
    const list = await sundial('tasks', 'list', '--group', 'cli');
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+GROUP\s+STATE\s+SCHEDULE\s+NEXT RUN\s+RUNS\s+TARGET$/);
    expect(list.stdout).toMatch(
      /^cli-1\s+cli\s+active\s+every 15m\s+2026-12-01T12:15:00.000Z\s+0\s+sundial-recorder$/m,
    );

    const updated = await sundial('tasks', 'update', 'cli-1', '--cron', '0 13 * * *', '--if-match', '1');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/^next run\s+2026-12-01T13:00:00.000Z$/m);

    const run = await sundial('tasks', 'run', 'cli-1', '--output', 'json');
    expect(JSON.parse(run.stdout)).toMatchObject({
      taskId: 'cli-1',
      source: 'manual',
      runId: expect.any(String),
    });
    const queued = await sundial('tasks', 'run', 'cli-1');
    expect(queued.stdout).toMatch(/^cli-1: run \S+ queued at \S+; a tick delivers it shortly$/m);
    expect((await sundial('groups', 'pause', 'cli')).stdout).toBe('group cli: 1 tasks, 1 paused\n');
  });

  it('exits 1 on an API error and prints the field errors', async () => {
    const stale = await sundial('tasks', 'update', 'cli-1', '--description', 'x', '--if-match', '1');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error: Version mismatch \(412\)/);

    const bad = await sundial('tasks', 'create', '--target', 'sundial-recorder', '--cron', '61 * * * *');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ {2}schedule\.cron: /m);
    expect((await sundial('tasks', 'get', 'nope')).code).toBe(1);

    const json = await sundial('tasks', 'get', 'nope', '--output', 'json');
    expect(json).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(json.stderr)).toEqual({
      error: expect.objectContaining({ kind: 'api', status: 404, requestId: expect.any(String) }),
    });
  });

  it('exits 2 on usage errors and prints help with examples', async () => {
    expect((await sundial('tasks', 'frobnicate')).code).toBe(2);
    expect((await sundial('tasks', 'get')).code).toBe(2);
    const flag = await sundial('tasks', 'get', 'x', '--cron', '* * * * *');
    expect(flag).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--cron'") });
    const help = await sundial('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples');
  });

  it('reads and switches the scheduler, and previews a schedule', async () => {
    expect((await sundial('scheduler', 'pause')).stdout).toMatch(/^state\s+DISABLED$/m);
    expect(cloud.scheduler.enabled).toBe(false);
    expect((await sundial('scheduler', 'resume', '--output', 'json')).stdout).toContain('"ENABLED"');
    const preview = await sundial(
      'schedules',
      'preview',
      '--cron',
      '0 9 * * *',
      '--timezone',
      'Europe/Lisbon',
      '--count',
      '2',
      '--from',
      '2026-12-01T00:00:00Z',
    );
    expect(preview.stdout.trim().split('\n').slice(1)).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-02T09:00:00.000Z',
    ]);
  });

  it('acts on several ids at once, all or nothing, and sets a next run', async () => {
    for (const id of ['cli-l1', 'cli-l2']) {
      expect(
        (await sundial('tasks', 'create', '--id', id, '--target', 'sundial-recorder', '--cron', '0 * * * *'))
          .code,
      ).toBe(0);
    }
    const missing = await sundial('tasks', 'pause', 'cli-l1', 'cli-none');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ {2}ids\.1: task 'cli-none' does not exist/m);
    const paused = await sundial('tasks', 'pause', 'cli-l1', 'cli-l2', '--output', 'json');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ changed: 2 });
    const got = await sundial('tasks', 'get', 'cli-l1', 'cli-l2', 'cli-none');
    expect(got).toMatchObject({ code: 0, stderr: 'not found: cli-none\n' });
    const moved = await sundial('tasks', 'reschedule', 'cli-l1', '--next-run-at', '2026-12-24T18:00:00Z');
    expect(moved.stdout).toMatch(/cli-l1: next run 2026-12-24T18:00:00.000Z/);
    expect((await sundial('tasks', 'reschedule', 'cli-l1')).code).toBe(2);
    expect((await sundial('tasks', 'delete', 'cli-l1', 'cli-l2')).stdout).toMatch(/deleted cli-l1 cli-l2/);
  });
});
