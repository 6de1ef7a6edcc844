import cronstrue from 'cronstrue';
import type { z } from 'zod';
import { type BasicSchedule, basicSchedule, cronFields, type DayMatch } from '../schedule';
import { compileTaskSchedule, nextRunAfter, toIso } from './model';
import { PreviewRequest, type PreviewResponse, type TaskInput } from './schemas';
import { parseOrThrow } from './validate';

// The preview contract lives with the rest of the API contract, so the SDK imports no schedule engine.
export { PreviewRequest, PreviewResponse } from './schemas';

/**
 * What a schedule would do, without creating a task: up to `count` occurrences strictly after `from`
 * (default `now`), ascending, as UTC ISO strings, computed by exactly the code the tick uses (as if the
 * task were created at `from`), and a sentence describing it. Invalid input throws the ValidationError
 * task creation throws.
 */
export function previewSchedule(body: unknown, now: number): PreviewResponse {
  const request = parseOrThrow(PreviewRequest, body);
  const from = request.from ? Date.parse(request.from) : now;
  const fields = { ...request, createdAt: toIso(from) };
  const compiled = compileTaskSchedule(fields);
  const occurrences: string[] = [];
  let after = from;
  for (let runCount = 0; occurrences.length < request.count; runCount++) {
    const next = nextRunAfter(fields, after, runCount, compiled);
    if (next === null) break;
    occurrences.push(toIso(next));
    after = next;
  }
  return { occurrences, description: describeSchedule(request) };
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

function describeBasic(schedule: BasicSchedule, timezone: string, dayMatch: DayMatch): string {
  if ('cron' in schedule) {
    const fields = cronFields(schedule.cron);
    let text: string;
    try {
      text = cronstrue.toString(fields.join(' '), { use24HourTimeFormat: true, verbose: false });
    } catch {
      // The cron is valid (it compiled); a phrasing cronstrue lacks must not fail the preview.
      text = `Cron '${fields.join(' ')}'`;
    }
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
  return `Once at ${schedule.at}${/(Z|[+-]\d{2}:?\d{2})$/i.test(schedule.at) ? '' : ` (${timezone})`}`;
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
