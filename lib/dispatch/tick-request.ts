import { z } from 'zod';

/** A half-open range of due-index shards, [from, to). */
export interface ShardRange {
  from: number;
  to: number;
}

/** What a tick is asked to do: everything (the EventBridge tick), or a shard range (fan-out). */
export const TickRequest = z.object({
  shards: z
    .object({ from: z.number().int().min(0), to: z.number().int().min(1) })
    .refine((r) => r.from < r.to, 'from must be below to')
    .optional(),
  /** Deliver run-now requests only (the API's tick for a run-now), no scheduled occurrence. */
  manualOnly: z.boolean().optional(),
});
export type TickRequest = z.infer<typeof TickRequest>;

/** Reads the tick's event: EventBridge's (anything without `shards`) or a fan-out request. */
export function parseTickRequest(event: unknown): TickRequest {
  const parsed = TickRequest.safeParse(event ?? {});
  return parsed.success ? parsed.data : {};
}
