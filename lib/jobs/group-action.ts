import pLimit from 'p-limit';
import { SundialError, TaskNotFoundError } from '../errors';
import type { DueTask, TaskChange, TaskStore } from '../store/task-store';
import { pauseTask, resumeTask } from '../task/patch';
import { type GroupAction, MAX_JOB_FAILURES } from '../task/schemas';

/**
 * Tasks written per transaction in a group operation. One call per 50 tasks rather than one per task:
 * the SDK spends about a millisecond of CPU per call, which bounds the rate on a small machine (and
 * a Lambda's share of one). Smaller than DynamoDB's 100 so a tick racing one task cancels less work.
 */
export const GROUP_BATCH = 50;
/** Transactions in flight at once. */
export const GROUP_CONCURRENCY = 8;

/** What one batch of a group operation did. */
export interface BatchOutcome {
  changed: number;
  failed: number;
  failures: { taskId: string; message: string }[];
}

/** The change a group action makes to one task (a no-op where the task is so already). */
export function groupChange(action: Exclude<GroupAction, 'delete'>, now: () => number): TaskChange {
  return action === 'pause'
    ? (current) => pauseTask(current.task, now())
    : (current) => resumeTask(current.task, now());
}

/**
 * Applies a group action to tasks read from the group index, with the conditional writes a single
 * pause, resume or delete uses (version and due time for a change, existence for a delete), 50 tasks to
 * a transaction: a task changed by someone since it was read is read again and the change recomputed,
 * so nothing racing the operation is left half-changed. A batch that cannot be written whole (a task
 * deleted meanwhile, or one a tick keeps moving) is done task by task; a task that kept changing even
 * so is counted as failed. Anything unexpected (the store is down) throws.
 */
export async function applyGroupAction(
  store: TaskStore,
  action: GroupAction,
  tasks: DueTask[],
  now: () => number,
  concurrency = GROUP_CONCURRENCY,
): Promise<BatchOutcome> {
  const limit = pLimit(concurrency);
  const outcome: BatchOutcome = { changed: 0, failed: 0, failures: [] };
  const batches: DueTask[][] = [];
  for (let i = 0; i < tasks.length; i += GROUP_BATCH) batches.push(tasks.slice(i, i + GROUP_BATCH));
  await Promise.all(
    batches.map((batch) =>
      limit(async () => {
        try {
          // Awaited first: `outcome.changed += await …` would read the count before the wait, losing
          // what other batches added meanwhile.
          const changed = await writeBatch(store, action, batch, now);
          outcome.changed += changed;
        } catch (error) {
          if (!(error instanceof SundialError)) throw error;
          await oneByOne(store, action, batch, now, outcome);
        }
      }),
    ),
  );
  return outcome;
}

/** One transaction for the batch; the number of tasks it changed. */
async function writeBatch(store: TaskStore, action: GroupAction, batch: DueTask[], now: () => number) {
  const ids = batch.map((t) => t.task.id);
  if (action === 'delete') {
    await store.deleteTasks(ids);
    return ids.length;
  }
  const change = groupChange(action, now);
  const results = await store.modifyTasks(batch.map((seen) => ({ taskId: seen.task.id, change, seen })));
  return results.filter((r) => r.changed).length;
}

async function oneByOne(
  store: TaskStore,
  action: GroupAction,
  batch: DueTask[],
  now: () => number,
  outcome: BatchOutcome,
) {
  const change = action === 'delete' ? undefined : groupChange(action, now);
  for (const seen of batch) {
    try {
      const changed = change
        ? (await store.modifyTask(seen.task.id, change, { seen })).changed
        : await store.deleteTask(seen.task.id).then(() => true);
      if (changed) outcome.changed++;
    } catch (error) {
      if (error instanceof TaskNotFoundError) continue; // deleted meanwhile: nothing left to do
      if (!(error instanceof SundialError)) throw error;
      outcome.failed++;
      if (outcome.failures.length < MAX_JOB_FAILURES) {
        outcome.failures.push({ taskId: seen.task.id, message: error.message });
      }
    }
  }
}
