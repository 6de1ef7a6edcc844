import { InvalidScheduleError } from '../errors';
import { type SearchBudget, UNBOUNDED } from './budget';
import { HORIZON_MS } from './cron';
import type { CompiledSchedule, Fields } from './types';
import { compileWall, type WallMatcher } from './wall-zone';
import { YearSet } from './year-set';

const DAY = 86_400_000;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const POSITIONS = ['1st', '2nd', '3rd', '4th', '5th', 'last'];

/** APScheduler's field order (most significant first), value ranges and defaults. */
export const FIELD_NAMES = [
  'year',
  'month',
  'day',
  'week',
  'day_of_week',
  'hour',
  'minute',
  'second',
] as const;
type FieldName = (typeof FIELD_NAMES)[number];
const RANGE: Record<FieldName, [number, number]> = {
  year: [1970, 9999],
  month: [1, 12],
  day: [1, 31],
  week: [1, 53],
  day_of_week: [0, 6],
  hour: [0, 23],
  minute: [0, 59],
  second: [0, 59],
};
const DEFAULTS: Record<FieldName, string> = {
  year: '*',
  month: '1',
  day: '1',
  week: '*',
  day_of_week: '*',
  hour: '0',
  minute: '0',
  second: '0',
};

/**
 * The fields as APScheduler reads them: fields left out above the least significant one given are `*`,
 * below it their minimum (`week` and `day_of_week` stay `*`). `{day: 1, minute: 20}` is minute 20 of
 * every hour of the 1st of every month, at second 0.
 */
export function effectiveFields(fields: Fields): Record<FieldName, string> {
  const given = FIELD_NAMES.filter((name) => fields[name] !== undefined);
  const last = FIELD_NAMES.indexOf(given[given.length - 1] as FieldName);
  return Object.fromEntries(
    FIELD_NAMES.map((name, i) => {
      const value = fields[name];
      if (value !== undefined) return [name, String(value).trim()];
      return [name, i < last ? '*' : DEFAULTS[name]];
    }),
  ) as Record<FieldName, string>;
}

/** A day-of-month expression: a value test that may depend on the month (`last`, `2nd fri`). */
type DayTest = (date: Date, day: number) => boolean;

interface Compiled {
  numbers: (name: FieldName) => Set<number>;
  days: DayTest[];
}

function nameOf(token: string, name: FieldName): number | undefined {
  const lower = token.toLowerCase();
  if (name === 'day_of_week' && WEEKDAYS.includes(lower)) return WEEKDAYS.indexOf(lower);
  if (name === 'month' && MONTHS.includes(lower)) return MONTHS.indexOf(lower) + 1;
  return undefined;
}

/** One comma-separated part of a field: `*`, `*\/a`, `a`, `a-b`, `a-b/c`, `a/c`, or a name or name range. */
function rangeValues(expr: string, name: FieldName, fail: (m: string) => never): number[] {
  const [min, max] = RANGE[name];
  const m = /^(\*|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/i.exec(expr);
  if (!m) fail(`'${expr}' is not *, a value, a range a-b or a step (*/n, a-b/n)`);
  const [, head, tail, stepText] = m as unknown as [string, string, string | undefined, string | undefined];
  const read = (token: string) => {
    const named = nameOf(token, name);
    if (named !== undefined) return named;
    if (!/^\d+$/.test(token))
      fail(
        `'${token}' is not a number ${min}-${max}${name === 'day_of_week' ? ' or mon-sun' : name === 'month' ? ' or jan-dec' : ''}`,
      );
    const n = Number(token);
    if (n < min || n > max) fail(`${n} is outside ${min}-${max}`);
    return n;
  };
  if (head === '*' && tail !== undefined) fail(`'${expr}' is not a range: write a-b`);
  const first = head === '*' ? min : read(head);
  const last = tail !== undefined ? read(tail) : head === '*' || stepText !== undefined ? max : first;
  if (last < first)
    fail(`'${expr}': the first value of a range must not be above the last (APScheduler ranges do not wrap)`);
  const step = stepText === undefined ? 1 : Number(stepText);
  if (stepText !== undefined && (step < 1 || step > last - first)) {
    fail(`'${expr}': the step must be at least 1 and at most the width of the range (${last - first})`);
  }
  const values: number[] = [];
  for (let v = first; v <= last; v += step) values.push(v);
  return values;
}

const lastDayOf = (date: Date) =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
const mondayBased = (date: Date) => (date.getUTCDay() + 6) % 7;

/** The `day` field's own forms: `last`, `xth y` (`2nd fri`), `last x` (`last sun`). */
function dayExpression(expr: string, fail: (m: string) => never): DayTest | undefined {
  const lower = expr.toLowerCase().replace(/\s+/g, ' ');
  if (lower === 'last') return (date, day) => day === lastDayOf(date);
  const m = /^(1st|2nd|3rd|4th|5th|last) ([a-z]+)$/.exec(lower);
  if (!m) return undefined;
  const weekday = WEEKDAYS.indexOf(m[2] as string);
  if (weekday < 0) fail(`'${expr}': '${m[2]}' is not a weekday mon-sun`);
  const position = POSITIONS.indexOf(m[1] as string);
  return (date, day) => {
    if (mondayBased(date) !== weekday) return false;
    if (position === 5) return day + 7 > lastDayOf(date);
    return Math.floor((day - 1) / 7) === position;
  };
}

function compileFields(effective: Record<FieldName, string>, path: string): Compiled {
  const sets = new Map<FieldName, Set<number>>();
  const days: DayTest[] = [];
  for (const name of FIELD_NAMES) {
    const fail = (message: string): never => {
      throw new InvalidScheduleError(`${path}.${name}`, message);
    };
    const parts = effective[name].split(/\s*,\s*/);
    if (effective[name] === '' || parts.some((p) => p === '')) fail('an empty expression');
    const values = new Set<number>();
    for (const part of parts) {
      const special = name === 'day' ? dayExpression(part, fail) : undefined;
      if (special) days.push(special);
      else for (const v of rangeValues(part, name, fail)) values.add(v);
    }
    if (name === 'day' && values.size) days.push((_date, day) => values.has(day));
    sets.set(name, values);
  }
  return { numbers: (name) => sets.get(name) as Set<number>, days };
}

/** ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date: Date): number {
  const thursday = new Date(date.getTime() + (3 - mondayBased(date)) * DAY);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  return Math.floor((thursday.getTime() - yearStart) / (7 * DAY)) + 1;
}

/**
 * APScheduler's fielded cron trigger on the wall-clock timeline. Hand-written: no JavaScript library
 * reads APScheduler's fields (ISO week, `2nd fri`, `last sun`). All fields must match (AND).
 */
class WallFields implements WallMatcher {
  readonly everyHour: boolean;
  private readonly years: YearSet | undefined;
  private readonly months: Set<number>;
  private readonly weeks: Set<number>;
  private readonly weekdays: Set<number>;
  private readonly dayTests: DayTest[];
  private readonly times: { hours: number[]; minutes: number[]; seconds: number[] };

  constructor(
    fields: Fields,
    path: string,
    private readonly budget: SearchBudget,
  ) {
    const effective = effectiveFields(fields);
    const compiled = compileFields(effective, path);
    const sorted = (name: FieldName) => [...compiled.numbers(name)].sort((a, b) => a - b);
    this.years = effective.year === '*' ? undefined : new YearSet(compiled.numbers('year'));
    this.months = compiled.numbers('month');
    this.weeks = compiled.numbers('week');
    this.weekdays = compiled.numbers('day_of_week');
    this.dayTests = compiled.days;
    this.times = { hours: sorted('hour'), minutes: sorted('minute'), seconds: sorted('second') };
    this.everyHour = this.times.hours.length === 24;
  }

  private dayMatches(date: Date): boolean {
    const day = date.getUTCDate();
    return (
      this.months.has(date.getUTCMonth() + 1) &&
      this.weekdays.has(mondayBased(date)) &&
      this.weeks.has(isoWeek(date)) &&
      this.dayTests.some((test) => test(date, day))
    );
  }

  /** The first time of day (ms) at or after `from` (ms into the day) that the time fields allow. */
  private timeAtOrAfter(from: number): number | undefined {
    const { hours, minutes, seconds } = this.times;
    for (const h of hours) {
      for (const mi of minutes) {
        const minuteStart = (h * 60 + mi) * 60_000;
        if (minuteStart + 59_000 < from) continue;
        for (const s of seconds) {
          const t = minuteStart + s * 1000;
          if (t >= from) return t;
        }
      }
    }
    return undefined;
  }

  next(afterWall: number): number | null {
    const start = Math.floor(afterWall / 1000) * 1000 + 1000;
    let day = Math.floor(start / DAY);
    let from = start - day * DAY;
    let limit = Math.floor((afterWall + HORIZON_MS) / DAY);
    while (day <= limit) {
      this.budget.spend();
      const date = new Date(day * DAY);
      if (this.years && !this.years.has(date.getUTCFullYear())) {
        const year = this.years.atOrAfter(date.getUTCFullYear());
        if (year === undefined) return null;
        day = Date.UTC(year, 0, 1) / DAY;
        from = 0;
        limit = Math.max(limit, day + HORIZON_MS / DAY);
        continue;
      }
      if (this.dayMatches(date)) {
        const time = this.timeAtOrAfter(from);
        if (time !== undefined) return day * DAY + time;
      }
      day++;
      from = 0;
    }
    return null;
  }
}

/** APScheduler-style fields read in `timezone`, with the DST policy of docs/schedules.md. */
export function compileFieldsSchedule(
  fields: Fields,
  timezone: string,
  path = 'schedule.fields',
  budget: SearchBudget = UNBOUNDED,
): CompiledSchedule {
  if (!FIELD_NAMES.some((name) => fields[name] !== undefined)) {
    throw new InvalidScheduleError(path, `give at least one of: ${FIELD_NAMES.join(', ')}`);
  }
  const matcher = new WallFields(fields, path, budget);
  if (matcher.next(Date.UTC(1970, 0, 1) - 1) === null) {
    throw new InvalidScheduleError(path, 'these fields match no date at all: the schedule can never fire');
  }
  return compileWall(matcher, timezone, budget);
}
