import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ulid } from 'ulid';
import { GroupService, type GroupServiceDeps } from '../api/group-service';
import type { Clock } from '../clock';
import type { SundialConfig } from '../config';
import type { Log } from '../log';
import { JobStore } from '../store/job-store';
import { ListingRepair } from '../store/listing-repair';
import type { TaskStore } from '../store/task-store';
import { type JobEvent, jobFunction } from './job-runner';

/** Lambda's longest invocation: what a runner started in-process gives itself, too. */
const IN_PROCESS_MS = 15 * 60_000;

export interface JobsDeps {
  config: SundialConfig;
  dynamodb: DynamoDBClient;
  lambda: LambdaClient;
  store: TaskStore;
  clock: Clock;
  log?: Log;
  /** Starts a tick (after a group resumed in the request). */
  nudge?: GroupServiceDeps['nudge'];
}

/**
 * Group jobs, composed: the API's GroupService and the job function. A job is started by invoking the
 * job function asynchronously (SUNDIAL_JOB_FUNCTION_NAME: the construct's, or the local cloud's on its
 * Lambda endpoint); without one configured, the process that starts a job runs it itself.
 */
export function createJobs({ config, dynamodb, lambda, store, clock, log, nudge }: JobsDeps) {
  const jobs = new JobStore(dynamodb, config);
  const { jobFunctionName } = config;
  const startJob = async (event: JobEvent): Promise<void> => {
    if (jobFunctionName) {
      await lambda.send(
        new InvokeCommand({
          FunctionName: jobFunctionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );
      return;
    }
    const deadline = clock.now() + IN_PROCESS_MS;
    const context = { awsRequestId: ulid(), getRemainingTimeInMillis: () => deadline - clock.now() };
    void run(event, context).catch((error) =>
      log?.('error', 'job failed', { ...event, error: String(error) }),
    );
  };
  const run = jobFunction({
    store,
    jobs,
    repair: new ListingRepair(dynamodb, config),
    clock,
    log,
    startJob,
  });
  const groups = new GroupService({
    store,
    jobs,
    clock,
    log,
    nudge,
    startJob: (jobId) => startJob({ jobId }),
  });
  return { jobs, groups, run, startJob };
}

export type Jobs = ReturnType<typeof createJobs>;
