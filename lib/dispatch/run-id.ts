import { createHash } from 'node:crypto';
import { ulid } from 'ulid';

/**
 * The runId of a scheduled occurrence: a ULID whose time is `scheduledAt` and whose random part comes
 * from a hash of (task id, task creation, scheduledAt). Every tick that ever reaches this occurrence
 * computes the same id, so its run record key is the claim and re-deliveries carry the same runId;
 * a task deleted and created again under the same id gets new ids (its creation time differs).
 */
export function scheduledRunId(taskId: string, createdAt: string, scheduledAt: number): string {
  const digest = createHash('sha256').update(`${taskId}\n${createdAt}\n${scheduledAt}`).digest();
  let i = 0;
  return ulid(scheduledAt, () => (digest[i++ % digest.length] as number) / 256);
}
