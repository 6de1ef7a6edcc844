const valid = new Map<string, boolean>();

/** True for a zone the runtime's ICU knows (`Europe/Lisbon`, `UTC`); the result is cached. */
export function isValidTimeZone(zone: string): boolean {
  let ok = valid.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = zone.length > 0;
    } catch {
      ok = false;
    }
    valid.set(zone, ok);
  }
  return ok;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Offset of `zone` from UTC at instant `at`, in milliseconds (local wall time = at + offset).
 * Reads the zone through Intl with an explicit `timeZone`, so the host's TZ never matters.
 */
export function offsetAt(zone: string, at: number): number {
  const parts = formatter(zone).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The wall-clock time at `at` in `zone`, as epoch ms of the same digits read as UTC. */
export function wallOf(zone: string, at: number): number {
  return at + offsetAt(zone, at);
}

/** A change of a zone's offset: at instant `at` the offset goes from `before` to `after` (ms). */
export interface Transition {
  at: number;
  before: number;
  after: number;
}

const transitionCache = new Map<string, Transition[]>();
const nearbyCache = new Map<string, Transition[]>();

/**
 * The offset changes of `zone` during UTC year `year`, found by sampling every 6 hours and bisecting to
 * the minute (every real zone changes on a minute boundary, and never twice within 6 hours).
 * Hand-written because neither Intl nor our dependencies expose a zone's transitions.
 */
export function transitionsIn(zone: string, year: number): Transition[] {
  const key = `${zone}|${year}`;
  let list = transitionCache.get(key);
  if (list) return list;
  list = [];
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const step = DAY / 4;
  let t = start;
  let o = offsetAt(zone, t);
  while (t < end) {
    const u = Math.min(t + step, end);
    const p = offsetAt(zone, u);
    if (p !== o) {
      let lo = t;
      let hi = u;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (offsetAt(zone, mid) === o) lo = mid;
        else hi = mid;
      }
      list.push({ at: hi, before: o, after: p });
    }
    t = u;
    o = p;
  }
  transitionCache.set(key, list);
  return list;
}

/** The last transition at or before `at` and the first one after it, looking a year either way. */
export function transitionsAround(
  zone: string,
  at: number,
): { previous: Transition | undefined; next: Transition | undefined } {
  const year = new Date(at).getUTCFullYear();
  const key = `${zone}|${year}`;
  let all = nearbyCache.get(key);
  if (!all) {
    all = [...transitionsIn(zone, year - 1), ...transitionsIn(zone, year), ...transitionsIn(zone, year + 1)];
    nearbyCache.set(key, all);
  }
  let previous: Transition | undefined;
  let next: Transition | undefined;
  for (const t of all) {
    if (t.at <= at) previous = t;
    else if (!next) next = t;
  }
  return { previous, next };
}

/**
 * The instant of wall time `wall` in `zone`. An ambiguous wall time (fall back) is its first instance;
 * one that does not exist (spring forward) keeps the offset from before the change, so it lands as far
 * after the change as it was after the last valid wall time (02:30 in a 02:00→03:00 gap is 03:30).
 */
export function wallToInstant(zone: string, wall: number): number {
  const before = offsetAt(zone, wall - DAY);
  const after = offsetAt(zone, wall + DAY);
  const candidates = [wall - before, wall - after]
    .filter((t) => t + offsetAt(zone, t) === wall)
    .sort((a, b) => a - b);
  return candidates[0] ?? wall - before;
}
