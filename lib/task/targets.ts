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
