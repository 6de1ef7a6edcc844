import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isTracked } from '../outcome/settle';
import type { SchedulerMark } from '../store/dispatch-store';
import type { DueTask } from '../store/items';
import { COMMITTED_AHEAD_MS, isDeliverable } from '../task/in-flight';
import type { Run, Task } from '../task/schemas';
import { deliverEntry } from './fire-deliver';
import { decodeFireMessage, type FireEntry, fireMessages } from './fire-message';
import { DEFAULT_FIRE_OPTIONS, type FireDeps, type FireOptions, type FireReport, FireRun } from './fire-run';
import { deliverTracked } from './fire-tracked';

export {
  DEFAULT_FIRE_OPTIONS,
  emptyFireReport,
  type FireDeps,
  type FireFaults,
  type FireOptions,
  type FireReport,
} from './fire-run';

/** One entry as received, with what its message says about it. */
interface Received {
  entry: FireEntry;
  sentAt: number;
  /** The message's receive count. */
  attempt: number;
  messageId: string;
}

/**
 * The fire worker, fed by the fire queue: for each entry of each message, reads its task and delivers
 * it at its second if the task still wants it (its hand-off recorded and not taken back, the scheduler
 * not paused), then records the runs. A message whose entries could not be handled is reported as a
 * batch item failure, so the queue delivers it again (at-least-once; the same runId).
 */
export async function handleFire(
  deps: FireDeps,
  event: SQSEvent,
  overrides: Partial<FireOptions> = {},
): Promise<{ response: SQSBatchResponse; report: FireReport }> {
  const run = new FireRun(deps, { ...DEFAULT_FIRE_OPTIONS, ...overrides });
  const failedMessages = new Set<string>();
  let pending = await deferLater(
    run,
    event.Records.flatMap((record) => entriesOf(run, record)),
    failedMessages,
  );
  const deliveries: Promise<Run | undefined>[] = [];
  while (pending.length) {
    const [tasks, scheduler] = await Promise.all([
      deps.store.getDueTasks(pending.map((r) => r.entry.taskId)),
      deps.store.readScheduler(),
    ]);
    const waiting: Received[] = [];
    for (const received of pending) {
      const verdict = decide(run, received, tasks.get(received.entry.taskId), scheduler);
      const task = tasks.get(received.entry.taskId)?.task;
      if (verdict === 'deliver' && task) deliveries.push(deliver(run, received, task, failedMessages));
      else if (verdict === 'wait') waiting.push(received);
    }
    pending = await retryLater(run, waiting, failedMessages);
  }
  await giveBack(run, failedMessages);
  const runs = (await Promise.all(deliveries)).filter((r): r is Run => r !== undefined);
  try {
    await deps.store.recordRuns(runs);
  } catch (error) {
    run.report.unrecorded += runs.length;
    run.log('error', 'run records not written', { runs: runs.length, error: String(error) });
  }
  return {
    response: { batchItemFailures: [...failedMessages].map((itemIdentifier) => ({ itemIdentifier })) },
    report: run.report,
  };
}

/**
 * Delivers one entry: tracked (its outcome followed, lib/dispatch/fire-tracked.ts) when its target reports
 * outcomes or it continues a tracked run, else fire-and-forget. An entry whose tracking could not be
 * written fails its message, which comes again.
 */
function deliver(run: FireRun, received: Received, task: Task, failedMessages: Set<string>) {
  const { outcome } = run.deps;
  const { entry } = received;
  if (!outcome || (entry.attempt === undefined && !isTracked(outcome, task))) {
    return deliverEntry(run, entry, task, received.attempt);
  }
  return deliverTracked(run, outcome, entry, task).catch((error) => {
    failedMessages.add(received.messageId);
    run.log('error', 'tracked delivery failed; its message comes again', {
      taskId: task.id,
      error: String(error),
    });
    return undefined;
  });
}

/**
 * Entries due beyond what one worker waits (continued runs: a retry may be hours away, SQS delays 15
 * minutes at most) are sent on with the longest delay that fits; a failed send fails their message.
 */
async function deferLater(
  run: FireRun,
  received: Received[],
  failedMessages: Set<string>,
): Promise<Received[]> {
  const now = run.deps.clock.now();
  const later = received.filter(
    (r) => r.entry.token === undefined && r.entry.fireAt - now > run.options.maxHoldMs,
  );
  if (!later.length) return received;
  const failed = await run.deps.queue.send(
    fireMessages(
      later.map((r) => r.entry),
      now,
    ),
  );
  if (failed.size) for (const r of later) failedMessages.add(r.messageId);
  else run.report.deferred += later.length;
  return received.filter((r) => !later.includes(r));
}

/** The entries of one SQS record; a body this version cannot read is dropped and logged. */
function entriesOf(run: FireRun, record: SQSRecord): Received[] {
  const message = decodeFireMessage(record.body);
  if (!message) {
    run.log('error', 'unreadable fire message dropped', { messageId: record.messageId });
    return [];
  }
  const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
  if (attempt > 1) run.report.redelivered += message.entries.length;
  const { sentAt } = message;
  return message.entries.map((entry) => ({ entry, sentAt, attempt, messageId: record.messageId }));
}

type Verdict = 'deliver' | 'drop' | 'wait';

/** Whether an entry fires: see the class comment of DispatchStore and lib/task/in-flight.ts. */
function decide(
  run: FireRun,
  { entry, sentAt, messageId }: Received,
  due: DueTask | undefined,
  scheduler: SchedulerMark,
): Verdict {
  if (!due) return drop(run);
  // A run-now fires whatever the task's state; it was asked for by a person, now.
  if (entry.token === undefined) return 'deliver';
  const handoff = due.handoffs[entry.token];
  if (!handoff) {
    // Not recorded (yet): the tick writes it right after sending. It never will once the task moved
    // from what the tick read (the write is conditional on it), nor past the window.
    const { seen } = entry;
    const moved = seen !== undefined && (seen.version !== due.task.version || seen.dueAt !== due.dueAt);
    return moved || run.deps.clock.now() - sentAt >= run.options.ackWindowMs ? drop(run) : 'wait';
  }
  if (!isDeliverable(handoff, entry.scheduledAt)) return drop(run);
  const cutoff = scheduler.since + COMMITTED_AHEAD_MS;
  if (scheduler.paused && entry.fireAt > cutoff) {
    const back = run.givingBack.get(due.task.id) ?? { cutoff, messageIds: new Set<string>() };
    back.messageIds.add(messageId);
    run.givingBack.set(due.task.id, back);
    return drop(run);
  }
  return 'deliver';
}

function drop(run: FireRun): Verdict {
  run.report.dropped++;
  return 'drop';
}

/**
 * Entries whose hand-off is not recorded yet: read again shortly while their message is fresh (the
 * tick's write is on its way), else sent again with a short delay; a message whose entries cannot be
 * sent again fails, so the queue redelivers it.
 */
async function retryLater(
  run: FireRun,
  waiting: Received[],
  failedMessages: Set<string>,
): Promise<Received[]> {
  const { clock } = run.deps;
  const now = clock.now();
  const fresh = waiting.filter((r) => now - r.sentAt < run.options.freshMs);
  const stale = waiting.filter((r) => now - r.sentAt >= run.options.freshMs);
  if (stale.length) {
    const bySentAt = new Map<number, Received[]>();
    for (const r of stale) bySentAt.set(r.sentAt, [...(bySentAt.get(r.sentAt) ?? []), r]);
    for (const [sentAt, group] of bySentAt) {
      const messages = fireMessages(
        group.map((r) => r.entry),
        sentAt,
      ).map((m) => ({ ...m, delaySeconds: run.options.requeueDelaySeconds }));
      const failed = await run.deps.queue.send(messages);
      if (failed.size) for (const r of group) failedMessages.add(r.messageId);
      else run.report.requeued += group.length;
    }
  }
  if (fresh.length) await clock.sleepUntil(now + run.options.pollMs);
  return fresh;
}

/**
 * Gives the fires a paused scheduler dropped back to their tasks (see DispatchStore.takeBack); when that
 * write fails, their messages fail too and come again, so nothing is lost.
 */
async function giveBack(run: FireRun, failedMessages: Set<string>): Promise<void> {
  await Promise.all(
    [...run.givingBack].map(async ([taskId, { cutoff, messageIds }]) => {
      try {
        run.report.givenBack += await run.deps.store.takeBack(taskId, cutoff);
      } catch (error) {
        for (const id of messageIds) failedMessages.add(id);
        run.log('error', 'could not give fires back to a task', { taskId, error: String(error) });
      }
    }),
  );
}
