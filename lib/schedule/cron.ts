import { type CronExpression, CronExpressionParser } from 'cron-parser';
import { InvalidScheduleError } from '../errors';
import { type SearchBudget, UNBOUNDED } from './budget';
import { isDayOfMonthSpecial, readCron } from './cron-syntax';
import type { CompiledSchedule, DayMatch } from './types';
import { compileWall, type WallMatcher } from './wall-zone';
import type { YearSet } from './year-set';

export { CRON_NICKNAMES, cronFields } from './cron-syntax';

const DAY = 86_400_000;
/** Wall-time search limit: February 29 falls on a given weekday at least once in 40 years. */
export const HORIZON_MS = 60 * 366 * DAY;
/** Times a day filter (W, L-n, cronDayMatch "and") may send cron-parser on before the search gives up. */
const MAX_DAY_SKIPS = 25_000;
/** Year hops of one search: at most one per year Sundial supports. */
const MAX_YEAR_HOPS = 8_100;
/** The earliest wall time a cron is searched from when checking that it can fire at all. */
const FIRST_WALL = Date.UTC(1970, 0, 1) - 1;

const isWildcard = (field: string) => field === '*' || field === '?';
const yearOf = (wall: number) => new Date(wall).getUTCFullYear();
const lastDayOf = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();

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

/**
 * Quartz's `W`: the weekday nearest the target day (a day of the month, or `L-n`: n days before the
 * last), never leaving the month; without `W`, the target day itself. A target before the 1st (`L-30`
 * in February) matches nothing that month, as in Cronos.
 */
function targetDay(target: (y: number, m: number) => number, nearestWeekday: boolean) {
  return (wall: number): boolean => {
    const date = new Date(wall);
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth();
    const last = lastDayOf(y, m);
    let day = target(y, m);
    if (day < 1 || day > last) return false;
    if (nearestWeekday) {
      const weekday = new Date(Date.UTC(y, m, day)).getUTCDay();
      if (weekday === 6) day = day === 1 ? 3 : day - 1;
      else if (weekday === 0) day = day === last ? day - 2 : day + 1;
    }
    return date.getUTCDate() === day;
  };
}

/** The day test of a special day-of-month field: `15W`, `LW`, `L-3`, `L-3W`. */
function specialDayOfMonth(field: string, path: string): (wall: number) => boolean {
  const m = /^(?:(\d{1,2})|L(?:-(\d{1,2}))?)(W?)$/i.exec(field) as RegExpExecArray;
  const weekday = m[3] !== '';
  if (m[1] !== undefined) {
    const day = Number(m[1]);
    if (day < 1 || day > 31)
      throw new InvalidScheduleError(path, `'${field}': the day before W must be 1-31`);
    return targetDay(() => day, weekday);
  }
  const back = Number(m[2] ?? 0);
  if (back > 30) {
    throw new InvalidScheduleError(path, `'${field}': L-n counts back at most 30 days from the last day`);
  }
  return targetDay((y, mo) => lastDayOf(y, mo) - back, weekday);
}

/** A day test from one day field, reusing cron-parser's own reading of L, # and names. */
function dayTest(expression: string, path: string): (wall: number) => boolean {
  const helper = parseUtc(expression, path);
  return (wall) => helper.includesDate(new Date(Math.floor(wall / DAY) * DAY));
}

/**
 * The cron's matches on the wall-clock timeline: cron-parser runs in UTC over local wall times (where
 * there is no DST), a day filter adds what cron-parser lacks (`W`, `L-n`, day-of-month AND
 * day-of-week), and the year set (which cron-parser lacks too) makes the search hop between years.
 */
class WallCron implements WallMatcher {
  readonly expression: CronExpression;
  readonly everyHour: boolean;
  private readonly dayFilter: ((wall: number) => boolean) | undefined;
  private readonly years: YearSet | undefined;
  /** The wall time cron-parser's iterator stands on, when known. */
  private position: number | undefined;

  constructor(
    expression: string,
    dayMatch: DayMatch,
    path: string,
    private readonly budget: SearchBudget,
  ) {
    const { six, years } = readCron(expression, path);
    this.years = years;
    let dom = six[3] as string;
    let dow = six[5] as string;
    if (/W/i.test(dom) && !isDayOfMonthSpecial(dom)) {
      throw new InvalidScheduleError(path, "'W' is supported alone in the day-of-month field: '15W' or 'LW'");
    }
    const special = isDayOfMonthSpecial(dom);
    if (special || (dayMatch === 'and' && !isWildcard(dom) && !isWildcard(dow))) {
      const domOk = special ? specialDayOfMonth(dom, path) : dayTest(`0 0 0 ${dom} * *`, path);
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

  /** The first matching wall time strictly after `afterWall`, in an allowed year; null when none is left. */
  next(afterWall: number): number | null {
    let from = afterWall;
    for (let hop = 0; hop < MAX_YEAR_HOPS; hop++) {
      if (this.years) {
        const year = yearOf(from + 1);
        const allowed = this.years.atOrAfter(year);
        if (allowed === undefined) return null;
        if (allowed > year) from = Date.UTC(allowed, 0, 1) - 1;
      }
      const wall = this.nextAnyYear(from);
      if (wall === null || !this.years || this.years.has(yearOf(wall))) return wall;
      from = Date.UTC(yearOf(wall), 0, 1) - 1;
      this.budget.spend();
    }
    return null;
  }

  /** The first match strictly after `afterWall` whatever its year, or null within the horizon. */
  private nextAnyYear(afterWall: number): number | null {
    let cursor = afterWall;
    for (let skips = 0; skips < MAX_DAY_SKIPS; skips++) {
      this.budget.spend();
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
        this.budget.spend();
        day++;
        if (day * DAY > afterWall + HORIZON_MS) return null;
      }
      cursor = day * DAY - 1;
    }
    return null;
  }
}

/**
 * A cron read in `timezone`, with the DST policy of docs/schedules.md (see compileWall). Refused at
 * once when it matches no date at all, in any year Sundial supports.
 */
export function compileCron(
  expression: string,
  timezone: string,
  dayMatch: DayMatch = 'or',
  path = 'schedule.cron',
  budget: SearchBudget = UNBOUNDED,
): CompiledSchedule {
  const cron = new WallCron(expression, dayMatch, path, budget);
  if (cron.next(FIRST_WALL) === null) {
    throw new InvalidScheduleError(path, 'this cron matches no date at all: it can never fire');
  }
  return compileWall(cron, timezone, budget);
}
