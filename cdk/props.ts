import { RemovalPolicy } from 'aws-cdk-lib';
import { z } from 'zod';
import { MAX_SHARDS } from '../lib/config';

/**
 * The construct's props as JavaScript callers may really pass them (a context value is a string): checked
 * at synth so that `shards: 'abc'` fails there instead of deploying `SUNDIAL_SHARDS=NaN`. Props that other
 * parts of the construct add are let through to their own checks.
 */
const SundialPropsSchema = z.looseObject({
  targetPrefixes: z
    .array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a function-name prefix: letters, digits, - and _'))
    .min(1, 'give at least one prefix')
    .optional(),
  shards: z.number().int().min(1).max(MAX_SHARDS).optional(),
  runTtlDays: z.number().int().min(1).optional(),
  removalPolicy: z.enum(RemovalPolicy).optional(),
});

/** Throws one error naming every bad prop, the reason and the value given. */
export function validateSundialProps(props: unknown, constructPath: string): void {
  const result = SundialPropsSchema.safeParse(props, { reportInput: true });
  if (result.success) return;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.')}: ${issue.message} (got ${shown(issue.input)})`,
  );
  throw new Error(`Sundial (${constructPath}): invalid props: ${problems.join('; ')}`);
}

const shown = (value: unknown) =>
  typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
