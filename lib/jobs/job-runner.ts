import { z } from 'zod';
import type { Clock } from '../clock';
import type { Log } from '../log';
import type { JobStore } from '../store/job-store';
import type { ListingRepair } from '../store/listing-repair';
import type { TaskStore } from '../store/task-store';
import { JobId } from '../task/schemas';
import { parseOrThrow } from '../task/validate';
import { answerDeploy, DeployEvent, type SendAnswer, sendAnswer } from './deploy-hook';
import { type JobRunnerDeps, runGroupJob } from './group-job';
import { runReindex } from './reindex';

/**
 * What the job function is invoked with: a group job to run (by the API), or the reindex of the list
 * index (started by a deploy, see deploy-hook.ts, or by hand: `true` runs it unless done, `"again"` runs
 * it once more).
 */
export const JobEvent = z.union([
  z.strictObject({ jobId: JobId }),
  z.strictObject({ reindex: z.union([z.literal(true), z.literal('again')]) }),
]);
export type JobEvent = z.infer<typeof JobEvent>;

/** The part of Lambda's context a runner uses. */
export interface JobContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface JobFunctionDeps extends JobRunnerDeps {
  repair: ListingRepair;
  jobs: JobStore;
  store: TaskStore;
  clock: Clock;
  log?: Log;
  /** Starts another invocation of the job function (asynchronously) with this event. */
  startJob: (event: JobEvent) => Promise<void>;
  /** How deploy events are answered (default: HTTPS to CloudFormation's URL). */
  sendAnswer?: SendAnswer;
}

/**
 * The job function: runs a job until it is done or the invocation's time is nearly up, then hands it to
 * a fresh invocation that continues from the checkpoint. A retried or duplicate invocation finds the
 * lease held and stops; one after a crash takes the job over once the lease expired.
 */
export function jobFunction(deps: JobFunctionDeps) {
  return async (event: unknown, context: JobContext) => {
    const deploy = DeployEvent.safeParse(event);
    if (deploy.success) {
      const answer = await answerDeploy(
        deploy.data,
        () => deps.startJob({ reindex: true }),
        deps.sendAnswer ?? sendAnswer,
      );
      return { result: answer.Status };
    }
    const request = parseOrThrow(JobEvent, event);
    const runner = {
      owner: context.awsRequestId,
      deadline: deps.clock.now() + context.getRemainingTimeInMillis(),
    };
    const result =
      'jobId' in request
        ? await runGroupJob(deps, request.jobId, runner)
        : await runReindex(deps, { ...runner, again: request.reindex === 'again' });
    if (result === 'continue') await deps.startJob('jobId' in request ? request : { reindex: true });
    return { result };
  };
}
