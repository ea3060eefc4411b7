import { type JsonValue, toJsonValue } from './json.ts';
import { TaskFailure } from './task-failure.ts';

/** Settings shared by the SDK clients of the optimized integrations: a local endpoint and dummy credentials. */
export function localClientConfig(endpoint: string, region: string) {
  return { endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/**
 * Turns an SDK response into the Task result Step Functions produces: the response without
 * `$metadata`, binary values as base64 strings, JSON-clean.
 */
export function sdkResponseToJson(response: object): JsonValue {
  const { $metadata: _metadata, ...rest } = response as { $metadata?: unknown };
  return toJsonValue(rest, (_key, value) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
  );
}

/**
 * Maps an SDK error to the Task failure Step Functions raises for an optimized integration:
 * error `<Service>.<ExceptionName>` (e.g. `DynamoDB.ConditionalCheckFailedException`) and a cause in the
 * AWS format `message (Service: …; Status Code: …; Error Code: …; Request ID: …; Proxy: null)`.
 */
export function integrationError(service: string, awsService: string, error: unknown): TaskFailure {
  if (!(error instanceof Error)) return new TaskFailure('States.TaskFailed', String(error));
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  if (metadata?.httpStatusCode === undefined) {
    // Not an answer from the service (e.g. connection refused): a local misconfiguration, not an AWS error.
    return new TaskFailure('States.TaskFailed', `${service} call failed: ${error.message}`);
  }
  return new TaskFailure(
    `${service}.${error.name}`,
    `${error.message} (Service: ${awsService}; Status Code: ${metadata.httpStatusCode}; Error Code: ${error.name}; Request ID: ${metadata.requestId ?? 'local'}; Proxy: null)`,
  );
}
