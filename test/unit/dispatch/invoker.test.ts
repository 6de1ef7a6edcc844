import { describe, expect, it } from 'vitest';
import { DeliveryFailedError, isPermanent } from '../../../lib/dispatch/invoker';

function awsError(name: string, status: number) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('isPermanent', () => {
  it('never retries what cannot succeed, and retries throttling, 5xx, timeouts and network errors', () => {
    expect(isPermanent(awsError('ResourceNotFoundException', 404))).toBe(true);
    expect(isPermanent(awsError('RequestTooLargeException', 413))).toBe(true);
    expect(isPermanent(awsError('InvalidParameterValueException', 400))).toBe(true);
    expect(isPermanent(new DeliveryFailedError('not allowed', true))).toBe(true);
    expect(isPermanent(awsError('TooManyRequestsException', 429))).toBe(false);
    expect(isPermanent(awsError('ServiceException', 500))).toBe(false);
    expect(isPermanent(awsError('ResourceConflictException', 409))).toBe(false);
    expect(isPermanent(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))).toBe(false);
    expect(isPermanent(new DeliveryFailedError('Lambda answered 200', false))).toBe(false);
  });
});
