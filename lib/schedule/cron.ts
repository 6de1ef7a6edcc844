import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { InvalidScheduleError } from '../errors';
import { offsetAt, transitionsAround } from './timezone';
import type { CompiledSchedule, DayMatch } from './types';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Wall-time search limit: February 29 falls on a given weekday at least once in 40 years. */
const HORIZON_MS = 60 * 366 * DAY;
/** Times a day filter (W, cronDayMatch "and") may send cron-parser on before the search gives up. */
const MAX_DAY_SKIPS = 25_000;
/** No zone shifts its offset by more than this in one change (DST is at most 2 h today). */
const MAX_SHIFT_MS = 3 * HOUR;
const MAX_SEGMENTS = 1_000;

/** Our own table (not cron-parser's) so that every nickname has 5 fields we can inspect and describe. */
export const CRON_NICKNAMES: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Splits a cron into 5 or 6 fields, expanding nicknames; throws naming the field on anything else. */
export function cronFields(expression: string, path = 'schedule.cron'): string[] {
  const text = expression.trim();
  if (text.startsWith('@')) {
    const expanded = CRON_NICKNAMES[text.toLowerCase()];
    if (!expanded) {
      throw new InvalidScheduleError(
        path,
        `unknown nickname '${text}': use one of ${Object.keys(CRON_NICKNAMES).join(', ')}`,
      );
    }
    return expanded.split(' ');
  }
  const fields = text.split(/\s+/);
  if (fields.length < 5 || fields.length > 6) {
    throw new InvalidScheduleError(
      path,
      `expected 5 fields (or 6 with leading seconds), got ${fields.length}`,
    );
  }
  return fields;
}

const isWildcard = (field: string) => field === '*' || field === '?';

function fail(path: string, error: unknown): never {
  const message = (error as Error).message;
  if (/day of month definition/i.test(message)) {
    throw new InvalidScheduleError(
      path,
      'the day of month never occurs in the given month(s) (e.g. 30 February): this cron can never fire',
      { cause: error },
    );
  }
  throw new InvalidScheduleError(path, `not a valid cron expression: ${message}`, { cause: error });
}

const parseUtc = (expression: string, path: string) => {
  try {
    return CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(0) });
  } catch (error) {
    fail(path, error);
  }
};

/** Quartz's `W`: the weekday nearest the given day (or the last weekday), never leaving the month. */
function nearestWeekday(day: number | 'L'): (wall: number) => boolean {
  return (wall) => {
    const date = new Date(wall);
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth();
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    let target = day === 'L' ? last : day;
    if (target > last) return false;
    const weekday = new Date(Date.UTC(y, m, target)).getUTCDay();
    if (weekday === 6) target = target === 1 ? 3 : target - 1;
    else if (weekday === 0) target = target === last ? target - 2 : target + 1;
    return date.getUTCDate() === target;
  };
}

/** A day test from one day field, reusing cron-parser's own reading of L, # and names. */
function dayTest(expression: string, path: string): (wall: number) => boolean {
  const helper = parseUtc(expression, path);
  return (wall) => helper.includesDate(new Date(Math.floor(wall / DAY) * DAY));
}

/**
 * The cron's matches on the wall-clock timeline: cron-parser runs in UTC over local wall times (where
 * there is no DST), and a day filter adds what cron-parser lacks (`W`, day-of-month AND day-of-week).
 */
class WallCron {
  readonly expression: CronExpression;
  readonly everyHour: boolean;
  private readonly dayFilter: ((wall: number) => boolean) | undefined;
  /** The wall time cron-parser's iterator stands on, when known. */
  private position: number | undefined;

  constructor(fields: string[], dayMatch: DayMatch, path: string) {
    if (fields.some((f) => /(^|[^A-Z])H/i.test(f))) {
      throw new InvalidScheduleError(path, "'H' (hashed values) is not supported: write the values out");
    }
    const six = fields.length === 5 ? ['0', ...fields] : [...fields];
    let dom = six[3] as string;
    let dow = six[5] as string;
    const nearest = /^(?:(\d{1,2})|L)W$/i.exec(dom);
    if (/W/i.test(dom) && !nearest) {
      throw new InvalidScheduleError(path, "'W' is supported alone in the day-of-month field: '15W' or 'LW'");
    }
    const nearestDay = nearest?.[1] === undefined ? 'L' : Number(nearest[1]);
    if (typeof nearestDay === 'number' && (nearestDay < 1 || nearestDay > 31)) {
      throw new InvalidScheduleError(path, `'${dom}': the day before W must be 1-31`);
    }
    if (nearest || (dayMatch === 'and' && !isWildcard(dom) && !isWildcard(dow))) {
      const domOk = nearest ? nearestWeekday(nearestDay) : dayTest(`0 0 0 ${dom} * *`, path);
      const dowOk = isWildcard(dow) ? undefined : dayTest(`0 0 0 * * ${dow}`, path);
      if (!dowOk) this.dayFilter = domOk;
      else if (dayMatch === 'and') this.dayFilter = (w) => domOk(w) && dowOk(w);
      else this.dayFilter = (w) => domOk(w) || dowOk(w);
      dom = '*';
      dow = '*';
    }
    this.expression = parseUtc([six[0], six[1], six[2], dom, six[4], dow].join(' '), path);
    this.everyHour = this.expression.fields.hour.values.length === 24;
  }

  /** The first matching wall time strictly after `afterWall`, or null within the horizon. */
  next(afterWall: number): number | null {
    let cursor = afterWall;
    for (let skips = 0; skips < MAX_DAY_SKIPS; skips++) {
      // Resetting costs cron-parser several times more than stepping on from where it stopped.
      if (cursor !== this.position) this.expression.reset(new Date(cursor));
      let wall: number;
      try {
        wall = this.expression.next().getTime();
        this.position = wall;
      } catch {
        this.position = undefined;
        return null; // cron-parser gives up when nothing matches within its own loop limit
      }
      if (wall > afterWall + HORIZON_MS) return null;
      if (!this.dayFilter || this.dayFilter(wall)) return wall;
      // Find the next day the filter accepts with the filter alone (cheap), then let cron-parser
      // find the first time on or after it.
      let day = Math.floor(wall / DAY) + 1;
      while (!this.dayFilter(day * DAY)) {
        day++;
        if (day * DAY > afterWall + HORIZON_MS) return null;
      }
      cursor = day * DAY - 1;
    }
    return null;
  }
}

/**
 * A cron read in `timezone`, with the DST policy of docs/schedules.md:
 * - a wall time that does not exist (spring forward) fires at the same offset after the change
 *   (02:30 in a 02:00→03:00 gap fires at 03:30), so a daily job never skips a day;
 * - an ambiguous wall time (fall back) fires once, at its first instance, unless the hour field is
 *   every hour: then the cron follows real time and also fires in the repeated hour (25 hourly runs).
 * The zone's offset changes split time into segments of constant offset; each segment is searched on
 * the wall timeline, which is exact, and results never depend on the host's TZ.
 */
export function compileCron(
  expression: string,
  timezone: string,
  dayMatch: DayMatch = 'or',
  path = 'schedule.cron',
): CompiledSchedule {
  const cron = new WallCron(cronFields(expression, path), dayMatch, path);
  if (cron.next(Date.UTC(2000, 0, 1)) === null) {
    throw new InvalidScheduleError(path, 'this cron matches no date at all: it can never fire');
  }
  return {
    next(after) {
      let from = after;
      for (let segment = 0; segment < MAX_SEGMENTS; segment++) {
        const { previous, next: change } = transitionsAround(timezone, from + 1);
        const offset = offsetAt(timezone, from + 1);
        const end = change?.at ?? Date.UTC(new Date(from).getUTCFullYear() + 2, 0, 1);
        let best: number | null = null;
        if (
          previous &&
          previous.after > previous.before &&
          from + 1 < previous.at + previous.after - previous.before
        ) {
          // Wall times skipped by the spring-forward change just before still fire, shifted past the gap.
          const wall = cron.next(from + previous.before);
          if (wall !== null && wall < previous.at + previous.after) best = wall - previous.before;
        }
        let floor = from + offset;
        if (previous && previous.after < previous.before && !cron.everyHour) {
          // The repeated wall times after a fall-back change already fired at their first instance.
          floor = Math.max(floor, previous.at + previous.before - 1);
        }
        const wall = cron.next(floor);
        if (wall !== null && wall - offset < end)
          best = best === null ? wall - offset : Math.min(best, wall - offset);
        if (best !== null) return best;
        if (wall === null) return null;
        // Nothing before the next change: resume there, or just before the match if that is further.
        from = Math.max(end - 1, wall - offset - MAX_SHIFT_MS);
      }
      return null;
    },
  };
}
