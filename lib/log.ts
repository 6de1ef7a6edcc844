/** A structured log line: the Lambdas write it through Powertools Logger, local mode to the console. */
export type Log = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;
