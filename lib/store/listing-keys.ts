import type { FailureStatus, Task, TaskState } from '../task/schemas';
import { LIST_SHARDS, shardOf } from './schema';

/** The states in listing order: a listing of every state reads the active tasks first. */
export const LISTED_STATES: readonly TaskState[] = ['active', 'paused', 'completed'];

/**
 * Separates the group from the id in `listSk`. Ids and groups never contain it (ID_PATTERN), so
 * `begins_with(listSk, "<group>/")` holds exactly the tasks of that group, and `/<id>` those of none.
 */
const SEPARATOR = '/';

/** The list-index keys of a task item. */
export interface ListingKeys {
  listPk: string;
  listSk: string;
}

/**
 * The one rule for the list index, followed by every writer of a task item: whoever sets `state` or
 * `group` sets these two from the new values in the same write. `listPk` is `<state>#<shard>`, the
 * shard a stable hash of the id over LIST_SHARDS; `listSk` is `<group>/<id>` (`/<id>` without a group).
 */
export function listingKeysOf(task: Pick<Task, 'id' | 'state'> & { group?: string | null }): ListingKeys {
  return {
    listPk: listPartition(task.state, shardOf(task.id, LIST_SHARDS)),
    listSk: `${task.group ?? ''}${SEPARATOR}${task.id}`,
  };
}

/** The `listPk` of one partition of the list index. */
export function listPartition(state: TaskState, shard: number): string {
  return `${state}#${shard}`;
}

/** The `listSk` prefix of a group's tasks. */
export function groupPrefix(group: string): string {
  return `${group}${SEPARATOR}`;
}

/** The task id a `listSk` ends with. */
export function idOfListSk(listSk: string): string {
  return listSk.slice(listSk.indexOf(SEPARATOR) + 1);
}

/**
 * Runs that ended badly for good are listed across tasks (GET /v1/runs?status=) from the list index too:
 * `listPk` = `runs#<status>#<YYYY-MM-DD>` (the UTC day the run ended), `listSk` = `<finishedAt>#<runId>`,
 * so a day's partition reads newest first, and the days before it after. One partition a day takes 1,000
 * index writes a second: far more final failures than any deployment should see.
 */
export function failedRunKeys(status: FailureStatus, finishedAt: string, runId: string): ListingKeys {
  return { listPk: failedRunPartition(status, finishedAt.slice(0, 10)), listSk: `${finishedAt}#${runId}` };
}

/** The `listPk` of one day's runs that ended in `status`; `day` is `YYYY-MM-DD` (UTC). */
export function failedRunPartition(status: FailureStatus, day: string): string {
  return `runs#${status}#${day}`;
}

/**
 * Tracking items with a run whose outcome is due (lib/task/tracking.ts), for the sweeper: `listPk` =
 * `sweep#<shard>`, `listSk` = `<sweepAt, 15 digits>#<taskId>`, so a query for `listSk < now` finds them.
 */
export function sweepKeys(taskId: string, sweepAt: number): ListingKeys {
  return {
    listPk: sweepPartition(shardOf(taskId, LIST_SHARDS)),
    listSk: `${sweepSortKey(sweepAt)}#${taskId}`,
  };
}

export function sweepPartition(shard: number): string {
  return `sweep#${shard}`;
}

/** The `listSk` bound of a sweep at `at`: every item due by then sorts below it. */
export function sweepSortKey(at: number): string {
  return String(Math.max(0, Math.floor(at))).padStart(15, '0');
}
