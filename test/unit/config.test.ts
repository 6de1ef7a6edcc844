import { describe, expect, it } from 'vitest';
import { ENV, readConfig } from '../../lib/config';
import { ValidationError } from '../../lib/errors';

const base = { [ENV.tableName]: 'tasks' };

describe('readConfig', () => {
  it('reads the target environments as ACCOUNT/REGION pairs, none when unset', () => {
    expect(readConfig(base).targetEnvironments).toEqual([]);
    expect(
      readConfig({ ...base, [ENV.targetEnvironments]: '111111111111/eu-west-1, 222222222222/*' })
        .targetEnvironments,
    ).toEqual([
      { account: '111111111111', region: 'eu-west-1' },
      { account: '222222222222', region: '*' },
    ]);
  });

  it('fails fast on a malformed environment, naming the variable', () => {
    for (const bad of ['eu-west-1', '1111/eu-west-1', '111111111111/Europe']) {
      expect(() => readConfig({ ...base, [ENV.targetEnvironments]: bad }), bad).toThrow(ValidationError);
      expect(() => readConfig({ ...base, [ENV.targetEnvironments]: bad })).toThrow(ENV.targetEnvironments);
    }
  });
});
