import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors';
import { assertTargetEnvironment } from '../../../lib/task/targets';

const own = [{ account: '111111111111', region: 'eu-west-1' }];
const arn = (region: string, account: string, name = 'sundial-x') =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;

function errorOf(fn: () => void) {
  try {
    fn();
  } catch (error) {
    return (error as ValidationError).errors;
  }
  return undefined;
}

describe('assertTargetEnvironment', () => {
  it('accepts plain names and ARNs of the deployment’s own account and region', () => {
    expect(() => assertTargetEnvironment('sundial-x', own)).not.toThrow();
    expect(() => assertTargetEnvironment(arn('eu-west-1', '111111111111'), own)).not.toThrow();
    expect(() => assertTargetEnvironment('sundial-x', [])).not.toThrow();
  });

  it('refuses another account or another region, naming the field', () => {
    for (const target of [arn('eu-west-1', '222222222222'), arn('us-east-1', '111111111111')]) {
      expect(() => assertTargetEnvironment(target, own)).toThrow(ValidationError);
      expect(errorOf(() => assertTargetEnvironment(target, own))?.[0]?.path).toBe('target.function');
    }
    expect(errorOf(() => assertTargetEnvironment(arn('eu-west-1', '222222222222'), own))?.[0]?.message).toBe(
      'the ARN names account 222222222222 in eu-west-1; targets must be in account 111111111111 in eu-west-1',
    );
    expect(() => assertTargetEnvironment(arn('eu-west-1', '111111111111'), [])).toThrow(/function's name/);
  });

  it('accepts what the configuration adds, with * for any account or region', () => {
    const more = [...own, { account: '222222222222', region: '*' }];
    expect(() => assertTargetEnvironment(arn('ap-south-1', '222222222222'), more)).not.toThrow();
    expect(() => assertTargetEnvironment(arn('ap-south-1', '333333333333'), more)).toThrow();
    expect(() =>
      assertTargetEnvironment(arn('ap-south-1', '333333333333'), [{ account: '*', region: '*' }]),
    ).not.toThrow();
  });
});
