import { buildTask } from '../lib/task/model';
import { type Task, TaskInput } from '../lib/task/schemas';
import { parseOrThrow } from '../lib/task/validate';
import { SINK } from './cloud-protocol';

/** A task as the API would create it at `now` (validated by the API's own schema), targeting the sink. */
export function benchTask(id: string, now: number, fields: Record<string, unknown>): Task {
  const input = parseOrThrow(TaskInput, { id, target: { function: SINK }, ...fields });
  return buildTask({ ...input, id }, now);
}

/** A 6-field cron firing once a day at the UTC second of `at` (the second of `at` rounded down). */
export function dailyCronAt(at: number): string {
  const d = new Date(at);
  return `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`;
}

export const iso = (at: number) => new Date(at).toISOString();
