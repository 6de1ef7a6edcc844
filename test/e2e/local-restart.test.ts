import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../lib/local/cloud';

describe('npm start with a DynamoDB Local that dies', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sundial-restart-'));
  let cloud: LocalCloud | undefined;
  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts it again on the same port and data, and the API serves again', async () => {
    let restarted: () => void = () => undefined;
    const restart = new Promise<void>((resolve) => {
      restarted = resolve;
    });
    cloud = await startLocalCloud({
      dataDir,
      tableName: 'restart',
      log: (_level, message) => {
        if (message === 'DynamoDB Local restarted') restarted();
      },
    });
    const api = (path: string, init?: RequestInit) => fetch(`${cloud?.apiUrl}${path}`, init);
    const created = await api('/v1/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'kept',
        target: { function: 'sundial-x' },
        schedule: { cron: '0 * * * *' },
      }),
    });
    expect(created.status).toBe(201);

    const first = cloud.dynamodbLocal?.pid() as number;
    process.kill(first, 'SIGKILL');
    await restart;
    expect(cloud.dynamodbLocal?.pid()).not.toBe(first);
    expect((await api('/v1/health')).status).toBe(200);
    expect(await (await api('/v1/tasks/kept')).json()).toMatchObject({ id: 'kept' });

    await cloud.stop();
    // Stopped on purpose: nothing is restarted.
    expect(() => process.kill(cloud?.dynamodbLocal?.pid() as number, 0)).toThrow();
    cloud = undefined;
  }, 240_000);
});
