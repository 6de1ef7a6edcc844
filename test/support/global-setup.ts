import type { TestProject } from 'vitest/node';

// Global setup runs outside the test workers, so vitest's `env` does not reach it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { buildConsole } from '../../scripts/build-console';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/**
 * One real DynamoDB Local (in memory, free port) for the whole run; each test file makes its own table.
 * The console is built first (about a second), so the local cloud serves the current page.
 */
export default async function setup(project: TestProject) {
  await buildConsole();
  const dynamodb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return () => dynamodb.stop();
}
