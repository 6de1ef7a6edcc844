/**
 * Group operations on N tasks against a real DynamoDB Local: prints tasks/s for batch create, group
 * pause, resume and delete. Up to 1,000 tasks the API changes the group within the request; beyond, it
 * answers with a job, which this follows to the end (GET /v1/jobs/{id}) and checks complete.
 * Usage: npx tsx bench/group-ops.ts [N=1000]
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
/** A group answer: the result (200), or a job (202) and its progress. */
interface GroupBody {
  status?: string;
  id?: string;
  matched?: number;
  done?: number;
  changed: number;
  failed?: number;
}
/** A group operation, followed to its end when it is a job; its final counts. */
const groupOp = async (method: string, path: string) => {
  let body = (await call(method, path)) as GroupBody;
  while (body.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 250));
    body = (await call('GET', `/v1/jobs/${body.id}`)) as GroupBody;
  }
  const matched = body.matched ?? body.done;
  if (matched !== n || body.changed !== n || (body.failed ?? 0) > 0) {
    throw new Error(`${method} ${path}: incomplete, ${JSON.stringify(body)}`);
  }
  return body;
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
  await timed('group pause', () => groupOp('POST', '/v1/groups/bench/pause'));
  await timed('group resume', () => groupOp('POST', '/v1/groups/bench/resume'));
  await timed('group delete', () => groupOp('DELETE', '/v1/groups/bench'));
} finally {
  await cloud.stop();
}
