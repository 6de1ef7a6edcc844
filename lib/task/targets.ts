import { ValidationError } from '../errors';

/** The function name inside a name or ARN (`arn:aws:lambda:…:function:NAME[:qualifier]`). */
export function functionNameOf(nameOrArn: string): string {
  const match = /:function:([^:]+)/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

/**
 * Rejects a target outside the allow-list, or one of Sundial's own functions (`reserved`: a stack named
 * `sundial-…` puts them inside the default prefix), with the same message locally and in the cloud.
 */
export function assertTargetAllowed(
  nameOrArn: string,
  prefixes: readonly string[],
  reserved: readonly string[] = [],
  path = 'target.function',
): void {
  const name = functionNameOf(nameOrArn);
  if (reserved.includes(name)) {
    throw new ValidationError([
      { path, message: `function '${name}' is part of Sundial itself and cannot be a target` },
    ]);
  }
  if (!prefixes.some((prefix) => name.startsWith(prefix))) {
    throw new ValidationError([
      {
        path,
        message: `function '${name}' is outside the allow-list: names must start with ${prefixes.map((p) => `'${p}'`).join(' or ')}`,
      },
    ]);
  }
}

/** An AWS account and region whose functions may be targets; `*` in either matches any. */
export interface TargetEnvironment {
  account: string;
  region: string;
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:/;

const matches = (pattern: string, value: string) => pattern === '*' || pattern === value;

/**
 * Rejects a function ARN outside the configured environments (by default only this deployment's own
 * account and region). A plain function name always resolves inside the deployment's own, so it passes.
 */
export function assertTargetEnvironment(
  nameOrArn: string,
  environments: readonly TargetEnvironment[],
  path = 'target.function',
): void {
  const arn = FUNCTION_ARN.exec(nameOrArn);
  if (!arn) return;
  const [, region = '', account = ''] = arn;
  if (environments.some((e) => matches(e.account, account) && matches(e.region, region))) return;
  const allowed = environments.map((e) => `account ${e.account} in ${e.region}`).join(' or ');
  throw new ValidationError([
    {
      path,
      message: allowed
        ? `the ARN names account ${account} in ${region}; targets must be in ${allowed}`
        : `the ARN names account ${account} in ${region}; give the function's name instead (no target environment is configured)`,
    },
  ]);
}
