import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiDocument } from '../lib/api/app';

/** Writes docs/openapi.json from the zod schemas; test/unit/api/openapi.test.ts fails when it is stale. */
export const OPENAPI_FILE = resolve(import.meta.dirname, '../docs/openapi.json');
export const renderOpenApi = () => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

if (process.argv[1] === import.meta.filename) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
