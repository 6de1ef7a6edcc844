// Pure formatting for the console's tables and charts (no DOM): unit-tested in Node.
import { isValidTimeZone, offsetAt, wallOf } from '../../lib/schedule/timezone';

/** `2026-12-01 09:00:00`, as a wall clock in `timeZone` reads the instant (the schedule engine's own
 * reading of zones); `—` for none. */
export function formatInstant(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return new Date(wallOf(timeZone, at)).toISOString().slice(0, 19).replace('T', ' ');
}

/** The zone's offset from UTC at that instant: `UTC+01:00`, `UTC-05:00`, `UTC+00:00`. */
export function zoneOffset(iso: string, timeZone: string): string {
  const minutes = Math.round(offsetAt(timeZone, Date.parse(iso)) / 60_000);
  const abs = Math.abs(minutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `UTC${minutes < 0 ? '-' : '+'}${hhmm}`;
}

/** How late a run fired: firedAt − scheduledAt, in milliseconds. */
export function latenessMs(run: { scheduledAt: string; firedAt: string }): number {
  return Date.parse(run.firedAt) - Date.parse(run.scheduledAt);
}

/** `340 ms`, `1.25 s`, `2 min 5 s`, `3 h 4 min`; `—` when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(abs / 1000);
  if (seconds < 3600) return `${sign}${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(seconds / 60);
  return `${sign}${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const UNIT_LETTERS: Record<string, string> = {
  weeks: 'w',
  days: 'd',
  hours: 'h',
  minutes: 'm',
  seconds: 's',
};

/** A schedule in one short line, as the CLI shows it: `cron 0 2 * * *`, `every 1h30m`, `at …`. */
export function scheduleText(schedule: unknown): string {
  if (typeof schedule !== 'object' || schedule === null) return String(schedule);
  const [kind, value] = Object.entries(schedule)[0] ?? ['?', ''];
  if (typeof value === 'string') return `${kind} ${value}`;
  if (kind === 'every' && value && typeof value === 'object') {
    const parts = Object.entries(value as Record<string, number>)
      .filter(([, n]) => n)
      .map(([unit, n]) => `${n}${UNIT_LETTERS[unit] ?? unit}`);
    return `every ${parts.join('')}`;
  }
  if (kind === 'solar' && value && typeof value === 'object') {
    const { event, latitude, longitude, offsetMinutes } = value as Record<string, unknown>;
    const offset = offsetMinutes ? ` ${Number(offsetMinutes) > 0 ? '+' : ''}${offsetMinutes} min` : '';
    return `${String(event).replace(/_/g, ' ')}${offset} at ${latitude}, ${longitude}`;
  }
  return `${kind} ${JSON.stringify(value)}`;
}

/** A run's error for people: tracked runs give a type and a message, older runs an `error` string. */
export function runErrorText(run: { error?: string; errorType?: string; errorMessage?: string }): string {
  if (run.errorType || run.errorMessage) {
    return [run.errorType, run.errorMessage].filter(Boolean).join(': ');
  }
  return run.error ?? '';
}

/** `late` (timed out) and `muted` (skipped) tell those apart from a failure and from a pause. */
export type Tone = 'good' | 'bad' | 'warn' | 'late' | 'muted' | 'neutral';

const TONES: Record<string, Tone> = {
  active: 'good',
  succeeded: 'good',
  delivered: 'good',
  ENABLED: 'good',
  paused: 'warn',
  claimed: 'warn',
  skipped: 'muted',
  DISABLED: 'warn',
  failed: 'bad',
  timed_out: 'late',
};

/** The colour family of a state or status badge (its text always says the status too). */
export function toneOf(status: string | undefined): Tone {
  return (status && TONES[status]) || 'neutral';
}

/** The median of some numbers (for the chart's summary), or undefined for none. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `timeZone` if the browser knows it, else UTC (so a half-typed zone never breaks a table). */
export function knownZone(timeZone: string | undefined): string {
  return timeZone && isValidTimeZone(timeZone) ? timeZone : 'UTC';
}
