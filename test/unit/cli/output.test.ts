import { describe, expect, it } from 'vitest';
import { table } from '../../../lib/cli/output';
import { parseEvery } from '../../../lib/cli/task-options';

describe('table', () => {
  it('aligns columns and shortens the widest one to fit the width', () => {
    const rows = [
      ['a', 'x'.repeat(50), 'end'],
      ['bb', 'short', 'e'],
    ];
    const lines = table(['ID', 'LONG', 'Z'], rows, 30).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
    expect(lines[1]).toMatch(/^a {3}x+… {2}end$/);
    expect(lines[2]).toMatch(/^bb {2}short\s+e$/);
  });
});

describe('parseEvery', () => {
  it('reads compact durations and rejects anything else', () => {
    expect(parseEvery('1h30m')).toEqual({ hours: 1, minutes: 30 });
    expect(parseEvery('2w')).toEqual({ weeks: 2 });
    expect(() => parseEvery('15 minutes')).toThrow(/--every/);
    expect(() => parseEvery('')).toThrow(/--every/);
  });
});
