import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CONFIG_FILE, parseFunctionSpec, readLocalConfig } from '../../../lib/local/functions';

const dir = mkdtempSync(join(tmpdir(), 'sundial-functions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = (value: unknown) => {
  writeFileSync(join(dir, LOCAL_CONFIG_FILE), JSON.stringify(value));
  return readLocalConfig(dir);
};

describe('local function specs', () => {
  it('reads PATH[#export] and the object form with a timeout', () => {
    expect(
      config({ functions: { a: 'targets/a.ts', b: { handler: 'targets/b.ts#run', timeoutSeconds: 30 } } })
        .functions,
    ).toEqual([
      { name: 'a', path: join(dir, 'targets/a.ts'), exportName: 'handler', timeoutMs: undefined },
      { name: 'b', path: join(dir, 'targets/b.ts'), exportName: 'run', timeoutMs: 30_000 },
    ]);
    expect(parseFunctionSpec('c=/abs/c.ts#go', dir)).toMatchObject({
      name: 'c',
      path: '/abs/c.ts',
      exportName: 'go',
    });
  });

  it('names the function of a malformed entry', () => {
    expect(() => config({ functions: { bad: { handler: 'x.ts', timeoutSeconds: 0 } } })).toThrow(
      /function bad/,
    );
    expect(() => config({ functions: { bad: 3 } })).toThrow(/function bad/);
  });
});
