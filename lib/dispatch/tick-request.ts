import { z } from 'zod';

/** A half-open range of due-index shards, [from, to). */
export interface ShardRange {
  from: number;
  to: number;
}

/** Tasks one nudge may name (one BatchGetItem). */
export const MAX_NUDGE_TASKS = 100;

/**
 * What a tick is asked to do: everything (the EventBridge tick), a shard range (fan-out), or the tasks
 * a user's write just made due before the next tick (a nudge from the API).
 */
export const TickRequest = z.object({
  shards: z
    .object({ from: z.number().int().min(0), to: z.number().int().min(1) })
    .refine((r) => r.from < r.to, 'from must be below to')
    .optional(),
  tasks: z.array(z.string()).min(1).max(MAX_NUDGE_TASKS).optional(),
  /** Started by the API, not by EventBridge: a paused scheduler hands off nothing. */
  nudge: z.boolean().optional(),
});
export type TickRequest = z.infer<typeof TickRequest>;

/** Reads the tick's event: EventBridge's (anything else), a fan-out request or a nudge. */
export function parseTickRequest(event: unknown): TickRequest {
  const parsed = TickRequest.safeParse(event ?? {});
  return parsed.success ? parsed.data : {};
}
