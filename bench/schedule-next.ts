/**
 * Prints how long schedule computations take: compile, next(), a 1000-occurrence preview and a plan
 * after a long outage. Run: `npx tsx bench/schedule-next.ts`.
 */
import { compileSchedule, type DayMatch, type Schedule } from '../lib/schedule';
import { buildTask } from '../lib/task/model';
import { planDue } from '../lib/task/plan';
import { previewSchedule } from '../lib/task/preview';
import { TaskInput } from '../lib/task/schemas';

const from = Date.parse('2026-01-01T00:00:00Z');

function time(label: string, iterations: number, run: () => void) {
  run();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  const us = ((performance.now() - start) * 1000) / iterations;
  console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(9)} µs`);
}

const kinds: [string, Schedule, string, DayMatch?][] = [
  ['cron 0 9 * * MON-FRI, UTC', { cron: '0 9 * * MON-FRI' }, 'UTC'],
  ['cron 0 9 * * MON-FRI, America/New_York', { cron: '0 9 * * MON-FRI' }, 'America/New_York'],
  ['cron */15 * * * *, Australia/Lord_Howe', { cron: '*/15 * * * *' }, 'Australia/Lord_Howe'],
  ['cron * * * * * * (every second), Europe/London', { cron: '* * * * * *' }, 'Europe/London'],
  ['cron 0 9 15W * *, Europe/Lisbon', { cron: '0 9 15W * *' }, 'Europe/Lisbon'],
  ['cron 0 0 13 * FRI (and), Pacific/Chatham', { cron: '0 0 13 * FRI' }, 'Pacific/Chatham', 'and'],
  ['expression cron(0 12 ? * MON-FRI *)', { expression: 'cron(0 12 ? * MON-FRI *)' }, 'UTC'],
  ['every 5 minutes', { every: { minutes: 5 } }, 'UTC'],
  ['solar sunrise, Lisbon', { solar: { event: 'sunrise', latitude: 38.72, longitude: -9.14 } }, 'UTC'],
];

console.log('compile (parse + validity probe), per schedule');
for (const [label, schedule, timezone, cronDayMatch] of kinds) {
  time(`  ${label}`, 200, () => compileSchedule({ schedule, timezone, anchorAt: from, cronDayMatch }));
}
function nextPerOccurrence(print: boolean) {
  for (const [label, schedule, timezone, cronDayMatch] of kinds) {
    const compiled = compileSchedule({ schedule, timezone, anchorAt: from, cronDayMatch });
    let after = from;
    let n = 0;
    const start = performance.now();
    while (n < 20_000 && after < from + 365 * 86_400_000) {
      const next = compiled.next(after);
      if (next === null) break;
      after = next;
      n++;
    }
    if (!print) continue;
    console.log(
      `  ${label.padEnd(56)} ${(((performance.now() - start) * 1000) / n).toFixed(1).padStart(9)} µs`,
    );
  }
}
nextPerOccurrence(false); // warm the JIT and the zone caches first
console.log('next(), averaged over a year of consecutive occurrences (at most 20,000)');
nextPerOccurrence(true);

time('preview of 1000 occurrences, */15 in America/New_York', 10, () =>
  previewSchedule({ schedule: { cron: '*/15 * * * *' }, timezone: 'America/New_York', count: 1000 }, from),
);
const dense = buildTask(
  {
    ...TaskInput.parse({
      target: { function: 'sundial-x' },
      schedule: { every: { seconds: 1 } },
      misfire: { policy: 'all', graceSeconds: 0 },
    }),
    id: 'bench',
  },
  from,
);
time('planDue after a week down, every second, policy all', 10, () =>
  planDue(dense, from, from + 7 * 86_400_000),
);
