/**
 * Connection and request timeouts for every AWS SDK client of the product.
 * Without them a call that never answers holds the function until Lambda
 * kills it; with them the SDK gives up on the attempt and retries (its
 * standard strategy: three attempts with backoff), and a call that keeps
 * failing reaches our code while the invocation still has time to report it.
 * The budgets stay well inside the shortest function timeout (10 s) even
 * with every attempt timing out. (Without `throwOnRequestTimeout`, this SDK
 * only logs a warning when `requestTimeout` passes, and waits on.)
 */
export const SDK_CLIENT_TIMEOUTS = {
  /** DynamoDB answers single-item calls in milliseconds. */
  dynamodb: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
  /** Step Functions, EventBridge and Secrets Manager: control-plane style calls. */
  control: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const;
