import { vi } from 'vitest';

/**
 * An environment where the AWS default credential chain finds nothing, without leaving this machine:
 * no keys, no profile files, and no instance metadata service (which is no address of this machine).
 * Undo with `vi.unstubAllEnvs()`.
 */
export function stubNoAwsCredentials(): void {
  const unset = [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
  ];
  for (const name of unset) vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
}
