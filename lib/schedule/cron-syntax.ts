import { InvalidScheduleError } from '../errors';
import { YearSet } from './year-set';

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

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  /** Names for values, the first one meaning `min` (months) or 0 (days of week). */
  names?: string[];
  nameBase?: number;
}

const SECOND: FieldSpec = { label: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { label: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { label: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { label: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 };
const DAY_OF_WEEK: FieldSpec = { label: 'day-of-week', min: 0, max: 7, names: DAYS, nameBase: 0 };
const YEAR: FieldSpec = { label: 'year', min: 1970, max: 9999 };

/** A cron split into fields: seconds first (0 when not written), and the year set when one is given. */
export interface CronSyntax {
  /** second, minute, hour, day of month, month, day of week, each checked and in cron-parser's syntax. */
  six: string[];
  /** The years the cron may fire in; undefined for every year. */
  years: YearSet | undefined;
}

/** Splits a cron into 5, 6 or 7 fields, expanding nicknames; throws naming the field on anything else. */
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
  if (fields.length < 5 || fields.length > 7) {
    throw new InvalidScheduleError(
      path,
      `expected 5 fields (minute hour day-of-month month day-of-week), 6 with leading seconds, or 7 with seconds and a trailing year (Quartz); got ${fields.length}`,
    );
  }
  return fields;
}

/**
 * Reads a cron for the engine: checks every field and says which one is wrong and why, and rewrites
 * what cron-parser lacks into what it has (wrap-around ranges into lists, `L` as a range end into 31).
 * Day-of-month forms cron-parser lacks (`W`, `L-n`) are left for the day filter of cron.ts.
 * Hand-written: no cron library here reads wrap-around ranges, `L-n` or a year field.
 */
export function readCron(expression: string, path: string): CronSyntax {
  const fields = cronFields(expression, path);
  const six = fields.length === 5 ? ['0', ...fields] : fields.slice(0, 6);
  const quartz = fields.length === 7;
  const specs = [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
  const fail = (message: string) => {
    throw new InvalidScheduleError(path, message);
  };
  if (fields.some((f) => /(^|[^A-Z])H/i.test(f)))
    fail("'H' (hashed values) is not supported: write the values out");
  if (quartz && (six[5] as string).split(',').some((item) => /\d/.test(item.replace(/#\d+$/, '')))) {
    fail(
      'in the 7-field (Quartz) form write days of week as names (MON-FRI): Quartz numbers them 1-7 from Sunday, cron 0-6, so a number would be misread one way or the other',
    );
  }
  const rewritten = six.map((field, i) =>
    i === 3 && isDayOfMonthSpecial(field) ? field : rewriteField(field, specs[i] as FieldSpec, fail),
  );
  const years = quartz ? readYears(fields[6] as string, fail) : undefined;
  return { six: rewritten, years };
}

/** Day-of-month forms the day filter handles: `15W`, `LW`, `L-3`, `L-3W`. */
export function isDayOfMonthSpecial(field: string): boolean {
  return /^(\d{1,2}W|L(-\d{1,2})?W?)$/i.test(field) && field.toUpperCase() !== 'L';
}

function fieldValue(token: string, spec: FieldSpec, fail: (m: string) => never): number {
  const upper = token.toUpperCase();
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < spec.min || n > spec.max)
      fail(`the ${spec.label} field: ${n} is outside ${spec.min}-${spec.max}`);
    return n;
  }
  const index = spec.names?.indexOf(upper) ?? -1;
  if (index >= 0) return index + (spec.nameBase ?? 0);
  const names = spec.names ? ` or a name ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
  return fail(`the ${spec.label} field: '${token}' is not a number ${spec.min}-${spec.max}${names}`);
}

const ITEM = /^(\*|\?|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:\/(\d+))?$/i;

/** One field checked, names turned into numbers, wrap-around ranges (`22-2`, `FRI-MON`) into lists. */
function rewriteField(field: string, spec: FieldSpec, fail: (m: string) => never): string {
  if (field === '') fail(`the ${spec.label} field is empty`);
  return field
    .split(',')
    .map((item) => rewriteItem(item, spec, fail))
    .join(',');
}

function rewriteItem(item: string, spec: FieldSpec, fail: (m: string) => never): string {
  const where = `the ${spec.label} field`;
  if (spec === DAY_OF_MONTH && /^L$/i.test(item)) return 'L';
  if (spec === DAY_OF_MONTH && isDayOfMonthSpecial(item)) {
    fail(`${where}: '${item}' must stand alone (not in a list)`);
  }
  const special = spec === DAY_OF_WEEK ? nthOrLastWeekday(item, fail) : undefined;
  if (special !== undefined) return special;
  const m = ITEM.exec(item);
  if (!m) return fail(`${where}: '${item}' is not a value, range (a-b), step (*/n) or list`);
  const [, head, tail, stepText] = m as unknown as [string, string, string | undefined, string | undefined];
  const wildcard = head === '*' || head === '?';
  if (head === '?' && spec !== DAY_OF_MONTH && spec !== DAY_OF_WEEK) {
    fail(`${where}: '?' is only for the day-of-month and day-of-week fields; write *`);
  }
  if (wildcard && tail !== undefined) fail(`${where}: '${item}' is not a range: write a-b`);
  const span = spec.max - spec.min + 1;
  const step = stepText === undefined ? undefined : Number(stepText);
  if (step !== undefined && (step < 1 || step > span)) {
    fail(`${where}: the step in '${item}' must be 1-${span}`);
  }
  if (wildcard) return `${head}${step === undefined ? '' : `/${step}`}`;
  return rewriteRange(head, tail, step, spec, fail);
}

/** Day of week `5L` / `FRIL` (last Friday) and `5#2` / `FRI#2` (second Friday), names as numbers. */
function nthOrLastWeekday(item: string, fail: (m: string) => never): string | undefined {
  const special = /^([0-9A-Z]+?)(L|#(\d+))$/i.exec(item);
  if (!special || /^\d+$/.test(item)) return undefined;
  const day = fieldValue(special[1] as string, DAY_OF_WEEK, fail) % 7;
  const nth = special[3];
  if (nth !== undefined && (Number(nth) < 1 || Number(nth) > 5)) {
    fail(`the day-of-week field: '${item}': the week of the month after # must be 1-5`);
  }
  return nth === undefined ? `${day}L` : `${day}#${nth}`;
}

/** `a`, `a-b` or `a-b/n` in numbers; a range that wraps around becomes the list of its values. */
function rewriteRange(
  head: string,
  tail: string | undefined,
  step: number | undefined,
  spec: FieldSpec,
  fail: (m: string) => never,
): string {
  const suffix = step === undefined ? '' : `/${step}`;
  let start = fieldValue(head, spec, fail);
  if (tail === undefined) return `${start}${suffix}`;
  let end = spec === DAY_OF_MONTH && /^L$/i.test(tail) ? 31 : fieldValue(tail, spec, fail);
  if (spec === DAY_OF_WEEK) {
    // Sunday is 0 and 7: a range ending at Sunday (MON-SUN) ends at 7; one starting there starts at 0.
    if (end === 0 && start > 0) end = 7;
    if (start === 7 && end < 7) start = 0;
  }
  if (start <= end) return `${start}-${end}${suffix}`;
  return wrapAround(start, end, step ?? 1, spec).join(',');
}

/**
 * A range that wraps past the field's end (`22-2` in hours: 22, 23, 0, 1, 2). A step counts on through
 * the wrap, as in Quartz (`FRI-TUE/2`: Friday, Sunday, Tuesday).
 */
function wrapAround(start: number, end: number, step: number, spec: FieldSpec): number[] {
  const cycle = spec === DAY_OF_WEEK ? 7 : spec.max - spec.min + 1;
  const base = spec === DAY_OF_WEEK ? 0 : spec.min;
  const values: number[] = [];
  for (let v = start; v <= end + cycle; v += step) values.push(((v - base) % cycle) + base);
  return [...new Set(values)].sort((a, b) => a - b);
}

function readYears(field: string, fail: (m: string) => never): YearSet | undefined {
  if (field.split(',').some((item) => item === '*' || item === '?')) return undefined;
  const years: number[] = [];
  for (const item of field.split(',')) {
    const m = ITEM.exec(item);
    if (!m || m[1] === '?')
      fail(`the year field: '${item}' is not a year, range (2026-2030), step (2026/2) or list`);
    const [, head, tail, stepText] = m as unknown as [string, string, string | undefined, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail(`the year field: the step in '${item}' must be at least 1`);
    if (head === '*' && tail !== undefined) fail(`the year field: '${item}' is not a range: write a-b`);
    const start = head === '*' ? YEAR.min : fieldValue(head, YEAR, fail);
    const end = tail !== undefined ? fieldValue(tail, YEAR, fail) : stepText !== undefined ? YEAR.max : start;
    if (end < start) fail(`the year field: '${item}' runs backwards; years do not wrap around`);
    for (let y = start; y <= end; y += step) years.push(y);
  }
  return new YearSet(years);
}
