import { InvalidScheduleError } from '../errors';
import { compileAt } from './at';
import { type SearchBudget, UNBOUNDED } from './budget';
import { compileCron } from './cron';
import { compileEvery } from './every';
import { normaliseExpression } from './expression';
import { compileFieldsSchedule } from './fields';
import { MAX_INSTANT } from './instant';
import { compileSolar } from './solar';
import { isValidTimeZone } from './timezone';
import type { BasicSchedule, CompiledSchedule, Schedule, ScheduleSpec } from './types';

export { compileAt } from './at';
export {
  DEFAULT_SEARCH_LIMITS,
  type SearchBudget,
  type SearchLimits,
  searchBudget,
  UNBOUNDED,
} from './budget';
export { CRON_NICKNAMES, cronFields } from './cron-syntax';
export { intervalMs } from './every';
export { normaliseExpression } from './expression';
export { effectiveFields, FIELD_NAMES } from './fields';
export {
  instantOf,
  instantProblem,
  MAX_INSTANT,
  MIN_INSTANT,
  parseInstant,
  readDateTime,
  SUPPORTED_RANGE,
} from './instant';
export { isValidTimeZone, offsetAt, wallOf } from './timezone';
export type {
  BasicSchedule,
  CompiledSchedule,
  DayMatch,
  Every,
  Fields,
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

function compileBasic(spec: ScheduleSpec, budget: SearchBudget): CompiledSchedule {
  const fromExpression = 'expression' in spec.schedule;
  const schedule = basicSchedule(spec.schedule);
  const path = (kind: string) => (fromExpression ? 'schedule.expression' : `schedule.${kind}`);
  const { timezone, cronDayMatch } = spec;
  if ('cron' in schedule) return compileCron(schedule.cron, timezone, cronDayMatch, path('cron'), budget);
  if ('every' in schedule) return compileEvery(schedule.every, spec.anchorAt, path('every'));
  if ('solar' in schedule) return compileSolar(schedule.solar, path('solar'), budget);
  if ('fields' in schedule) return compileFieldsSchedule(schedule.fields, timezone, path('fields'), budget);
  return compileAt(schedule.at, timezone, path('at'));
}

/**
 * Parses and checks a schedule once; throws InvalidScheduleError naming the field. No occurrence is
 * ever later than MAX_INSTANT (the end of year 9999). `budget` bounds the searching of one request;
 * without it each search is bounded only by its schedule's own horizon.
 */
export function compileSchedule(spec: ScheduleSpec, budget: SearchBudget = UNBOUNDED): CompiledSchedule {
  if (!isValidTimeZone(spec.timezone)) {
    throw new InvalidScheduleError('timezone', `'${spec.timezone}' is not an IANA time zone`);
  }
  const compiled = compileBasic(spec, budget);
  return {
    next(after) {
      const next = compiled.next(after);
      return next === null || next > MAX_INSTANT ? null : next;
    },
  };
}
