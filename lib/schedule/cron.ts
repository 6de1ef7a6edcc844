import { CronExpressionParser } from 'cron-parser';
import { InvalidScheduleError } from '../errors';
import type { CompiledSchedule } from './types';

/** How far ahead a cron may look for its next occurrence before it is called impossible. */
const HORIZON_MS = 5 * 366 * 24 * 3600 * 1000;

export function compileCron(expression: string, timezone: string, path = 'schedule.cron'): CompiledSchedule {
  const fields = expression.trim().split(/\s+/);
  if (!expression.trim().startsWith('@') && (fields.length < 5 || fields.length > 6)) {
    throw new InvalidScheduleError(
      path,
      `expected 5 fields (or 6 with leading seconds), got ${fields.length}`,
    );
  }
  const parse = (from: number) =>
    CronExpressionParser.parse(expression, {
      tz: timezone,
      currentDate: new Date(from),
      endDate: new Date(from + HORIZON_MS),
    });
  try {
    parse(0);
  } catch (error) {
    throw new InvalidScheduleError(path, (error as Error).message, { cause: error });
  }
  return {
    next(after) {
      try {
        return parse(after).next().getTime();
      } catch {
        // cron-parser throws when nothing falls before endDate: no occurrence within the horizon.
        return null;
      }
    },
  };
}
