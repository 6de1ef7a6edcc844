import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors';
import { CURSOR_SECRET_KEY } from './schema';

/** Where a listing stopped: a partition of the listing's plan, and the last sort key returned in it. */
export interface CursorPosition {
  partition: number;
  after: string;
}

const VERSION = 'c1';
/** 128 bits of HMAC-SHA256: forging one is out of reach, and cursors stay short. */
const TAG_BYTES = 16;

const invalid = (message: string, cause?: unknown) =>
  new ValidationError([{ path: 'cursor', message }], cause === undefined ? undefined : { cause });

/**
 * Opaque, signed cursors. A cursor carries its position and a MAC over the position and the listing
 * it belongs to (`scope`: which route, group, state or task), under a secret only the table holds. So a
 * cursor altered, made up, or taken from another listing is refused (a 400 naming `cursor`): a request
 * can only continue a listing it could have started, and only in the partitions its own query names.
 */
export class CursorCodec {
  constructor(private readonly secret: () => Promise<Buffer>) {}

  async encode(scope: string, position: CursorPosition): Promise<string> {
    const body = Buffer.from(JSON.stringify([position.partition, position.after])).toString('base64url');
    return `${VERSION}.${body}.${await this.tag(scope, body)}`;
  }

  /** The position of a cursor this listing returned; ValidationError for anything else. */
  async decode(scope: string, cursor: string): Promise<CursorPosition> {
    const [version, body, tag, ...rest] = cursor.split('.');
    if (version !== VERSION || !body || !tag || rest.length > 0) {
      throw invalid('not a cursor this API returned; start again without one');
    }
    const expected = Buffer.from(await this.tag(scope, body), 'base64url');
    const given = Buffer.from(tag, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalid('not a cursor of this listing (each cursor continues only the query that returned it)');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch (error) {
      throw invalid('not a cursor this API returned', error);
    }
    const [partition, after] = Array.isArray(parsed) ? parsed : [];
    if (!Number.isInteger(partition) || partition < 0 || typeof after !== 'string') {
      throw invalid('not a cursor this API returned');
    }
    return { partition, after };
  }

  private async tag(scope: string, body: string): Promise<string> {
    return createHmac('sha256', await this.secret())
      .update(`${scope}\n${body}`)
      .digest()
      .subarray(0, TAG_BYTES)
      .toString('base64url');
  }
}

/**
 * The table's cursor secret: read once per process, made (32 random bytes, conditional put) by whoever
 * needs it first. It lives in the table because every API instance must agree on it, locally and in AWS,
 * without a setting to deploy; anyone who can read it can read every task already.
 */
export function tableCursorSecret(doc: DynamoDBDocumentClient, tableName: string): () => Promise<Buffer> {
  let cached: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const read = async () => {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: CURSOR_SECRET_KEY, ConsistentRead: true }),
      );
      return typeof Item?.secret === 'string' ? Buffer.from(Item.secret, 'base64') : undefined;
    };
    const existing = await read();
    if (existing) return existing;
    const secret = randomBytes(32);
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...CURSOR_SECRET_KEY, secret: secret.toString('base64') },
          // Two instances making it at once: the first one's secret is everybody's.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return secret;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const winner = await read();
      if (!winner) throw error;
      return winner;
    }
  };
  return () => {
    // A failed read (the store is down) is not remembered: the next request tries again.
    cached ??= load().catch((error) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
