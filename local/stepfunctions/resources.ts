/** What a Task state's `Resource` ARN asks for, in the terms the local runtime serves. */
export type TaskResource =
  | { kind: 'lambda-function'; functionArn: string }
  | { kind: 'lambda-invoke'; callback: boolean };

const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;
const SERVICE_INTEGRATION = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/;

/** Classifies a Task `Resource`; `undefined` when the local runtime cannot serve it. */
export function classifyResource(resource: string): TaskResource | undefined {
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: 'lambda-function', functionArn: resource };
  const invoke = LAMBDA_INVOKE.exec(resource);
  if (invoke) return { kind: 'lambda-invoke', callback: invoke[1] !== undefined };
  return undefined;
}

/**
 * How history events name a service integration: `arn:aws:states:::lambda:invoke.waitForTaskToken`
 * → `{ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' }` (as in TaskScheduled on AWS).
 */
export function integrationName(resource: string): { resourceType: string; resource: string } {
  const match = SERVICE_INTEGRATION.exec(resource);
  return { resourceType: match?.[1] ?? 'unknown', resource: match?.[2] ?? resource };
}
