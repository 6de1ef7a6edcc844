import type { Command } from 'commander';
import type { BatchRescheduleRequest } from '../../task/schemas';
import { type Cli, examples, type Session, session, UsageError } from '../context';
import { parseInteger, readJsonFile } from '../task-options';
import { taskTable } from '../task-views';

/** `tasks get|pause|resume|delete` with several ids: one list call, all or nothing (get: what exists). */
export async function runOnIds(s: Session, verb: 'get' | 'pause' | 'resume' | 'delete', ids: string[]) {
  if (verb === 'get') {
    const found = await s.client.getTasks(ids);
    if (found.notFound.length && !s.json) s.io.err(`not found: ${found.notFound.join(' ')}\n`);
    return s.print(found, () => taskTable(found.tasks, s.width));
  }
  if (verb === 'delete') {
    const deleted = await s.client.deleteTasks(ids);
    return s.print({ deleted }, () => `deleted ${deleted.join(' ')}`);
  }
  const out = verb === 'pause' ? await s.client.pauseTasks(ids) : await s.client.resumeTasks(ids);
  s.print(out, () => `${taskTable(out.tasks, s.width)}\n${out.changed} changed`);
}

/** Refuses `--if-match` with several ids: a version belongs to one task. */
export function oneIdForIfMatch(ids: string[], ifMatch: number | undefined) {
  if (ids.length > 1 && ifMatch !== undefined) throw new UsageError('--if-match takes one task id');
}

/** `sundial tasks reschedule`: set one task's next run, or move many from a file (all or nothing). */
export function addReschedule(tasks: Command, cli: Cli): void {
  tasks
    .command('reschedule [id]')
    .description("set a task's next run without changing its schedule, or many from --file (all or nothing)")
    .option('--next-run-at <time>', 'the next run, e.g. 2026-12-24T18:00:00Z')
    .option('--if-match <version>', 'only if the task is still at this version', parseInteger)
    .option('--file <path>', 'a JSON array of {"id", "nextRunAt", "version"?}')
    .addHelpText(
      'after',
      examples(
        'sundial tasks reschedule nightly-report --next-run-at 2026-12-24T18:00:00Z',
        'sundial tasks reschedule --file moves.json',
      ),
    )
    .action(
      async (
        id: string | undefined,
        flags: { nextRunAt?: string; ifMatch?: number; file?: string },
        command: Command,
      ) => {
        const s = session(cli, command);
        if (flags.file !== undefined) {
          if (id !== undefined || flags.nextRunAt !== undefined) {
            throw new UsageError('give --file, or an id and --next-run-at');
          }
          const moves = readJsonFile(flags.file) as BatchRescheduleRequest['tasks'] | BatchRescheduleRequest;
          const list = Array.isArray(moves) ? moves : moves.tasks;
          const moved = await s.client.rescheduleTasks(list);
          return s.print(moved, () => taskTable(moved, s.width));
        }
        if (id === undefined || flags.nextRunAt === undefined) {
          throw new UsageError('usage: sundial tasks reschedule ID --next-run-at TIME (or --file MOVES)');
        }
        const task = await s.client.rescheduleTask(id, flags.nextRunAt, { ifMatch: flags.ifMatch });
        s.print(task, () => `${task.id}: next run ${task.nextRunAt} (version ${task.version})`);
      },
    );
}
