import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { Sundial, type SundialProps } from '../../cdk/sundial';

/** Props as a JavaScript caller (or a string from `-c`) may really pass them. */
const construct = (props: Record<string, unknown>) => () =>
  new Sundial(new Stack(new App(), 'Props'), 'Sundial', props as SundialProps);

describe('Sundial props are checked at synth', () => {
  it('names the prop, the reason and the value given', () => {
    expect(construct({ shards: 'abc' })).toThrow(
      /^Sundial \(Props\/Sundial\): invalid props: shards: .*expected number, received string \(got "abc"\)$/,
    );
    expect(construct({ shards: Number.NaN })).toThrow(/shards: .*\(got NaN\)/);
    expect(construct({ shards: 1001 })).toThrow(/shards: .*1000/);
    expect(construct({ runTtlDays: 1.5 })).toThrow(/runTtlDays: .*expected int.*\(got 1.5\)/);
    expect(construct({ targetPrefixes: [] })).toThrow(/targetPrefixes: give at least one prefix/);
    expect(construct({ targetPrefixes: ['ok-', 'bad*'] })).toThrow(
      /targetPrefixes\.1: a function-name prefix/,
    );
    expect(construct({ removalPolicy: 'keep' })).toThrow(/removalPolicy: /);
  });

  it('reports every bad prop at once', () => {
    expect(construct({ shards: 0, runTtlDays: 'x' })).toThrow(/shards: .*; runTtlDays: /);
  });
});
