import { compileSchedule } from './lib/schedule';
const iso = (n: number) => new Date(n).toISOString();
function n(schedule: any, from: string, k = 4, timezone = 'UTC') {
  try {
    const c = compileSchedule({ schedule, timezone, anchorAt: Date.parse(from) });
    const out: string[] = []; let a = Date.parse(from) - 1;
    for (let i = 0; i < k; i++) { const x = c.next(a); if (x === null) break; out.push(iso(x)); a = x; }
    console.log(JSON.stringify(schedule), out.join(' '));
  } catch (e: any) { console.log(JSON.stringify(schedule), 'ERR', e.message); }
}
n({ cron: '0 22-2 * * *' }, '2026-01-01T00:00:00Z', 6);
n({ cron: '0 0 * * FRI-MON' }, '2026-01-01T00:00:00Z', 6);
n({ cron: '0 0 * * SAT-SUN' }, '2026-01-01T00:00:00Z', 4);
n({ cron: '0 0 * * MON-SUN' }, '2026-01-01T00:00:00Z', 8);
n({ cron: '0 0 1 11-2 *' }, '2026-01-01T00:00:00Z', 6);
n({ cron: '50-10 0 1 1 *' }, '2026-01-01T00:00:00Z', 14);
n({ cron: '0 0 0 L-2 * *' }, '2016-01-05T00:00:00Z', 3);
n({ cron: '0 0 0 L-3W * *' }, '2017-02-01T00:00:00Z', 2);
n({ cron: '0 0 29-L * *' }, '2015-09-04T00:00:00Z', 3);
n({ cron: '0 0 1-L/8 * *' }, '2026-01-01T00:00:00Z', 5);
n({ expression: 'cron(0/30 20-2 ? * MON-FRI *)' }, '2026-01-02T19:00:00Z', 8);
n({ expression: 'cron(0 12 ? * MON-FRI 2027)' }, '2026-01-01T00:00:00Z', 2);
n({ expression: 'cron(0 12 1 * ? 2026/2)' }, '2026-12-15T00:00:00Z', 2);
n({ cron: '0 0 0 11 * * 2060' }, '2050-01-01T00:00:00Z', 2);
n({ cron: '0 0 0 29 2 * 2025,2021-2023,2028' }, '2020-01-01T00:00:00Z', 2);
n({ cron: '0 0 0 29 2 * 2022/3' }, '2020-01-01T00:00:00Z', 2);
n({ cron: '0 0 0 29 2 * 2021-2023' }, '2020-01-01T00:00:00Z', 2);
n({ cron: '0 0 0 * * 6L 2026' }, '2020-01-01T00:00:00Z', 2);
n({ cron: '0 0 * * 5-1/2' }, '2026-01-01T00:00:00Z', 4);
n({ cron: '0 0 25 * *' }, '2026-01-01T00:00:00Z', 1);
n({ cron: '0 0 30 * 13' }, '2026-01-01T00:00:00Z', 1);
n({ cron: '0 0 30 * FOO' }, '2026-01-01T00:00:00Z', 1);
n({ cron: '0 0 L-2 * *' }, '2026-01-01T00:00:00Z', 1);
n({ fields: { year: '2009/2', month: '1/3', day: '5-13' } }, '2008-12-01T00:00:00Z', 2, 'Europe/Berlin');
n({ fields: { year: 2009, month: 2, week: 8 } }, '2009-01-01T00:00:00Z', 1);
n({ fields: { year: 2009, week: 15, day_of_week: 2 } }, '2009-01-01T00:00:00Z', 1);
n({ fields: { year: 2009, month: 1, day: '4th wed' } }, '2009-01-01T00:00:00Z', 1);
n({ fields: { year: 2012, month: 2, day: 'last' } }, '2012-02-01T00:00:00Z', 1);
n({ fields: { day: 'last sun', hour: 9 } }, '2026-01-01T00:00:00Z', 2);
n({ fields: { day: 30 } }, '2016-02-01T00:00:00Z', 1);
n({ fields: { hour: '5-6' } }, '2009-09-25T07:00:00Z', 3);
n({ fields: { year: 2009, month: 1, day: '6-10', day_of_week: '0,6' } }, '2009-01-01T00:00:00Z', 1);
n({ fields: { year: 2009, month: 1, day: '6-10', day_of_week: '2-4' } }, '2009-01-01T00:00:00Z', 1);
n({ fields: { day_of_week: 'sun-mon' } }, '2009-01-01T00:00:00Z', 1);
n({ at: '9999-12-31T23:59:59-14:00' }, '2009-01-01T00:00:00Z', 1);
n({ every: { weeks: 1000000 } }, '2026-01-01T00:00:00Z', 2);
