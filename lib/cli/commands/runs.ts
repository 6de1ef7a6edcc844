import type { Command } from 'commander';
import type { FailureStatus, Run } from '../../task/schemas';
import { type Cli, examples, session } from '../context';
import { addPageOptions, type PageFlags } from '../task-options';
import { recentRunTable } from '../task-views';

/** `sundial runs …`: runs across tasks (a task's own history is `sundial tasks runs <id>`). */
export function registerRuns(program: Command, cli: Cli): void {
  const runs = program.command('runs').description('runs across tasks: the recent failures');
  const failures = runs
    .command('failures')
    .description('runs of every task that failed for good (retries exhausted), newest first')
    .option('--timed-out', 'runs that timed out instead (no outcome within the target timeout)');
  addPageOptions(failures)
    .addHelpText(
      'after',
      examples('sundial runs failures --limit 20', 'sundial runs failures --timed-out --all --output json'),
    )
    .action(async (flags: PageFlags & { timedOut?: boolean }, command: Command) => {
      const s = session(cli, command);
      const status: FailureStatus = flags.timedOut ? 'timed_out' : 'failed';
      const query = { status, limit: flags.limit, cursor: flags.cursor };
      const found: Run[] = [];
      let cursor: string | undefined;
      if (flags.all) for await (const page of s.client.paginateRecentRuns(query)) found.push(...page.runs);
      else {
        const page = await s.client.listRecentRuns(query);
        found.push(...page.runs);
        cursor = page.cursor;
      }
      s.print(s.json ? { runs: found, cursor } : found, () => recentRunTable(found, s.width));
      if (cursor && !s.json) s.io.err(`more: --cursor ${cursor}\n`);
    });
}
