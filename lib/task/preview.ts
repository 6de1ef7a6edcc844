import cronstrue from 'cronstrue';
import type { z } from 'zod';
import {
  type BasicSchedule,
  basicSchedule,
  cronFields,
  type DayMatch,
  effectiveFields,
  FIELD_NAMES,
  instantOf,
  type SearchBudget,
  UNBOUNDED,
} from '../schedule';
import { compileTaskSchedule, firstRunAt, nextRunAfter, toIso } from './model';
import { PreviewRequest, type PreviewResponse, type TaskInput } from './schemas';
import { parseOrThrow } from './validate';

// The preview contract lives with the rest of the API contract, so the SDK imports no schedule engine.
export { PreviewRequest, PreviewResponse } from './schemas';

/**
 * What a schedule would do, without creating a task: up to `count` occurrences strictly after `from`
 * (default `now`), ascending, as UTC ISO strings, computed by exactly the code the tick uses (as if the
 * task were created at `from`), and a sentence describing it. It goes through task creation's own
 * checks (firstRunAt), so it refuses what create refuses, with the same errors. `budget` bounds the
 * search: a sparse schedule and a large count stop with ScheduleSearchLimitError.
 */
export function previewSchedule(
  body: unknown,
  now: number,
  budget: SearchBudget = UNBOUNDED,
): PreviewResponse {
  const request = parseOrThrow(PreviewRequest, body);
  const from = request.from ? instantOf(request.from) : now;
  const fields = { ...request, createdAt: toIso(from) };
  const compiled = compileTaskSchedule(fields, budget);
  const occurrences: string[] = [];
  let next: number | null = firstRunAt(fields, from, compiled);
  for (let runCount = 1; next !== null && occurrences.length < request.count; runCount++) {
    occurrences.push(toIso(next));
    next = occurrences.length < request.count ? nextRunAfter(fields, next, runCount, compiled) : null;
  }
  return { occurrences, description: describeSchedule(request) };
}

const cronText = (fields: string[]) =>
  cronstrue.toString(fields.join(' '), { use24HourTimeFormat: true, verbose: false });

/** cronstrue's sentence; `L-nW` (which it lacks) as `L-n` moved to the nearest weekday. */
function describeCron(fields: string[]): string {
  try {
    return cronText(fields);
  } catch {
    const domIndex = fields.length === 5 ? 2 : 3;
    const dom = fields[domIndex] ?? '';
    if (/^L-\d+W$/i.test(dom)) {
      try {
        const plain = fields.map((f, i) => (i === domIndex ? dom.slice(0, -1) : f));
        return `${cronText(plain)}, moved to the nearest weekday`;
      } catch {
        // fall through to the plain form below
      }
    }
    // The cron is valid (it compiled); a phrasing cronstrue lacks must not fail the preview.
    return `Cron '${fields.join(' ')}'`;
  }
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

function describeBasic(schedule: BasicSchedule, timezone: string, dayMatch: DayMatch): string {
  if ('cron' in schedule) {
    const fields = cronFields(schedule.cron);
    let text = describeCron(fields);
    const [dom, dow] = fields.length === 5 ? [fields[2], fields[4]] : [fields[3], fields[5]];
    const restricted = (f: string | undefined) => f !== '*' && f !== '?';
    if (restricted(dom) && restricted(dow)) {
      text += dayMatch === 'and' ? ' (only on days matching both)' : ' (on days matching either)';
    }
    return `${text} (${timezone})`;
  }
  if ('every' in schedule) {
    const parts = Object.entries(schedule.every)
      .filter(([, n]) => n)
      .map(([unit, n]) => plural(n as number, unit.slice(0, -1)));
    return `Every ${parts.join(' ')}`;
  }
  if ('solar' in schedule) {
    const { event, latitude, longitude, offsetMinutes = 0 } = schedule.solar;
    const shift =
      offsetMinutes === 0
        ? ''
        : `${plural(Math.abs(offsetMinutes), 'minute')} ${offsetMinutes > 0 ? 'after' : 'before'} `;
    return `Every day ${shift || 'at '}${event.replace(/_/g, ' ')} at ${latitude}, ${longitude}`;
  }
  if ('fields' in schedule) {
    const effective = effectiveFields(schedule.fields);
    const parts = FIELD_NAMES.filter((name) => effective[name] !== '*').map(
      (name) => `${name}=${effective[name]}`,
    );
    return `When ${parts.join(', ') || 'every second'} (APScheduler fields, ${timezone})`;
  }
  return `Once at ${schedule.at}${/(Z|[+-]\d{2}:\d{2})$/.test(schedule.at) ? '' : ` (${timezone})`}`;
}

/** A sentence for people: "At 09:00, Monday through Friday (America/New_York)", plus the window. */
export function describeSchedule(fields: {
  schedule: z.output<typeof TaskInput>['schedule'];
  timezone: string;
  cronDayMatch?: DayMatch;
  startAt?: string;
  endAt?: string;
  maxRuns?: number;
}): string {
  let text = describeBasic(basicSchedule(fields.schedule), fields.timezone, fields.cronDayMatch ?? 'or');
  if (fields.startAt) text += `, from ${fields.startAt}`;
  if (fields.endAt) text += `, until ${fields.endAt}`;
  if (fields.maxRuns !== undefined) text += `, at most ${plural(fields.maxRuns, 'run')}`;
  return text;
}
