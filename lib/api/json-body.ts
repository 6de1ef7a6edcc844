import { type FieldError, ValidationError } from '../errors';

/**
 * The largest request body: a full batch (100 tasks, 3 MiB of payloads) with room for the rest of each
 * task; below API Gateway's 10 MB and the 6 MB a synchronous Lambda invocation carries.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A number literal as sign, significant digits and exponent (`1.50e2` → `15e1`), to compare values. */
function decimal(literal: string): string {
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = DECIMAL.exec(literal) ?? [];
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  const significant = digits.replace(/0+$/, '');
  const scale = Number(exponent) - fraction.length + (digits.length - significant.length);
  return `${sign}${significant}e${scale}`;
}

/** Why JSON.parse would change this number literal, or undefined when it keeps its exact value. */
export function numberChange(literal: string): string | undefined {
  const value = Number(literal);
  if (!Number.isFinite(value)) {
    return `${literal} is out of range: JSON numbers are kept as 64-bit floats (at most about 1.8e308); send it as a string`;
  }
  if (decimal(literal) === decimal(String(value))) return undefined;
  return `${literal} would be stored as ${value}: JSON numbers are kept as 64-bit floats; send it as a string to keep every digit`;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let end = start;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end < 0) return text.length;
    let backslashes = 0;
    while (text[end - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return end;
  }
}

/** The key whose quotes stand at `start` and `end` (unescaped by JSON.parse only when it has escapes). */
const keyAt = (text: string, start: number, end: number): string => {
  const raw = text.slice(start + 1, end);
  return raw.includes('\\') ? JSON.parse(`"${raw}"`) : raw;
};
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// At most 15 significant digits and no exponent: every such decimal survives a 64-bit float exactly.
const surelyExact = (literal: string) => literal.length <= 15 && !/[eE]/.test(literal);
// So a text holds a number that may change only where 16 digits (or dots) run together or a digit has an
// exponent; one native pass rules most bodies out (a match, say inside a string, only costs the full scan).
const MAYBE_INEXACT = /[\d.]{16}|\d[eE][+-]?\d/;

/** Where a scan of a JSON text stands: the path of the current value, and what each level is. */
interface Cursor {
  path: (string | number)[];
  inArray: boolean[];
  expectKey: boolean;
}

/** Moves the cursor over one structural character; false when `char` is not one. */
function step(cursor: Cursor, char: string): boolean {
  const { path, inArray } = cursor;
  if (char === '{' || char === '[') {
    inArray.push(char === '[');
    path.push(char === '[' ? 0 : '');
    cursor.expectKey = char === '{';
  } else if (char === '}' || char === ']') {
    inArray.pop();
    path.pop();
  } else if (char === ',') {
    if (inArray.at(-1)) path[path.length - 1] = (path.at(-1) as number) + 1;
    else cursor.expectKey = true;
  } else return false;
  return true;
}

/**
 * Every number in a JSON text (one that JSON.parse accepts) whose value JSON.parse would change, with the
 * dotted path of its field; at most `limit` of them.
 * Hand-written: on Node 20 JSON.parse hides a number's source text (V8 11.4 adds it), and the parsers that
 * keep it (lossless-json, jsonc-parser) recurse once per nesting level, which a hostile body overflows.
 */
export function inexactNumbers(text: string, limit = 10): FieldError[] {
  if (!MAYBE_INEXACT.test(text)) return [];
  const cursor: Cursor = { path: [], inArray: [], expectKey: false };
  const errors: FieldError[] = [];
  for (let i = 0; i < text.length && errors.length < limit; i++) {
    const char = text[i] as string;
    if (step(cursor, char)) continue;
    if (char === '"') {
      const end = stringEnd(text, i);
      if (cursor.expectKey) cursor.path[cursor.path.length - 1] = keyAt(text, i, end);
      cursor.expectKey = false;
      i = end;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)?.[0] ?? char;
      const message = surelyExact(literal) ? undefined : numberChange(literal);
      if (message) errors.push({ path: cursor.path.join('.'), message });
      i += literal.length - 1;
    }
  }
  return errors;
}

/**
 * A request body parsed as JSON, refused with a ValidationError when it is not JSON or when a number in
 * it would not survive parsing exactly (nothing stored may differ from what was sent).
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError([{ path: '', message: 'the body must be a JSON document' }], { cause: error });
  }
  const errors = inexactNumbers(text);
  if (errors.length) throw new ValidationError(errors);
  return value;
}
