/**
 * `npm run bench:groups`: group operations on N tasks through the HTTP API of a local cloud (DynamoDB
 * Local, the local job function), as `npm start` serves it. Up to 1,000 tasks the API changes the group
 * within the request; beyond, it answers with a job, which this follows to the end (GET /v1/jobs/{id})
 * and checks complete (every task matched and changed, none failed).
 *
 * A group of 1,000 is created, paused, resumed and deleted once first, untimed: DynamoDB Local's JVM is
 * several times slower until warm, and a long-running `npm start` is warm. Then pause and resume are
 * timed REPS times (median and range), create and delete once.
 *
 * Usage: npx tsx bench/group-ops.ts [N=1000] [REPS=5]
 */
import { startLocalCloud } from '../lib/local/cloud';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const n = Number(process.argv[2] ?? 1000);
const reps = Number(process.argv[3] ?? 5);
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

/** A group operation, followed to its end when it is a job; checked complete. */
async function groupOp(method: string, path: string, size: number) {
  let body = (await call(method, path)) as GroupBody;
  while (body.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 100));
    body = (await call('GET', `/v1/jobs/${body.id}`)) as GroupBody;
  }
  const matched = body.matched ?? body.done;
  if (matched !== size || body.changed !== size || (body.failed ?? 0) > 0) {
    throw new Error(`${method} ${path}: incomplete, ${JSON.stringify(body)}`);
  }
}

async function createGroup(group: string, size: number) {
  for (let i = 0; i < size; i += 100) {
    const tasks = Array.from({ length: Math.min(100, size - i) }, (_, j) => ({
      id: `${group}-${i + j}`,
      group,
      target: { function: 'sundial-bench' },
      schedule: { every: { minutes: 1 } },
    }));
    await call('POST', '/v1/tasks/batch', { tasks });
  }
}

const time = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};
const line = (label: string, times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  const range = sorted.length > 1 ? ` (${sorted[0]?.toFixed(0)}-${sorted.at(-1)?.toFixed(0)})` : '';
  const rate = ((n / median) * 1000).toFixed(0);
  console.log(`${label.padEnd(13)} ${n} tasks: ${median.toFixed(0).padStart(6)} ms${range}  ${rate} tasks/s`);
};

try {
  await createGroup('warm', 1000);
  for (const [method, path] of [
    ['POST', '/v1/groups/warm/pause'],
    ['POST', '/v1/groups/warm/resume'],
    ['DELETE', '/v1/groups/warm'],
  ] as const) {
    await groupOp(method, path, 1000);
  }
  line('batch create', [await time(() => createGroup('bench', n))]);
  const pauses: number[] = [];
  const resumes: number[] = [];
  for (let r = 0; r < reps; r++) {
    pauses.push(await time(() => groupOp('POST', '/v1/groups/bench/pause', n)));
    resumes.push(await time(() => groupOp('POST', '/v1/groups/bench/resume', n)));
  }
  line('group pause', pauses);
  line('group resume', resumes);
  line('group delete', [await time(() => groupOp('DELETE', '/v1/groups/bench', n))]);
} finally {
  await cloud.stop();
}
