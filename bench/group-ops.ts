/**
 * Group operations on N tasks against a real DynamoDB Local: prints tasks/s for batch create, group
 * pause, resume and delete. Usage: npx tsx bench/group-ops.ts [N=1000]
 */
import { startLocalCloud } from '../lib/local/cloud';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const n = Number(process.argv[2] ?? 1000);
const cloud = await startLocalCloud({ tableName: 'bench-groups' });
const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
};
const timed = async (label: string, work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  console.log(
    `${label.padEnd(14)} ${n} tasks in ${ms.toFixed(0).padStart(6)} ms  ${((n / ms) * 1000).toFixed(0).padStart(6)} tasks/s`,
  );
};
try {
  await timed('batch create', async () => {
    for (let i = 0; i < n; i += 100) {
      const tasks = Array.from({ length: Math.min(100, n - i) }, (_, j) => ({
        id: `bench-${i + j}`,
        group: 'bench',
        target: { function: 'sundial-bench' },
        schedule: { every: { minutes: 1 } },
      }));
      await call('POST', '/v1/tasks/batch', { tasks });
    }
  });
  await timed('group pause', () => call('POST', '/v1/groups/bench/pause'));
  await timed('group resume', () => call('POST', '/v1/groups/bench/resume'));
  await timed('group delete', () => call('DELETE', '/v1/groups/bench'));
} finally {
  await cloud.stop();
}
