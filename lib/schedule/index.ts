import { InvalidScheduleError } from '../errors';
import { compileAt } from './at';
import { compileCron } from './cron';
import { compileEvery } from './every';
import { normaliseExpression } from './expression';
import { compileSolar } from './solar';
import { isValidTimeZone } from './timezone';
import type { BasicSchedule, CompiledSchedule, Schedule, ScheduleSpec } from './types';

export { parseInstant } from './at';
export { CRON_NICKNAMES, cronFields } from './cron';
export { intervalMs } from './every';
export { normaliseExpression } from './expression';
export { isValidTimeZone, offsetAt, wallOf } from './timezone';
export type {
  BasicSchedule,
  CompiledSchedule,
  DayMatch,
  Every,
  Schedule,
  ScheduleSpec,
  Solar,
  SolarEvent,
} from './types';
export { SOLAR_EVENTS } from './types';

/** The basic kind a schedule computes as: an EventBridge `expression` is normalised, others stay. */
export function basicSchedule(schedule: Schedule): BasicSchedule {
  return 'expression' in schedule ? normaliseExpression(schedule.expression) : schedule;
}

/** Parses and checks a schedule once; throws InvalidScheduleError naming the field. */
export function compileSchedule(spec: ScheduleSpec): CompiledSchedule {
  if (!isValidTimeZone(spec.timezone)) {
    throw new InvalidScheduleError('timezone', `'${spec.timezone}' is not an IANA time zone`);
  }
  const fromExpression = 'expression' in spec.schedule;
  const schedule = basicSchedule(spec.schedule);
  const path = (kind: string) => (fromExpression ? 'schedule.expression' : `schedule.${kind}`);
  if ('cron' in schedule) return compileCron(schedule.cron, spec.timezone, spec.cronDayMatch, path('cron'));
  if ('every' in schedule) return compileEvery(schedule.every, spec.anchorAt, path('every'));
  if ('solar' in schedule) return compileSolar(schedule.solar, path('solar'));
  return compileAt(schedule.at, spec.timezone, path('at'));
}
