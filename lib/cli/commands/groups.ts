import type { Command } from 'commander';
import { type Cli, examples, session } from '../context';
import { withSpinner } from '../output';

const VERBS = {
  pause: { done: 'paused', help: 'pause every task of a group' },
  resume: { done: 'resumed', help: 'resume every paused task of a group' },
  delete: { done: 'deleted', help: 'delete every task of a group, with their run histories' },
} as const;

/** `sundial groups pause|resume|delete GROUP`. */
export function registerGroups(program: Command, cli: Cli): void {
  const groups = program.command('groups').description('act on every task of a group');
  for (const [verb, { done, help }] of Object.entries(VERBS)) {
    groups
      .command(`${verb} <group>`)
      .description(help)
      .addHelpText('after', examples(`sundial groups ${verb} reports`))
      .action(async (group: string, _flags, command: Command) => {
        const s = session(cli, command);
        const call = {
          pause: s.client.pauseGroup,
          resume: s.client.resumeGroup,
          delete: s.client.deleteGroup,
        }[verb as keyof typeof VERBS].bind(s.client);
        const result = await withSpinner(s.io, `${verb} group ${group}…`, call(group));
        s.print(result, () => `group ${group}: ${result.matched} tasks, ${result.changed} ${done}`);
      });
  }
}
