import { request } from 'node:https';
import { z } from 'zod';

/**
 * A CloudFormation custom resource event (the construct's `Custom::SundialReindex`), of which the hook
 * reads what its answer must echo.
 */
export const DeployEvent = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.string().optional(),
});
export type DeployEvent = z.infer<typeof DeployEvent>;

/** What CloudFormation is told: SUCCESS or FAILED, with the event's ids echoed. */
export interface DeployAnswer {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
}

/** Sends an answer to CloudFormation's presigned URL (PUT, no content type: the URL's signature has none). */
export type SendAnswer = (url: string, answer: DeployAnswer) => Promise<void>;

/**
 * Answers a deploy event: on Create and Update starts the reindex (an asynchronous invocation, so the
 * deploy does not wait for a scan) and reports SUCCESS; a start that fails fails the deploy, which then
 * rolls back. Delete leaves the data alone. CloudFormation always gets an answer, or it would wait an hour.
 */
export async function answerDeploy(event: DeployEvent, startReindex: () => Promise<void>, send: SendAnswer) {
  let answer: Pick<DeployAnswer, 'Status' | 'Reason'> = { Status: 'SUCCESS', Reason: 'reindex started' };
  try {
    if (event.RequestType === 'Delete') answer = { Status: 'SUCCESS', Reason: 'nothing to undo' };
    else await startReindex();
  } catch (error) {
    answer = { Status: 'FAILED', Reason: `could not start the reindex: ${String(error)}`.slice(0, 500) };
  }
  await send(event.ResponseURL, {
    ...answer,
    PhysicalResourceId: event.PhysicalResourceId ?? `${event.LogicalResourceId}-reindex`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  return answer;
}

/** SendAnswer over HTTPS, as CloudFormation's own cfn-response does it. */
export const sendAnswer: SendAnswer = (url, answer) =>
  new Promise((resolve, reject) => {
    const body = Buffer.from(JSON.stringify(answer));
    const req = request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () =>
          (res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`answer refused: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
