import { createHash } from 'node:crypto';
import { invalidMessageContents, invalidParameter, missingParameter } from './queue-errors';

/** A message (user) attribute as it travels in SQS's JSON protocol; binary values are base64. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

/** What a sender supplies for one message. */
export interface MessageInput {
  body: string;
  attributes: MessageAttributes;
  /** Seconds before the message is first visible (SQS's DelaySeconds, 0–900). */
  delaySeconds?: number;
}

const MAX_ATTRIBUTES = 10;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)(?!(?:AWS|Amazon)\.)[A-Za-z0-9_.-]{1,256}$/i;
const ATTRIBUTE_TYPE = /^(String|Number|Binary)(\..+)?$/;
/** The characters SQS accepts in a body or attribute (XML 1.0's): anything else is InvalidMessageContents. */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export const md5Hex = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** The value's bytes as SQS counts and hashes them: UTF-8 for String and Number, decoded base64 for Binary. */
const valueBytes = (value: MessageAttributeValue) =>
  String(value.DataType).startsWith('Binary')
    ? Buffer.from(value.BinaryValue ?? '', 'base64')
    : Buffer.from(value.StringValue ?? '', 'utf8');

function validateAttribute(name: string, value: MessageAttributeValue | null) {
  if (!ATTRIBUTE_NAME.test(name))
    throw invalidParameter(`Message (user) attribute name '${name}' is invalid.`);
  const type = ATTRIBUTE_TYPE.exec(String(value?.DataType ?? ''))?.[1];
  if (!value || !type)
    throw invalidParameter(
      `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  const present = type === 'Binary' ? value.BinaryValue : value.StringValue;
  if (!present || typeof present !== 'string')
    throw invalidParameter(
      `Message (user) attribute '${name}' must contain a non-empty value of type '${type === 'Binary' ? 'Binary' : 'String'}'.`,
    );
  if (type === 'Number' && !Number.isFinite(Number(present)))
    throw invalidParameter(`Value ${present} for message (user) attribute '${name}' is not a valid Number.`);
  if (type !== 'Binary' && INVALID_CHARACTER.test(present)) throw invalidMessageContents();
}

/** The bytes SQS counts against its size limit: the body, and each attribute's name, type and value. */
export function messageSize(input: MessageInput): number {
  let size = Buffer.byteLength(input.body ?? '', 'utf8');
  for (const [name, value] of Object.entries(input.attributes)) {
    if (typeof value !== 'object' || value === null) continue;
    size +=
      Buffer.byteLength(name) + Buffer.byteLength(String(value.DataType ?? '')) + valueBytes(value).length;
  }
  return size;
}

/** Refuses a message SQS would refuse: no body, characters outside XML's, bad attributes, too large. */
export function validateMessage(input: MessageInput, maximumMessageSize: number): void {
  if (!input.body) throw missingParameter('MessageBody');
  if (INVALID_CHARACTER.test(input.body)) throw invalidMessageContents();
  const names = Object.keys(input.attributes);
  if (names.length > MAX_ATTRIBUTES)
    throw invalidParameter(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  for (const [name, value] of Object.entries(input.attributes)) validateAttribute(name, value);
  if (messageSize(input) > maximumMessageSize)
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maximumMessageSize} bytes.`,
    );
}

const lengthPrefixed = (bytes: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, bytes];
};

/**
 * MD5OfMessageAttributes as SQS computes it: for each attribute in name order, the length-prefixed name
 * and data type, a transport byte (1 for String and Number, 2 for Binary) and the length-prefixed value.
 */
export function md5OfAttributes(attributes: MessageAttributes): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts = names.flatMap((name) => {
    const value = attributes[name] as MessageAttributeValue;
    const transport = Buffer.from([value.DataType.startsWith('Binary') ? 2 : 1]);
    return [
      ...lengthPrefixed(Buffer.from(name, 'utf8')),
      ...lengthPrefixed(Buffer.from(value.DataType, 'utf8')),
      transport,
      ...lengthPrefixed(valueBytes(value)),
    ];
  });
  return md5Hex(Buffer.concat(parts));
}
