/**
 * Whether a parsed JSON value nests arrays and objects more than `limit` levels deep (`{}` and `[]` are
 * one level, a scalar none). Iterative on purpose: JSON.parse accepts any depth, so the value may nest far
 * deeper than the call stack allows a recursive walk (or JSON.stringify) to go.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}
