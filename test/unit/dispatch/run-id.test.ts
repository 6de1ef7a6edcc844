import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { scheduledRunId } from '../../../lib/dispatch/run-id';

const at = Date.parse('2026-12-01T14:00:00Z');

describe('scheduledRunId', () => {
  it('is a ULID of the occurrence time, the same for every tick, different per task and creation', () => {
    const id = scheduledRunId('report', '2026-11-01T00:00:00.000Z', at);
    expect(isValid(id)).toBe(true);
    expect(decodeTime(id)).toBe(at);
    expect(scheduledRunId('report', '2026-11-01T00:00:00.000Z', at)).toBe(id);
    expect(scheduledRunId('other', '2026-11-01T00:00:00.000Z', at)).not.toBe(id);
    expect(scheduledRunId('report', '2026-11-02T00:00:00.000Z', at)).not.toBe(id);
    expect(scheduledRunId('report', '2026-11-01T00:00:00.000Z', at + 1000)).not.toBe(id);
  });
});
