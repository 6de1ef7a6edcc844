import type { Task, TaskState } from '../task/schemas';
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
