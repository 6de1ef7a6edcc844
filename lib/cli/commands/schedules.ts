import type { Command } from 'commander';
import type { PreviewRequest } from '../../task/schemas';
import { type Cli, examples, session, UsageError } from '../context';
import { addScheduleOptions, parseInteger, type TaskFlags, taskFields } from '../task-options';

/** `sundial schedules preview`: what a schedule would do, without creating a task. */
export function registerSchedules(program: Command, cli: Cli): void {
  const schedules = program.command('schedules').description('try schedules before you use them');
  addScheduleOptions(
    schedules.command('preview').description('the next occurrences of a schedule, and a description'),
  )
    .option('--count <n>', 'how many occurrences (default 10)', parseInteger)
    .option('--from <time>', 'start after this ISO 8601 time (default now)')
    .addHelpText(
      'after',
      examples(
        'sundial schedules preview --cron "0 9 * * MON-FRI" --timezone America/New_York --count 5',
        'sundial schedules preview --every 90m --from 2026-12-01T00:00:00Z',
      ),
    )
    .action(async (flags: TaskFlags & { count?: number; from?: string }, command: Command) => {
      const s = session(cli, command);
      const fields = taskFields(flags);
      if (!fields.schedule) throw new UsageError('give one of --cron, --every, --at');
      const preview = await s.client.previewSchedule({
        ...fields,
        count: flags.count,
        from: flags.from,
      } as PreviewRequest);
      s.print(preview, () => [preview.description, ...preview.occurrences].join('\n'));
    });
}
