/**
 * List prices, us-east-1, as published on 2026-11-22 (docs/performance.md cites them):
 * Lambda https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests; $0.0000133334 per GB-s on
 * arm64); DynamoDB on-demand https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million write
 * request units, $0.125 per million read request units); SQS https://aws.amazon.com/sqs/pricing/ ($0.40
 * per million requests, standard queues, past the free tier; each 64 KiB chunk of a request is billed as
 * one request).
 */
export const PRICE = {
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
};

/** The construct's functions: 1024 MB, arm64 (cdk/sundial.ts). */
export const FUNCTION_GB = 1;
/** EventBridge's rate(1 minute), over an average month. */
export const TICKS_PER_MONTH = 1_440 * 30.4;
