import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { readInvocationRecord } from './destination-record';
import { type OutcomeDeps, settle } from './settle';

/** What one outcome handler invocation did. */
export interface OutcomeReport {
  /** Outcomes recorded (a run ended, or failed and will be retried). */
  recorded: number;
  /** Outcomes of attempts no longer in progress: duplicates, late ones, or of deleted tasks. */
  stale: number;
  /** Messages that are not Sundial deliveries (another caller of the same function), ignored. */
  ignored: number;
  /** Messages that could not be handled now; the queue delivers them again. */
  failed: number;
}

/**
 * The outcome handler, fed by the outcome queue where registered targets' asynchronous invocation records
 * arrive (Lambda destinations, on success and on failure): settles each delivery's attempt. A message that
 * fails is reported as a batch item failure and comes again (settling is idempotent).
 */
export async function handleOutcomes(
  deps: OutcomeDeps,
  event: SQSEvent,
): Promise<{ response: SQSBatchResponse; report: OutcomeReport }> {
  const report: OutcomeReport = { recorded: 0, stale: 0, ignored: 0, failed: 0 };
  const failures: string[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        report[await handleOne(deps, record)]++;
      } catch (error) {
        report.failed++;
        failures.push(record.messageId);
        deps.log?.('error', 'outcome not recorded; it comes again', {
          messageId: record.messageId,
          error: String(error),
        });
      }
    }),
  );
  return { response: { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) }, report };
}

async function handleOne(deps: OutcomeDeps, record: SQSRecord): Promise<'recorded' | 'stale' | 'ignored'> {
  const read = readInvocationRecord(record.body);
  if (!read) return 'ignored';
  const { event, outcome } = read;
  const ref = {
    taskId: event.taskId,
    runId: event.runId,
    attempt: event.attempt,
    scheduledAt: Date.parse(event.scheduledAt),
    firedAt: Date.parse(event.firedAt),
    source: event.source,
  };
  return settle(deps, ref, outcome, { event });
}
