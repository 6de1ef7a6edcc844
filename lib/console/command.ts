import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { type CredentialsInput, isLocalEndpoint, regionOfEndpoint } from '../client/sign';
import { type ConsoleProxy, startConsoleProxy } from './proxy';
import { CONSOLE_PATH } from './serve';

/** `sundial console` listens here unless told otherwise (`npm start` keeps 3000 and 3001). */
export const DEFAULT_CONSOLE_PORT = 3030;

export interface ConsoleCommandOptions {
  endpoint: string;
  region?: string;
  port?: number;
  out: (text: string) => void;
  /** Resolves when the command should stop (default: SIGINT or SIGTERM). */
  stopped?: Promise<unknown>;
  env?: NodeJS.ProcessEnv;
}

/**
 * The default credential chain, resolved once now so a missing or expired credential is one clear line at
 * start rather than a 502 on every request. A local endpoint (`npm start`) needs none: without any, it
 * is forwarded unsigned.
 */
async function credentialsFor(endpoint: string): Promise<CredentialsInput | undefined> {
  const chain = fromNodeProviderChain();
  try {
    await chain();
    return chain;
  } catch (error) {
    if (isLocalEndpoint(endpoint)) return undefined;
    throw new Error(
      `no AWS credentials to sign requests to ${endpoint} (${(error as Error).message}); set AWS_PROFILE or log in (aws sso login), then run the command again`,
      { cause: error },
    );
  }
}

const signals = () =>
  new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

/** Serves the console on 127.0.0.1 for `endpoint`, signing its API calls, until stopped. */
export async function runConsoleCommand(options: ConsoleCommandOptions): Promise<void> {
  const env = options.env ?? process.env;
  const credentials = await credentialsFor(options.endpoint);
  const region = options.region ?? regionOfEndpoint(options.endpoint) ?? env.AWS_REGION ?? 'us-east-1';
  let proxy: ConsoleProxy;
  try {
    proxy = await startConsoleProxy({
      endpoint: options.endpoint,
      region,
      credentials,
      port: options.port ?? DEFAULT_CONSOLE_PORT,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${options.port ?? DEFAULT_CONSOLE_PORT} is in use: choose another with --port`, {
        cause: error,
      });
    }
    throw error;
  }
  const how = credentials
    ? `signed with SigV4 (execute-api, ${region}) from the default credential chain`
    : 'unsigned (a local endpoint, and no AWS credentials found)';
  options.out(`Sundial console for ${options.endpoint}
  ${proxy.url}${CONSOLE_PATH}
API calls are forwarded ${how}; the browser holds no credential.
Ctrl-C stops it.
`);
  await (options.stopped ?? signals());
  await proxy.close();
}
