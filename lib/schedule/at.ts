import { InvalidScheduleError } from '../errors';
import type { CompiledSchedule } from './types';

const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/** Offset of `zone` from UTC at instant `at`, in milliseconds. */
function zoneOffsetMs(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

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
  // Try the offsets in force just before and just after the wall time; the earliest consistent one wins.
  const candidates = [
    wall - zoneOffsetMs(timezone, wall - 86_400_000),
    wall - zoneOffsetMs(timezone, wall + 86_400_000),
  ]
    .filter((t) => t + zoneOffsetMs(timezone, t) === wall)
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // In a gap: keep the offset from before the change, which lands the same distance after it.
  return wall - zoneOffsetMs(timezone, wall - 86_400_000);
}

export function compileAt(at: string, timezone: string, path = 'schedule.at'): CompiledSchedule {
  const instant = parseInstant(at, timezone, path);
  return { next: (after) => (instant > after ? instant : null) };
}
