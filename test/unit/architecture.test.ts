import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1] as string,
  );

describe('dependency direction', () => {
  it('lib/ never imports from lambdas/ or cdk/', () => {
    const offenders = sources('lib').flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)(lambdas|cdk)\//.test(spec) || spec.startsWith('aws-cdk-lib'))
        .map((spec) => `${relative('.', file)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it.each(['lib/schedule', 'lib/task'])(
    '%s is pure: no AWS SDK, no store, no clock or environment reads',
    (dir) => {
      const offenders = sources(dir).flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        const bad = importsOf(file).filter((spec) =>
          /^@aws-sdk\/|^@smithy\/|\/(store|dispatch|api|local|client)\//.test(spec),
        );
        if (/\bDate\.now\(|\bprocess\.env\b|new Date\(\)/.test(text))
          bad.push('reads the clock or the environment');
        return bad.map((b) => `${relative('.', file)}: ${b}`);
      });
      expect(offenders).toEqual([]);
    },
  );
});
