/**
 * Prints what the per-request schedule search bound costs: hostile previews (sparse schedules with a
 * large count) under the default limits, how long each holds the event loop before its 422, and which
 * bound ended it. Run: `npx tsx bench/preview-bounds.ts`.
 */
import { ScheduleSearchLimitError } from '../lib/errors';
import { DEFAULT_SEARCH_LIMITS, searchBudget } from '../lib/schedule';
import { previewSchedule } from '../lib/task/preview';

const now = Date.parse('2026-01-01T00:00:00Z');

const hostile: [string, unknown][] = [
  [
    '29 February on a Monday (and), count 1000',
    { schedule: { cron: '0 0 29 2 MON' }, cronDayMatch: 'and', count: 1000 },
  ],
  [
    'Friday the 13th (and), count 1000',
    { schedule: { cron: '0 0 13 * FRI' }, cronDayMatch: 'and', count: 1000 },
  ],
  [
    'fields: 5th monday of February, count 1000',
    { schedule: { fields: { month: 2, day: '5th mon' } }, count: 1000 },
  ],
  ['every second, count 1000 (dense: no bound reached)', { schedule: { cron: '* * * * * *' }, count: 1000 }],
];

console.log(`limits: ${DEFAULT_SEARCH_LIMITS.maxSteps} steps, ${DEFAULT_SEARCH_LIMITS.maxMs} ms per request`);
for (const [label, body] of hostile) {
  const runs: number[] = [];
  let outcome = '';
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const budget = searchBudget(
      DEFAULT_SEARCH_LIMITS,
      () => performance.now() - start > DEFAULT_SEARCH_LIMITS.maxMs,
    );
    try {
      const out = previewSchedule(body, now, budget);
      outcome = `200, ${out.occurrences.length} occurrences`;
    } catch (error) {
      if (!(error instanceof ScheduleSearchLimitError)) throw error;
      outcome = `422, bound: ${error.bound}`;
    }
    runs.push(performance.now() - start);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(52)} median ${runs[2]?.toFixed(0).padStart(5)} ms, max ${runs[4]?.toFixed(0).padStart(5)} ms  ${outcome}`,
  );
}
