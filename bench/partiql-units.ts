import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../lib/store/schema';
import type { CapacityMeter } from './capacity-meter';

type Item = Record<string, unknown>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * An item's size as DynamoDB bills it ("Item sizes and formats" in the developer guide): attribute names
 * and values; a number takes about one byte per two significant digits plus one; a map or list 3 bytes
 * plus 1 per element (and a map's keys); null and booleans 1.
 */
export function itemSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value))
      .replace(/[.e+-]/g, '')
      .replace(/^0+/, '')
      .replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + itemSize(v), 0);
  if (value instanceof Uint8Array) return value.length;
  return 3 + Object.entries(value as Item).reduce((s, [k, v]) => s + 1 + utf8(k) + itemSize(v), 0);
}

const topSize = (item: Item) => Object.entries(item).reduce((s, [k, v]) => s + utf8(k) + itemSize(v), 0);
const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Write units of one item update: the table, and each index (ALL projection) the item is or was in. */
export function updateUnits(
  before: Item | undefined,
  after: Item,
): { table: number; indexes: Record<string, number> } {
  const sizeBefore = before ? topSize(before) : 0;
  const sizeAfter = topSize(after);
  const indexes: Record<string, number> = {};
  for (const index of [TABLE.dueIndex, TABLE.groupIndex]) {
    const keyOf = (item: Item | undefined) =>
      item && item[index.partitionKey.name] !== undefined && item[index.sortKey.name] !== undefined
        ? `${item[index.partitionKey.name]}|${item[index.sortKey.name]}`
        : undefined;
    const [was, is] = [keyOf(before), keyOf(after)];
    let units = 0;
    // A changed index key is a delete of the old entry and a put of the new one.
    if (was !== undefined && was !== is) units += kb(sizeBefore);
    if (is !== undefined && was !== is) units += kb(sizeAfter);
    if (is !== undefined && was === is) units += kb(Math.max(sizeBefore, sizeAfter));
    if (units) indexes[index.name] = units;
  }
  return { table: kb(Math.max(sizeBefore, sizeAfter)), indexes };
}

/**
 * DynamoDB Local reports no consumed capacity for PartiQL's BatchExecuteStatement, which the tick's
 * hand-offs use. For the bench's capacity scenario only: reads each statement's item before and after the
 * call (on another client, so the reads are not metered) and adds the units AWS bills for that update to
 * the meter, by the item-size rules; a statement refused by its WHERE clause counts as one refused write.
 * The statements are single-item UPDATEs whose key is the 4th- and 5th-last parameters (pk, sk).
 */
export function meterPartiqlUpdates(
  client: DynamoDBClient,
  meter: CapacityMeter,
  reader: DynamoDBDocumentClient,
  tableName: string,
): void {
  const read = async (keys: Item[]): Promise<Map<string, Item>> => {
    const out = await reader.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    return new Map((out.Responses?.[tableName] ?? []).map((item) => [`${item.pk}`, item]));
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchExecuteStatementCommand') return next(args);
      const statements = (args.input as { Statements: { Parameters: { S?: string }[] }[] }).Statements;
      const keys = statements.map((s) => {
        const p = s.Parameters;
        return { pk: p[p.length - 5]?.S, sk: p[p.length - 4]?.S };
      });
      const before = await read(keys);
      const result = await next(args);
      const after = await read(keys);
      const responses = (result.output as { Responses?: { Error?: { Code?: string } }[] }).Responses ?? [];
      const op = meter.entry('BatchExecuteStatementCommand');
      keys.forEach((key, i) => {
        const code = responses[i]?.Error?.Code;
        if (code === 'ConditionalCheckFailed') op.conditionFailures++;
        const now = after.get(`${key.pk}`);
        if (code !== undefined || !now) return;
        const units = updateUnits(before.get(`${key.pk}`), now);
        op.table += units.table;
        op.units += units.table;
        for (const [name, u] of Object.entries(units.indexes)) {
          op.indexes[name] = (op.indexes[name] ?? 0) + u;
          op.units += u;
        }
      });
      return result;
    },
    // After the document client has marshalled the statements' parameters.
    { step: 'build', name: 'benchPartiqlUnits' },
  );
}
