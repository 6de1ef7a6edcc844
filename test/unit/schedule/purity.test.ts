import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Schedules and the task model are pure: no AWS, no clock, no environment, no host-zone date getters.
const FORBIDDEN: [string, RegExp][] = [
  ['an AWS SDK import', /from '@aws-sdk\//],
  ['the clock', /Date\.now\(|new Date\(\)|performance\.now/],
  ['the environment', /process\.env/],
  [
    'a host-zone date getter',
    /\.get(FullYear|Month|Date|Day|Hours|Minutes|Seconds|TimezoneOffset)\(|toLocale/,
  ],
];

const files = ['lib/schedule', 'lib/task'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f)),
);

describe('pure folders', () => {
  it.each(files)('%s uses no AWS SDK, clock, environment or host time zone', (file) => {
    const source = readFileSync(file, 'utf8');
    for (const [what, pattern] of FORBIDDEN) expect(source, `${file} reads ${what}`).not.toMatch(pattern);
  });
});
