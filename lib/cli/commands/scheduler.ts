import type { Command } from 'commander';
import type { SchedulerState } from '../../task/schemas';
import { type Cli, examples, session } from '../context';
import { details } from '../output';

/** `sundial scheduler status|pause|resume`: the tick schedule that drives every task. */
export function registerScheduler(program: Command, cli: Cli): void {
  const scheduler = program
    .command('scheduler')
    .description('the tick schedule (EventBridge Scheduler) that drives every task');
  const verbs = {
    status: { help: 'show whether the tick schedule is enabled', call: 'getScheduler' },
    pause: { help: 'disable the tick schedule: no task fires until resumed', call: 'pauseScheduler' },
    resume: { help: 'enable the tick schedule again', call: 'resumeScheduler' },
  } as const;
  for (const [verb, { help, call }] of Object.entries(verbs)) {
    scheduler
      .command(verb)
      .description(help)
      .addHelpText('after', examples(`sundial scheduler ${verb}`))
      .action(async (_flags, command: Command) => {
        const s = session(cli, command);
        const state: SchedulerState = await s.client[call]();
        s.print(state, () =>
          details([
            ['schedule', `${state.group}/${state.name}`],
            ['state', state.state],
            ['expression', state.expression],
          ]),
        );
      });
  }
}
