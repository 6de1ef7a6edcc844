import { InvalidScheduleError } from '../errors';
import { compileAt } from './at';
import { compileCron } from './cron';
import { compileEvery } from './every';
import { isValidTimeZone } from './timezone';
import type { CompiledSchedule, ScheduleSpec } from './types';

export { parseInstant } from './at';
export { intervalMs } from './every';
export { isValidTimeZone } from './timezone';
export type { CompiledSchedule, Every, Schedule, ScheduleSpec } from './types';

/** Parses and checks a schedule once; throws InvalidScheduleError naming the field. */
export function compileSchedule(spec: ScheduleSpec): CompiledSchedule {
  if (!isValidTimeZone(spec.timezone)) {
    throw new InvalidScheduleError('timezone', `'${spec.timezone}' is not an IANA time zone`);
  }
  const { schedule } = spec;
  if ('cron' in schedule) return compileCron(schedule.cron, spec.timezone);
  if ('every' in schedule) return compileEvery(schedule.every, spec.anchorAt);
  return compileAt(schedule.at, spec.timezone);
}
