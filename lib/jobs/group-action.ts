import pLimit from 'p-limit';
import { SundialError, TaskNotFoundError } from '../errors';
import type { DueTask, TaskChange, TaskStore } from '../store/task-store';
import { pauseTask, resumeTask } from '../task/patch';
import { type GroupAction, MAX_JOB_FAILURES } from '../task/schemas';

/**
 * Conditional writes in flight at once in a group operation. DynamoDB takes far more; on DynamoDB Local
 * (one JVM on two shared cores) 32 is where the rate stops growing (bench/group-ops.ts).
 */
export const GROUP_CONCURRENCY = 32;

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
 * Applies a group action to tasks read from the group index, each with the same conditional write a
 * single pause, resume or delete uses: a task changed by someone else since it was read is read again,
 * so nothing racing the operation is left half-changed. A task that kept changing (TaskBusyError) is
 * counted as failed; a task deleted meanwhile as done; anything unexpected (the store is down) throws.
 */
export async function applyGroupAction(
  store: TaskStore,
  action: GroupAction,
  tasks: DueTask[],
  now: () => number,
  concurrency = GROUP_CONCURRENCY,
): Promise<BatchOutcome> {
  const limit = pLimit(concurrency);
  const change = action === 'delete' ? undefined : groupChange(action, now);
  const outcome: BatchOutcome = { changed: 0, failed: 0, failures: [] };
  await Promise.all(
    tasks.map((seen) =>
      limit(async () => {
        try {
          const changed = change
            ? (await store.modifyTask(seen.task.id, change, { seen })).changed
            : await store.deleteTask(seen.task.id).then(() => true);
          if (changed) outcome.changed++;
        } catch (error) {
          if (error instanceof TaskNotFoundError) return; // deleted meanwhile: nothing left to do
          if (!(error instanceof SundialError)) throw error;
          outcome.failed++;
          if (outcome.failures.length < MAX_JOB_FAILURES) {
            outcome.failures.push({ taskId: seen.task.id, message: error.message });
          }
        }
      }),
    ),
  );
  return outcome;
}
