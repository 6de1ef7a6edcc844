import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULTS, type SundialConfig } from '../lib/config';
import type { TickOptions } from '../lib/dispatch/tick';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../lib/local/dynamodb-local';
import { createRuntime, DYNAMODB_CLIENT_CONFIG } from '../lib/runtime';
import type { BenchCloud } from './cloud';
import type { CloudEndpoints } from './cloud-protocol';
import type { FunctionHost, HostedDeployment } from './function-host';

/** Due-index shards of every bench deployment (the construct's default). */
export const SHARDS = DEFAULTS.shards;

/**
 * Points this process at the bench cloud the way a Lambda function is pointed at AWS: through the
 * environment only, so createRuntime builds its clients with production settings (the SDK reads
 * AWS_ENDPOINT_URL_<SERVICE> and the credentials from the environment).
 */
export function useBenchCloud(endpoints: CloudEndpoints): void {
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbEndpoint,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambdaUrl,
    AWS_ENDPOINT_URL_SQS: endpoints.queueUrl,
    AWS_ENDPOINT_URL_SCHEDULER: endpoints.schedulerUrl,
  });
}

/** A DynamoDB client exactly as createRuntime builds one in a Lambda function. */
export const productionDynamoDb = () => new DynamoDBClient(DYNAMODB_CLIENT_CONFIG);

export interface DeployOptions {
  tableName: string;
  /** Use this client (e.g. one with a capacity meter) instead of the runtime's own. */
  dynamodb?: DynamoDBClient;
  tick?: Partial<TickOptions>;
}

/** Creates a deployment in the bench cloud and hosts its Sundial runtime in this process. */
export async function deploy(
  cloud: BenchCloud,
  host: FunctionHost,
  endpoints: CloudEndpoints,
  name: string,
  options: DeployOptions,
): Promise<HostedDeployment> {
  const { queueUrl, tickFunction } = await cloud.call.deploy({ name, tableName: options.tableName });
  const config: SundialConfig = {
    tableName: options.tableName,
    shards: SHARDS,
    targetPrefixes: [...DEFAULTS.targetPrefixes],
    runTtlDays: 1,
    scheduleName: endpoints.scheduleName,
    scheduleGroup: DEFAULTS.scheduleGroup,
    tickFunctionName: tickFunction,
    fireQueueUrl: queueUrl,
    targetEnvironments: [{ account: LOCAL_ACCOUNT, region: LOCAL_REGION }],
  };
  const runtime = createRuntime(config, {
    dynamodb: options.dynamodb,
    tick: options.tick,
    log: (level, message, fields) => {
      if (level !== 'info') logOnce(`${name}: ${level} ${message}`, fields);
    },
  });
  return host.add(name, runtime);
}

const logged = new Map<string, number>();
/** Warnings and errors of the runtimes, each kind printed once and counted (a bench must stay readable). */
function logOnce(key: string, fields?: Record<string, unknown>) {
  const n = (logged.get(key) ?? 0) + 1;
  logged.set(key, n);
  if (n === 1) console.log(`  [log] ${key} ${JSON.stringify(fields ?? {}).slice(0, 300)}`);
}

export function loggedCounts(): Map<string, number> {
  return logged;
}
