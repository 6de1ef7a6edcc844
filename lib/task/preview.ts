import { z } from 'zod';
import { nextRunAfter, toIso } from './model';
import { TaskInput } from './schemas';
import { parseOrThrow } from './validate';

/** The request of POST /v1/schedules/preview: a task's scheduling fields, plus where to start and how many. */
export const PreviewRequest = TaskInput.pick({
  schedule: true,
  timezone: true,
  startAt: true,
  endAt: true,
  maxRuns: true,
}).extend({
  from: z.iso.datetime({ offset: true }).optional(),
  count: z.number().int().min(1).max(1000).default(10),
});
export type PreviewRequest = z.input<typeof PreviewRequest>;

export const PreviewResponse = z.object({
  occurrences: z.array(z.string()),
  description: z.string(),
});
export type PreviewResponse = z.infer<typeof PreviewResponse>;

/**
 * What a schedule would do, without creating a task: the next occurrences strictly after `from`
 * (default now), computed by exactly the code the tick uses.
 */
export function previewSchedule(body: unknown, now: number): PreviewResponse {
  const request = parseOrThrow(PreviewRequest, body);
  const from = request.from ? Date.parse(request.from) : now;
  const fields = { ...request, createdAt: toIso(from) }; // a task created at `from`
  const occurrences: string[] = [];
  let after = from;
  for (let runCount = 0; occurrences.length < request.count; runCount++) {
    const next = nextRunAfter(fields, after, runCount);
    if (next === null) break;
    occurrences.push(toIso(next));
    after = next;
  }
  return { occurrences, description: describe(request.schedule, request.timezone) };
}

function describe(schedule: PreviewRequest['schedule'], timezone: string): string {
  if ('cron' in schedule) return `cron '${schedule.cron}' (${timezone})`;
  if ('every' in schedule) return `every ${JSON.stringify(schedule.every)}`;
  return `once at ${schedule.at} (${timezone})`;
}
