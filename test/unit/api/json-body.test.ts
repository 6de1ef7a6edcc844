import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inexactNumbers, numberChange, parseJsonBody } from '../../../lib/api/json-body';
import { ValidationError } from '../../../lib/errors';

describe('numberChange', () => {
  it('accepts every spelling of a number a 64-bit float holds exactly', () => {
    for (const literal of ['0', '-0', '1.0', '1e2', '0.1', '1.5e-7', '9007199254740991', '5e-324']) {
      expect(numberChange(literal), literal).toBeUndefined();
    }
    expect(numberChange('1.7976931348623157e308')).toBeUndefined();
  });

  it('names what parsing would do to the others', () => {
    expect(numberChange('1e309')).toMatch(/^1e309 is out of range/);
    expect(numberChange('123456789012345678901234567890')).toMatch(
      /would be stored as 1\.2345678901234568e\+29/,
    );
    expect(numberChange('1e-400')).toMatch(/would be stored as 0:/);
  });

  it('agrees with exact integer arithmetic on integers of any size', () => {
    // The number JSON.stringify writes back (its shortest decimal), read exactly.
    const writtenBack = (n: bigint) => {
      const [, mantissa = '', exponent = '0'] = /^(-?[\d.]+)(?:e\+?(\d+))?$/.exec(String(Number(n))) ?? [];
      const [whole = '', fraction = ''] = mantissa.split('.');
      return BigInt(`${whole}${fraction}`) * 10n ** BigInt(Number(exponent) - fraction.length);
    };
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (n) => {
        expect(numberChange(String(n)) === undefined).toBe(writtenBack(n) === n);
      }),
      { seed: 16, numRuns: 2_000 },
    );
  });
});

describe('inexactNumbers', () => {
  it('finds nothing in any text JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(inexactNumbers(JSON.stringify(value))).toEqual([]);
      }),
      { seed: 16, numRuns: 500 },
    );
  });

  it('names the field of each number, through arrays, escaped keys and empty containers', () => {
    const text =
      '{"a":[{},[],1,{"k\\"ey":1e400}],"s":"1e999 \\\\","t.u":123456789012345678,"v":{"":-0.30000000000000000001}}';
    expect(inexactNumbers(text).map((e) => e.path)).toEqual(['a.3.k"ey', 't.u', 'v.']);
    expect(inexactNumbers('12345678901234567890').map((e) => e.path)).toEqual(['']);
  });

  it('walks a body nested a million levels deep without recursing', () => {
    const deep = `${'['.repeat(1_000_000)}1e400${']'.repeat(1_000_000)}`;
    expect(inexactNumbers(deep)[0]?.path).toMatch(/^0(\.0){999999}$/);
  });
});

describe('parseJsonBody', () => {
  it('refuses text that is not JSON, naming the body', () => {
    expect(() => parseJsonBody('{not json')).toThrow(ValidationError);
  });
});
