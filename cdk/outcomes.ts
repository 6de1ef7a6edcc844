import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** How `sundial.addTarget` registers a target (docs: README, "Registering targets"). */
export interface TrackedTargetOptions {
  /**
   * How long Lambda keeps trying to start an event it cannot run yet (throttling, service errors) before
   * giving up; the run then fails with `EventAgeExceeded`. 1 minute to 6 hours. Default 5 minutes.
   */
  readonly maxEventAge?: Duration;
  /**
   * The function's timeout, when the construct cannot see it (changed by an escape hatch or an aspect).
   * Default: the function's own `timeout`, or Lambda's 3 seconds when it sets none.
   */
  readonly timeout?: Duration;
}

/** The queues of tracked runs. */
export interface OutcomeQueues {
  /** Where registered targets' asynchronous invocation records arrive (Lambda destinations). */
  readonly outcomeQueue: Queue;
  /** Outcome messages the outcome function failed five times. */
  readonly outcomeDeadLetters: Queue;
  /** Runs that failed their last attempt: the delivery event and the error, for the task's owner. */
  readonly runDeadLetters: Queue;
}

export const DEFAULT_MAX_EVENT_AGE = Duration.minutes(5);
/** Lambda's own default when a function sets no timeout. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);
/** The outcome function's timeout; its queue's visibility is 6 × this, as Lambda's event source mapping asks. */
export const OUTCOME_FUNCTION_TIMEOUT = Duration.seconds(30);

/** The outcome queue, its dead-letter queue and the run dead-letter queue, made in `scope`. */
export function createOutcomeQueues(scope: Construct): OutcomeQueues {
  const secure = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
  const outcomeDeadLetters = new Queue(scope, 'OutcomeDeadLetters', {
    ...secure,
    retentionPeriod: Duration.days(14),
  });
  const outcomeQueue = new Queue(scope, 'OutcomeQueue', {
    ...secure,
    visibilityTimeout: Duration.seconds(OUTCOME_FUNCTION_TIMEOUT.toSeconds() * 6),
    // A day is plenty: once its run's deadline has passed, the sweeper has closed it and an outcome is stale.
    retentionPeriod: Duration.days(1),
    deadLetterQueue: { queue: outcomeDeadLetters, maxReceiveCount: 5 },
  });
  const runDeadLetters = new Queue(scope, 'RunDeadLetters', {
    ...secure,
    retentionPeriod: Duration.days(14),
  });
  return { outcomeQueue, outcomeDeadLetters, runDeadLetters };
}

/**
 * The registered targets, as the `NAME=SECONDS` list of ENV.trackedTargets. Lazy: the value is made at
 * synth, so targets registered after the functions were created are in it. Names are usually tokens
 * (CloudFormation fills them in: the value becomes an Fn::Join).
 */
export class TrackedTargets {
  private readonly entries: { fn: LambdaFunction; seconds: number }[] = [];
  readonly value: string = Lazy.string({
    produce: () => this.entries.map((e) => `${e.fn.functionName}=${e.seconds}`).join(','),
  });

  has(fn: LambdaFunction): boolean {
    return this.entries.some((e) => e.fn === fn);
  }

  add(fn: LambdaFunction, seconds: number): void {
    this.entries.push({ fn, seconds });
  }
}

/**
 * Configures a target's asynchronous invocations to report to the outcome queue, on success and on
 * failure, with Lambda's own retries off (Sundial retries as each task says). Returns how long after a fire
 * its outcome must have come: the function's timeout plus the event's longest age.
 */
export function reportOutcomes(fn: LambdaFunction, outcomeQueue: IQueue, options: TrackedTargetOptions) {
  const maxEventAge = options.maxEventAge ?? DEFAULT_MAX_EVENT_AGE;
  const destination = new SqsDestination(outcomeQueue);
  fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge, onSuccess: destination, onFailure: destination });
  const timeout = options.timeout ?? fn.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
  return timeout.toSeconds() + maxEventAge.toSeconds();
}

/** How cdk-nag names the `:*` (any version or alias) resource of a function in its own stack. */
export function anyQualifierOf(fn: LambdaFunction): string {
  const logicalId = Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnFunction);
  return `<${logicalId}.Arn>:*`;
}
