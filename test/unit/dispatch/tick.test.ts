import { describe, expect, it } from 'vitest';
import { parseTickRequest } from '../../../lib/dispatch/tick';

describe('parseTickRequest', () => {
  it('treats EventBridge events as a root tick and reads a fan-out shard range', () => {
    expect(parseTickRequest({ 'detail-type': 'Scheduled Event' })).toEqual({});
    expect(parseTickRequest(undefined)).toEqual({});
    expect(parseTickRequest({ shards: { from: 2, to: 3 } })).toEqual({ shards: { from: 2, to: 3 } });
    expect(parseTickRequest({ shards: { from: 3, to: 3 } })).toEqual({});
  });
});
