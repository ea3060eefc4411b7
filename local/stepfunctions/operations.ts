import { z } from 'zod';
import { ServiceError } from './errors.ts';
import type { Execution } from './execution.ts';
import type { StepFunctionsService } from './service.ts';
import type { HistoryEvent } from './types.ts';

/** An API operation: validates its JSON request, returns its JSON response (or throws {@link ServiceError}). */
type Operation = (service: StepFunctionsService, request: unknown) => Promise<object> | object;

const arn = z.string().min(1).max(2048);
const errorName = z.string().max(256).optional();
const errorCause = z.string().max(32768).optional();

/**
 * The supported operations, by the name that follows `AWSStepFunctions.` in `X-Amz-Target`: those the
 * product calls (StartExecution, DescribeExecution, SendTaskSuccess), and those its tests and an
 * operator use to look at or stop a journey (GetExecutionHistory, ListExecutions, StopExecution).
 * Listings come in one page: no `maxResults`/`nextToken`.
 */
export const operations: Record<string, Operation> = {
  StartExecution(service, request) {
    const input = parse(
      request,
      z.object({ stateMachineArn: arn, name: z.string().optional(), input: z.string().optional() }),
    );
    const execution = service.startExecution(input.stateMachineArn, input.name, input.input);
    return { executionArn: execution.arn, startDate: epochSeconds(execution.startDate) };
  },

  DescribeExecution(service, request) {
    const { executionArn } = parse(request, z.object({ executionArn: arn }));
    const record = service.execution(executionArn).snapshot();
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: epochSeconds(record.startDate),
      ...(record.stopDate ? { stopDate: epochSeconds(record.stopDate) } : {}),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
    };
  },

  GetExecutionHistory(service, request) {
    const input = parse(
      request,
      z.object({ executionArn: arn, includeExecutionData: z.boolean().optional() }),
    );
    const withData = input.includeExecutionData !== false;
    return {
      events: service
        .execution(input.executionArn)
        .history.map((event) => historyEventToWire(event, withData)),
    };
  },

  ListExecutions(service, request) {
    const { stateMachineArn } = parse(request, z.object({ stateMachineArn: arn }));
    return { executions: service.listExecutions(stateMachineArn).map(executionListItem) };
  },

  async StopExecution(service, request) {
    const input = parse(request, z.object({ executionArn: arn, error: errorName, cause: errorCause }));
    return {
      stopDate: epochSeconds(await service.stopExecution(input.executionArn, input.error, input.cause)),
    };
  },

  SendTaskSuccess(service, request) {
    const input = parse(request, z.object({ taskToken: z.string(), output: z.string() }));
    service.sendTaskSuccess(input.taskToken, input.output);
    return {};
  },
};

/** AWS JSON protocol timestamps: seconds since the epoch, fractional. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function parse<T>(request: unknown, schema: z.ZodType<T>): T {
  const result = schema.safeParse(request ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `'${issue.path.join('.') || '(request)'}': ${issue.message}`,
    );
    throw new ServiceError(
      'ValidationException',
      `${problems.length} validation error(s) detected: ${problems.join('; ')}`,
    );
  }
  return result.data;
}

function executionListItem(execution: Execution) {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
  };
}

// Execution data in history details: left out when includeExecutionData is false, as on AWS.
const EXECUTION_DATA = new Set(['input', 'output', 'parameters']);

/** A history event in the wire shape: epoch-second timestamp, optionally without execution data. */
export function historyEventToWire(
  event: HistoryEvent,
  includeExecutionData: boolean,
): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'timestamp') wire[key] = epochSeconds(event.timestamp);
    else if (
      !includeExecutionData &&
      key.endsWith('EventDetails') &&
      typeof value === 'object' &&
      value !== null
    ) {
      wire[key] = Object.fromEntries(Object.entries(value).filter(([field]) => !EXECUTION_DATA.has(field)));
    } else wire[key] = value;
  }
  return wire;
}
