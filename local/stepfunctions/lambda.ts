import { randomUUID } from 'node:crypto';
import { type JsonValue, toJsonValue } from './json.ts';
import { TaskFailure } from './task-failure.ts';
import type { LambdaFault, LambdaFunction } from './types.ts';

const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/;
const PARTIAL_ARN = /^(?:\d{12}:function:)?([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/;

/**
 * Finds the local function for a Lambda `FunctionName` in any form Lambda accepts (name, ARN, partial
 * ARN, with or without a version/alias qualifier, which is ignored: there is only `$LATEST` locally).
 * Tried in order: the exact key, the unqualified ARN, the bare name, then any key that is the ARN of a
 * function with that name (so functions registered by ARN answer to their name as well).
 */
export function resolveLambda(
  lambdas: Record<string, LambdaFunction>,
  nameOrArn: string,
): LambdaFunction | undefined {
  const key = resolveLambdaKey(lambdas, nameOrArn);
  return key === undefined ? undefined : lambdas[key];
}

/** The key in `lambdas` under which {@link resolveLambda} finds the function. */
export function resolveLambdaKey(
  lambdas: Record<string, LambdaFunction>,
  nameOrArn: string,
): string | undefined {
  if (Object.hasOwn(lambdas, nameOrArn)) return nameOrArn;
  const arn = FUNCTION_ARN.exec(nameOrArn);
  const name = arn?.[1] ?? PARTIAL_ARN.exec(nameOrArn)?.[1];
  if (name === undefined) return undefined;
  if (arn) {
    const unqualified = nameOrArn.split(':').slice(0, 7).join(':');
    if (Object.hasOwn(lambdas, unqualified)) return unqualified;
  }
  if (Object.hasOwn(lambdas, name)) return name;
  return Object.keys(lambdas).find((key) => FUNCTION_ARN.exec(key)?.[1] === name);
}

/** The error Step Functions raises when the function of a Lambda Task does not exist. */
export function lambdaNotFound(nameOrArn: string): TaskFailure {
  return new TaskFailure(
    'Lambda.ResourceNotFoundException',
    `Function not found: ${nameOrArn} (Service: Lambda, Status Code: 404, Error Code: ResourceNotFoundException)`,
  );
}

/**
 * Invokes a local function the way Lambda would: the function gets a private JSON copy of the payload,
 * its result is JSON round-tripped (`undefined` → `null`), and a thrown error becomes a Task failure
 * named after the error's `name` (Lambda's `errorType`) with the Lambda error payload as cause, so ASL
 * `Retry`/`Catch` on `["MyError"]` match as they do on AWS.
 */
export async function invokeLambda(
  fn: LambdaFunction,
  payload: JsonValue,
  fault?: LambdaFault,
): Promise<JsonValue> {
  // Refused by the Lambda service: the function never runs.
  if (fault?.fault === 'throttle')
    throw lambdaServiceException('TooManyRequestsException', 429, 'Rate Exceeded.');
  if (fault?.fault === 'error')
    throw lambdaServiceException('ServiceException', 500, 'Lambda encountered an internal error.');
  let result: unknown;
  try {
    result = await fn(toJsonValue(payload));
  } catch (error) {
    // Under a timeout or a lost answer the function's own outcome never reaches Step Functions.
    if (fault === undefined) throw lambdaError(error);
  }
  if (fault?.fault === 'timeout') {
    // What Lambda reports for a function that ran out of time (nodejs24.x may say Sandbox.Timedout).
    const errorMessage = `${randomUUID()} Task timed out after ${fault.timeoutSeconds.toFixed(2)} seconds`;
    throw new TaskFailure('Lambda.Unknown', JSON.stringify({ errorMessage }));
  }
  if (fault?.fault === 'lost_answer')
    throw lambdaServiceException('ServiceException', 500, 'Lambda encountered an internal error.');
  return toJsonValue(result);
}

/**
 * The error Step Functions raises when the Lambda service itself fails the Invoke call (not the
 * function): `Lambda.<Code>`, with the service-exception cause Step Functions writes.
 */
export function lambdaServiceException(code: string, status: number, message: string): TaskFailure {
  return new TaskFailure(
    `Lambda.${code}`,
    `${message} (Service: AWSLambda; Status Code: ${status}; Error Code: ${code}; Request ID: ${randomUUID()}; Proxy: null)`,
  );
}

function lambdaError(error: unknown): TaskFailure {
  const errorType = error instanceof Error ? error.name : typeof error;
  const errorMessage = error instanceof Error ? error.message : String(error);
  // `trace` is empty rather than the local stack: the cause lands in execution history and Catch output.
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace: [] }));
}
