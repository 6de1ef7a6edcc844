import { InvalidScheduleError } from '../errors';
import type { BasicSchedule } from './types';

const PATH = 'schedule.expression';

const AWS_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * AWS numbers days of the week 1-7 from Sunday; POSIX 0-6, so numbers become POSIX numbers, or names
 * where the result is a 7-field (Quartz-form) cron, which takes names only. Names and the nth after
 * `#` stay.
 */
function awsDayOfWeek(field: string, asNames: boolean): string {
  if (field === '?' || field === '*') return '*';
  return field
    .split(',')
    .map((item) => {
      if (item.toUpperCase() === 'L') return asNames ? 'SAT' : '6'; // AWS `L` alone: the last day of the week
      const cut = item.search(/[#/]/);
      const head = cut < 0 ? item : item.slice(0, cut);
      const tail = cut < 0 ? '' : item.slice(cut);
      return (
        head.replace(/\d+/g, (n) => {
          const day = Number(n);
          if (day < 1 || day > 7) {
            throw new InvalidScheduleError(PATH, `day of week ${n} is outside 1-7 (1 = SUN, as in AWS)`);
          }
          return asNames ? (AWS_DAYS[day - 1] as string) : String(day - 1);
        }) + tail
      );
    })
    .join(',');
}

function normaliseCron(body: string): BasicSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new InvalidScheduleError(
      PATH,
      `cron(...) takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new InvalidScheduleError(PATH, 'exactly one of day-of-month and day-of-week must be ? (as in AWS)');
  }
  const day = dom === '?' ? '*' : dom;
  if (year === '*' || year === '?') {
    return { cron: [minute, hour, day, month, awsDayOfWeek(dow, false)].join(' ') };
  }
  // A year: the 7-field form, seconds first and the year last.
  return { cron: ['0', minute, hour, day, month, awsDayOfWeek(dow, true), year].join(' ') };
}

const RATE_UNITS: Record<string, 'minutes' | 'hours' | 'days'> = {
  minute: 'minutes',
  minutes: 'minutes',
  hour: 'hours',
  hours: 'hours',
  day: 'days',
  days: 'days',
};

function normaliseRate(body: string): BasicSchedule {
  const m = /^\s*(\d+)\s+([a-z]+)\s*$/i.exec(body);
  const unit = m && RATE_UNITS[(m[2] as string).toLowerCase()];
  if (!m || !unit || Number(m[1]) < 1) {
    throw new InvalidScheduleError(
      PATH,
      "rate(...) takes a positive whole number and minutes, hours or days: 'rate(5 minutes)'",
    );
  }
  return { every: { [unit]: Number(m[1]) } };
}

function normaliseAt(body: string): BasicSchedule {
  const text = body.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text)) {
    throw new InvalidScheduleError(
      PATH,
      "at(...) takes a local date-time without offset: 'at(2026-12-01T10:00:00)', read in timezone",
    );
  }
  return { at: text };
}

/**
 * Reads an EventBridge Scheduler expression (`cron(0 12 ? * MON-FRI *)`, `rate(5 minutes)`,
 * `at(2026-12-01T10:00:00)`) as the equivalent basic schedule, so one engine computes every kind.
 */
export function normaliseExpression(expression: string): BasicSchedule {
  const m = /^\s*(cron|rate|at)\((.*)\)\s*$/i.exec(expression);
  if (!m) {
    throw new InvalidScheduleError(PATH, "expected cron(...), rate(...) or at(...), e.g. 'rate(5 minutes)'");
  }
  const kind = (m[1] as string).toLowerCase();
  const body = m[2] as string;
  if (kind === 'cron') return normaliseCron(body);
  if (kind === 'rate') return normaliseRate(body);
  return normaliseAt(body);
}
