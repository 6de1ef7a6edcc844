import { z } from 'zod';

/** One occurrence to fire, as it travels in a fire message (short names: one message holds hundreds). */
export interface FireEntry {
  taskId: string;
  /** The hand-off token the task must carry (scheduled occurrences); absent for a run-now. */
  token?: string;
  /** The occurrence (a run-now: when it was requested), epoch ms. */
  scheduledAt: number;
  /** When to invoke the target (jitter included), epoch ms. */
  fireAt: number;
  /** A run-now's runId (a scheduled occurrence's is derived from the task and scheduledAt). */
  runId?: string;
  /**
   * A run whose outcomes Sundial follows, continued: a retry (attempt > 1) or a queued occurrence given a
   * slot (attempt 1). Its authority is the task's tracking (lib/task/tracking.ts), not a hand-off.
   */
  attempt?: number;
  /** Who asked for the occurrence, when `token` does not tell (a continued run). */
  source?: 'schedule' | 'manual';
  /**
   * The task's version and dueAt when the tick read it (scheduled occurrences): the hand-off is
   * conditional on both, so once either moved, an unrecorded token can never land.
   */
  seen?: { version: number; dueAt: number };
}

/** One queue message: the entries firing in one second, handed off together at `sentAt`. */
export interface FireMessage {
  sentAt: number;
  entries: FireEntry[];
}

/** Entries per message: 250 × ~120 bytes stays far below SQS's 256 KiB and fills the worker's second. */
export const MAX_ENTRIES_PER_MESSAGE = 250;
/** A message is made visible this long before its second, so the worker is ready when it comes. */
export const MESSAGE_LEAD_MS = 300;
/** SQS's longest per-message delay. */
const MAX_DELAY_SECONDS = 900;

const Wire = z.object({
  v: z.literal(1),
  at: z.number(),
  e: z.array(
    z.object({
      t: z.string(),
      k: z.string().optional(),
      s: z.number(),
      f: z.number(),
      m: z.string().optional(),
      v: z.number().optional(),
      d: z.number().optional(),
      a: z.number().int().min(1).optional(),
      o: z.enum(['s', 'm']).optional(),
    }),
  ),
});

export function encodeFireMessage(message: FireMessage): string {
  return JSON.stringify({
    v: 1,
    at: message.sentAt,
    e: message.entries.map((e) => ({
      t: e.taskId,
      k: e.token,
      s: e.scheduledAt,
      f: e.fireAt,
      m: e.runId,
      v: e.seen?.version,
      d: e.seen?.dueAt,
      a: e.attempt,
      o: e.source === undefined ? undefined : e.source === 'manual' ? 'm' : 's',
    })),
  });
}

/** Reads a message body; undefined for anything this version did not write (dropped, and logged). */
export function decodeFireMessage(body: string): FireMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = Wire.safeParse(json);
  if (!parsed.success) return undefined;
  return {
    sentAt: parsed.data.at,
    entries: parsed.data.e.map((e) => ({
      taskId: e.t,
      scheduledAt: e.s,
      fireAt: e.f,
      ...(e.k === undefined ? {} : { token: e.k }),
      ...(e.m === undefined ? {} : { runId: e.m }),
      ...(e.a === undefined ? {} : { attempt: e.a }),
      ...(e.o === undefined ? {} : { source: e.o === 'm' ? ('manual' as const) : ('schedule' as const) }),
      ...(e.v === undefined || e.d === undefined ? {} : { seen: { version: e.v, dueAt: e.d } }),
    })),
  };
}

/** A message ready to send: its body, how long SQS holds it back, and whose occurrences it carries. */
export interface OutgoingMessage {
  body: string;
  delaySeconds: number;
  taskIds: string[];
}

/**
 * Groups entries into messages, one group per fire second (at most MAX_ENTRIES_PER_MESSAGE each), each
 * delayed to become visible MESSAGE_LEAD_MS before its second; the worker waits out the rest.
 */
export function fireMessages(entries: FireEntry[], sentAt: number): OutgoingMessage[] {
  const bySecond = new Map<number, FireEntry[]>();
  for (const entry of entries) {
    const second = Math.floor(entry.fireAt / 1000);
    const group = bySecond.get(second) ?? [];
    group.push(entry);
    bySecond.set(second, group);
  }
  const messages: OutgoingMessage[] = [];
  for (const [second, group] of [...bySecond].sort(([a], [b]) => a - b)) {
    const delaySeconds = Math.min(
      MAX_DELAY_SECONDS,
      Math.max(0, Math.floor((second * 1000 - sentAt - MESSAGE_LEAD_MS) / 1000)),
    );
    for (let i = 0; i < group.length; i += MAX_ENTRIES_PER_MESSAGE) {
      const slice = group.slice(i, i + MAX_ENTRIES_PER_MESSAGE);
      messages.push({
        body: encodeFireMessage({ sentAt, entries: slice }),
        delaySeconds,
        taskIds: [...new Set(slice.map((e) => e.taskId))],
      });
    }
  }
  return messages;
}
