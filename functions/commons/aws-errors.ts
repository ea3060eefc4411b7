import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

import { WorkflowErrorNames } from '../contract/workflow-errors.ts';

/** The name the state machine's Retry rules match (functions/contract/workflow-errors.ts). */
export const TRANSIENT_AWS_ERROR = WorkflowErrorNames.transientAws;

/**
 * An AWS call (DynamoDB, Step Functions, EventBridge, Secrets Manager) failed
 * in a way worth retrying (throttled, timed out, a 5xx, a dropped
 * connection) and the SDK's own retries ran out. The name is a contract with
 * the state machine, whose Retry rules resend the step with a longer backoff.
 */
export class TransientAwsError extends Error {
  override readonly name = TRANSIENT_AWS_ERROR;
}

/** The SDK's error shape: an Error whose AWS fields (`$metadata`, `$retryable`, ...) are all optional. */
type SdkError = Parameters<typeof isThrottlingError>[0];
const isSdkError = (error: unknown): error is SdkError => error instanceof Error;

/**
 * The SDK's own classification (the one its retry strategy uses), so that
 * what the SDK would retry once more the state machine retries later.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!isSdkError(error)) return false;
  return isThrottlingError(error) || isTransientError(error) || isServerError(error);
}
