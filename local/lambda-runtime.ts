import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
export type LocalFunction = (event: unknown) => Promise<unknown>;

function isHandler(value: unknown): value is LambdaHandler {
  return typeof value === 'function';
}

/**
 * Loads a function's module (the same file CDK bundles) and returns a caller
 * that invokes its `handler` with a Lambda-like context, one invocation at a
 * time per call, as the Lambda service would.
 */
export async function loadLocalFunction(options: {
  entry: string;
  functionName: string;
  region: string;
  accountId: string;
  memoryMb: number;
  timeoutSeconds: number;
}): Promise<LocalFunction> {
  const module: Record<string, unknown> = await import(new URL(`../${options.entry}`, import.meta.url).href);
  const handler = module.handler;
  if (!isHandler(handler)) throw new Error(`${options.entry} does not export a handler function`);
  const invokedFunctionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`;
  return (event) => {
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: options.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn,
      memoryLimitInMB: String(options.memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${options.functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    return handler(event, context);
  };
}
