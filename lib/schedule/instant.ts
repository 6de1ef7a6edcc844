import { InvalidScheduleError } from '../errors';
import { wallToInstant } from './timezone';

/**
 * The instants Sundial supports, everywhere (schedules, windows, next runs): UTC years 1970 to 9999.
 * Beyond 9999 an ISO string needs six year digits (`+010000-…`), which breaks the string order that
 * stored times rely on; before 1970 nothing can be scheduled anyway.
 */
export const MIN_INSTANT = Date.UTC(1970, 0, 1);
export const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const SUPPORTED_RANGE = '1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z';

// RFC 3339 profile of ISO 8601: date, `T`, hh:mm[:ss[.fraction]], then `Z` or ±hh:mm (or nothing,
// where a wall time is meant). Hand-written because Date.parse also accepts free text and rolls
// 30 February over to March, and zod's check has no year range and no offset-less form.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))?$/;

/** A date-time as written: its digits as a wall time (epoch ms read as UTC), and its offset if any. */
export interface DateTimeText {
  wall: number;
  offsetMs: number | undefined;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Reads `text` strictly, or answers why it is not a date-time (a sentence for people). */
export function readDateTime(text: string): DateTimeText | string {
  const m = DATE_TIME.exec(text);
  if (!m) return `'${text}' is not an ISO 8601 date-time such as 2026-12-01T09:00:00Z`;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
  const year = y as number;
  const month = mo as number;
  if (month < 1 || month > 12) return `'${text}': month ${month} does not exist`;
  if ((d as number) < 1 || (d as number) > daysIn(year, month)) {
    return `'${text}' is not a date on the calendar (${year}-${m[2]} has ${daysIn(year, month)} days)`;
  }
  if ((h as number) > 23 || (mi as number) > 59 || (s as number) > 59) {
    return `'${text}' is not a time of day (hours 00-23, minutes and seconds 00-59)`;
  }
  let offsetMs: number | undefined;
  if (m[8] === 'Z') offsetMs = 0;
  else if (m[8] !== undefined) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 18 || om > 59) return `'${text}': the offset ${m[8]} is not one between -18:00 and +18:00`;
    offsetMs = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const ms = Number((m[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const wall = Date.UTC(year, month - 1, d, h, mi, s, ms);
  // Date.UTC maps years 0-99 to 1900-1999; setting the year again keeps what was written.
  const exact = new Date(wall);
  exact.setUTCFullYear(year);
  return { wall: exact.getTime(), offsetMs };
}

const outOfRange = (text: string) =>
  `'${text}' is outside the instants Sundial supports (${SUPPORTED_RANGE})`;

/** Why `text` is not an instant with an offset in the supported range, or undefined when it is one. */
export function instantProblem(text: string): string | undefined {
  const read = readDateTime(text);
  if (typeof read === 'string') return read;
  if (read.offsetMs === undefined) return `'${text}' needs an offset: Z or ±hh:mm, e.g. 2026-12-01T09:00:00Z`;
  const at = read.wall - read.offsetMs;
  return at < MIN_INSTANT || at > MAX_INSTANT ? outOfRange(text) : undefined;
}

/** Epoch ms of an instant already checked by instantProblem (or written by Sundial itself). */
export function instantOf(text: string): number {
  const read = readDateTime(text);
  if (typeof read === 'string' || read.offsetMs === undefined)
    throw new RangeError(`not an instant: ${text}`);
  return read.wall - read.offsetMs;
}

/**
 * Reads an ISO 8601 time: with an offset it is an instant; without one it is a wall-clock time in
 * `timezone`. A wall time that does not exist (spring forward) moves forward by the gap; an ambiguous
 * one (fall back) is its first instance. Anything else, or an instant outside the supported range, is
 * an InvalidScheduleError at `path`.
 */
export function parseInstant(text: string, timezone: string, path: string): number {
  const read = readDateTime(text);
  if (typeof read === 'string') throw new InvalidScheduleError(path, read);
  const at = read.offsetMs === undefined ? wallToInstant(timezone, read.wall) : read.wall - read.offsetMs;
  if (at < MIN_INSTANT || at > MAX_INSTANT) throw new InvalidScheduleError(path, outOfRange(text));
  return at;
}
