import { type CredentialsInput, isLocalEndpoint, regionOfEndpoint } from '../client/sign';
import { SundialError } from '../errors';
import { CONSOLE_ASSETS_DIRS, loadConsoleAssets } from './assets';
import { startConsoleProxy } from './proxy';
import { CONSOLE_PATH } from './serve';

/** `sundial console` listens here unless told otherwise (`npm start` keeps 3000 and 3001). */
export const DEFAULT_CONSOLE_PORT = 3030;

/** Why the console could not start: no credential to sign with, the port taken, or its files missing. */
export class ConsoleStartError extends SundialError {
  readonly reason: 'credentials' | 'port' | 'assets';
  constructor(reason: ConsoleStartError['reason'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

export interface ConsoleStartOptions {
  /** The Sundial API to forward to (a deployed API Gateway URL, or a local one). */
  endpoint: string;
  region?: string;
  port?: number;
  env?: Record<string, string | undefined>;
  /** Where to look for the built page (default: CONSOLE_ASSETS_DIRS). */
  assetsDirs?: readonly string[];
}

export interface StartedConsole {
  /** The page, e.g. http://127.0.0.1:3030/console/. */
  url: string;
  endpoint: string;
  region: string;
  /** True when forwarded calls are signed with SigV4 (false only for a local endpoint with no credential). */
  signed: boolean;
  close(): Promise<void>;
}

/**
 * The default credential chain, resolved once now so a missing or expired credential is one clear line at
 * start rather than a 502 on every request. A local endpoint (`npm start`) needs none: without any, it
 * is forwarded unsigned.
 */
async function credentialsFor(endpoint: string): Promise<CredentialsInput | undefined> {
  // Loaded here, not at the top: every other CLI command starts without the AWS credential chain.
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const chain = defaultProvider();
  try {
    await chain();
    return chain;
  } catch (error) {
    if (isLocalEndpoint(endpoint)) return undefined;
    const why = error instanceof Error ? error.message : String(error);
    throw new ConsoleStartError(
      'credentials',
      `no AWS credentials to sign requests to ${endpoint} (${why}); set AWS_PROFILE or log in (aws sso login), then run the command again`,
      { cause: error },
    );
  }
}

async function consoleAssets(dirs: readonly string[]) {
  const assets = await loadConsoleAssets(dirs);
  if (assets) return assets;
  throw new ConsoleStartError(
    'assets',
    `the console's built files are in none of ${dirs.join(', ')}: in a checkout, run \`npm run build:console\`; an installed package ships them in dist/console/ (reinstall it)`,
  );
}

/** Serves the console on 127.0.0.1 for `endpoint`, signing the API calls it forwards. */
export async function startConsole(options: ConsoleStartOptions): Promise<StartedConsole> {
  const env = options.env ?? process.env;
  const port = options.port ?? DEFAULT_CONSOLE_PORT;
  const assets = await consoleAssets(options.assetsDirs ?? CONSOLE_ASSETS_DIRS);
  const credentials = await credentialsFor(options.endpoint);
  const region = options.region ?? regionOfEndpoint(options.endpoint) ?? env.AWS_REGION ?? 'us-east-1';
  try {
    const proxy = await startConsoleProxy({ endpoint: options.endpoint, region, credentials, port, assets });
    const signed = credentials !== undefined;
    return { ...proxy, url: `${proxy.url}${CONSOLE_PATH}`, endpoint: options.endpoint, region, signed };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new ConsoleStartError('port', `port ${port} is in use: choose another with --port`, {
      cause: error,
    });
  }
}
