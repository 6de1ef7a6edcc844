/**
 * An error the local SQS endpoint answers as SQS does over its JSON protocol: the body's `__type` names the
 * Smithy shape, the `x-amzn-query-error` header carries the older query-protocol code, which
 * `@aws-sdk/client-sqs` (an `awsQueryCompatible` client) reads first to pick the typed exception.
 * Codes without a modelled shape (InvalidParameterValue, MissingParameter) reach callers as an
 * `SQSServiceException` whose `name` is the code, as they do from AWS.
 */
export class QueueError extends Error {
  constructor(
    /** The query-protocol code, e.g. `AWS.SimpleQueueService.TooManyEntriesInBatchRequest`. */
    readonly code: string,
    /** The Smithy shape name in `__type`, e.g. `TooManyEntriesInBatchRequest`. */
    readonly shape: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'QueueError';
  }
}

/** What a batch answers in `Failed` for an entry it refused while the others went through. */
export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export const batchFailure = (id: string, error: QueueError): BatchFailure => ({
  Id: id,
  SenderFault: error.status < 500,
  Code: error.code,
  Message: error.message,
});

export const invalidParameter = (message: string) =>
  new QueueError('InvalidParameterValue', 'InvalidParameterValueException', 400, message);

/** SQS's wording for a number outside its range: `Value 901 for parameter DelaySeconds is invalid. Reason: …`. */
export const invalidValue = (name: string, value: unknown, reason: string) =>
  invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);

export const missingParameter = (name: string) =>
  new QueueError(
    'MissingParameter',
    'MissingRequiredParameterException',
    400,
    `The request must contain the parameter ${name}.`,
  );

export const queueDoesNotExist = () =>
  new QueueError(
    'AWS.SimpleQueueService.NonExistentQueue',
    'QueueDoesNotExist',
    400,
    'The specified queue does not exist.',
  );

export const receiptHandleIsInvalid = (handle: string) =>
  new QueueError(
    'ReceiptHandleIsInvalid',
    'ReceiptHandleIsInvalid',
    404,
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  );

/** A handle SQS issued, but for a receive that is over: the message was deleted or received again since. */
export const staleReceiptHandle = (handle: string) =>
  invalidValue(
    'ReceiptHandle',
    handle,
    'Message does not exist or is not available for visibility timeout change.',
  );

export const messageNotInflight = () =>
  new QueueError(
    'AWS.SimpleQueueService.MessageNotInflight',
    'MessageNotInflight',
    400,
    'The message referred to is not in flight.',
  );

export const emptyBatch = (entry: string) =>
  new QueueError(
    'AWS.SimpleQueueService.EmptyBatchRequest',
    'EmptyBatchRequest',
    400,
    `There should be at least one ${entry} in the request.`,
  );

export const tooManyEntries = (count: number) =>
  new QueueError(
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    'TooManyEntriesInBatchRequest',
    400,
    `Maximum number of entries per request are 10. You have sent ${count}.`,
  );

export const invalidBatchEntryId = () =>
  new QueueError(
    'AWS.SimpleQueueService.InvalidBatchEntryId',
    'InvalidBatchEntryId',
    400,
    'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
  );

export const batchEntryIdsNotDistinct = (id: string) =>
  new QueueError(
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    'BatchEntryIdsNotDistinct',
    400,
    `Id ${id} repeated.`,
  );

export const batchRequestTooLong = (limit: number, size: number) =>
  new QueueError(
    'AWS.SimpleQueueService.BatchRequestTooLong',
    'BatchRequestTooLong',
    400,
    `Batch requests cannot be longer than ${limit} bytes. You have sent ${size} bytes.`,
  );

export const invalidMessageContents = () =>
  new QueueError('InvalidMessageContents', 'InvalidMessageContents', 400, 'Invalid characters found.');

export const invalidAttributeName = (name: string) =>
  new QueueError('InvalidAttributeName', 'InvalidAttributeName', 400, `Unknown Attribute ${name}.`);

/** The modelled answer for a request that is not signed with SigV4 (by this run's credentials). */
export const invalidSecurity = (reason: string) =>
  new QueueError('InvalidSecurity', 'InvalidSecurity', 403, reason);

export const unsupportedOperation = (action: string) =>
  new QueueError(
    'AWS.SimpleQueueService.UnsupportedOperation',
    'UnsupportedOperation',
    400,
    `${action} is not supported by the local SQS endpoint.`,
  );
