import type { Command } from 'commander';
import type { Cli } from '../context';
import { registerConsole } from './console';
import { registerGroups } from './groups';
import { registerRuns } from './runs';
import { registerScheduler } from './scheduler';
import { registerSchedules } from './schedules';
import { registerTasks } from './tasks';

/** Every command group, in the order `sundial --help` lists them: one file each, one line here to add one. */
export const COMMAND_GROUPS: ((program: Command, cli: Cli) => void)[] = [
  registerTasks,
  registerRuns,
  registerGroups,
  registerScheduler,
  registerSchedules,
  registerConsole,
];
