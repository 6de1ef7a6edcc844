import { InvalidScheduleError } from '../errors';
import { wallToInstant } from './timezone';
import type { CompiledSchedule } from './types';

const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * Reads an ISO 8601 time: with an offset it is an instant; without one it is a wall-clock time in
 * `timezone`. A wall time that does not exist (spring forward) moves forward by the gap; an ambiguous
 * one (fall back) is its first instance.
 */
export function parseInstant(text: string, timezone: string, path: string): number {
  if (HAS_OFFSET.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new InvalidScheduleError(path, `'${text}' is not an ISO 8601 date-time`);
    return ms;
  }
  const m = ISO_LOCAL.exec(text);
  if (!m) throw new InvalidScheduleError(path, `'${text}' is not an ISO 8601 date-time`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const ms = Number((m[7] ?? '').padEnd(3, '0'));
  const wall = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0, ms);
  const back = new Date(wall);
  // Date.UTC rolls 30 February over to March: a date that does not round-trip does not exist.
  if (
    back.getUTCMonth() + 1 !== mo ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi
  ) {
    throw new InvalidScheduleError(path, `'${text}' is not a date-time that exists on the calendar`);
  }
  return wallToInstant(timezone, wall);
}

export function compileAt(at: string, timezone: string, path = 'schedule.at'): CompiledSchedule {
  const instant = parseInstant(at, timezone, path);
  return { next: (after) => (instant > after ? instant : null) };
}
