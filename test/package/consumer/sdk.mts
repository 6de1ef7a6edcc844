// An ESM TypeScript consumer of the SDK: compiled under NodeNext and Bundler, strict, exactOptionalPropertyTypes.
import {
  type CreateTaskRequest,
  SundialApiError,
  SundialClient,
  type SundialClientOptions,
  type Task,
  TaskNotFoundError,
} from 'sundial-scheduler';

const options: SundialClientOptions = { endpoint: process.env.SUNDIAL_ENDPOINT, timeoutMs: 5_000 };
const sundial = new SundialClient(options);
const request: CreateTaskRequest = {
  id: 'nightly-report',
  target: { function: 'sundial-report' },
  schedule: { cron: '0 2 * * *' },
  timezone: 'Europe/Lisbon',
  payload: { report: 'daily' },
};

export async function example(signal: AbortSignal): Promise<string | null> {
  const task: Task = await sundial.createTask(request, { signal });
  await sundial.updateTask(task.id, { description: null }, { ifMatch: task.version, signal });
  for await (const page of sundial.paginateTasks({ group: 'reports', limit: 10 })) {
    for (const t of page.tasks) console.log(t.id, t.state, t.nextRunAt);
  }
  try {
    await sundial.getTask('missing');
  } catch (error) {
    if (error instanceof TaskNotFoundError) return error.requestId;
    if (error instanceof SundialApiError) return `${error.status} ${error.problem.title}`;
    throw error;
  }
  return task.nextRunAt;
}
