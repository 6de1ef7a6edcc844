import type { Command } from 'commander';
import type { GroupJob } from '../../task/schemas';
import { type Cli, examples, type Session, session } from '../context';
import { details, progress, withSpinner } from '../output';

const VERBS = {
  pause: { done: 'paused', help: 'pause every task of a group' },
  resume: { done: 'resumed', help: 'resume every paused task of a group' },
  delete: { done: 'deleted', help: 'delete every task of a group, with their run histories' },
} as const;

/** `sundial groups pause|resume|delete GROUP` and `sundial groups job ID`. */
export function registerGroups(program: Command, cli: Cli): void {
  const groups = program.command('groups').description('act on every task of a group');
  for (const [verb, { done, help }] of Object.entries(VERBS)) {
    groups
      .command(`${verb} <group>`)
      .description(`${help}; a large group runs as a job, followed with a progress bar`)
      .option('--no-wait', 'return as soon as a job has started (follow it with `sundial groups job ID`)')
      .addHelpText('after', examples(`sundial groups ${verb} reports`))
      .action(async (group: string, flags: { wait: boolean }, command: Command) => {
        const s = session(cli, command);
        const call = {
          pause: s.client.pauseGroup,
          resume: s.client.resumeGroup,
          delete: s.client.deleteGroup,
        }[verb as keyof typeof VERBS].bind(s.client);
        // The request under a spinner; a job it started, under a progress bar.
        const started = await withSpinner(s.io, `${verb} group ${group}…`, call(group, { wait: false }));
        const job = started.job && flags.wait ? await waitWithBar(s, started.job.id) : started.job;
        const result = job
          ? { group, matched: job.done, changed: job.changed, failed: job.failed, job }
          : started;
        const failed = result.failed ? `, ${result.failed} failed (repeat the command to retry them)` : '';
        s.print(result, () =>
          result.job?.status === 'running'
            ? `group ${group}: job ${result.job.id} started (sundial groups job ${result.job.id})`
            : `group ${group}: ${result.matched} tasks, ${result.changed} ${done}${failed}`,
        );
      });
  }
  groups
    .command('job <id>')
    .description('a group job: its progress, or its final count')
    .option('--wait', 'wait for it to finish, with a progress bar')
    .addHelpText('after', examples('sundial groups job 01JD2Q5V3M8C7Z9K4T6W1X0Y2R --wait'))
    .action(async (id: string, flags: { wait?: boolean }, command: Command) => {
      const s = session(cli, command);
      const job = flags.wait ? await waitWithBar(s, id) : await s.client.getJob(id);
      s.print(job, () =>
        details([
          ['job', job.id],
          ['action', `${job.action} group ${job.group}`],
          ['status', job.status],
          ['progress', `${job.done}/${job.total ?? '?'} (${job.changed} changed, ${job.failed} failed)`],
          ...job.failures.map((f): [string, unknown] => ['failure', `${f.taskId}: ${f.message}`]),
        ]),
      );
    });
}

async function waitWithBar(s: Session, id: string): Promise<GroupJob> {
  const bar = progress(s.io, `job ${id}:`);
  try {
    return await s.client.waitForJob(id, {
      onProgress: (job) => bar.update(job.done, job.total ?? job.done),
    });
  } finally {
    bar.done();
  }
}
