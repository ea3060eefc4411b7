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
const maxResults = z.number().int().min(0).max(1000).optional();
const nextToken = z.string().min(1).max(1024).optional();
const status = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** Default page size of the paginated operations on AWS. */
const DEFAULT_PAGE_SIZE = 100;

/** The supported operations, by the name that follows `AWSStepFunctions.` in `X-Amz-Target`. */
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
      z.object({
        executionArn: arn,
        maxResults,
        reverseOrder: z.boolean().optional(),
        nextToken,
        includeExecutionData: z.boolean().optional(),
      }),
    );
    const history = [...service.execution(input.executionArn).history];
    if (input.reverseOrder) history.reverse();
    const page = paginate(history, input.maxResults, input.nextToken, input.executionArn);
    const withData = input.includeExecutionData !== false;
    return { events: page.items.map((event) => historyEventToWire(event, withData)), ...page.next };
  },

  ListExecutions(service, request) {
    const input = parse(
      request,
      z.object({ stateMachineArn: arn, statusFilter: status.optional(), maxResults, nextToken }),
    );
    const executions = service.listExecutions(input.stateMachineArn, input.statusFilter);
    const page = paginate(executions, input.maxResults, input.nextToken, input.stateMachineArn);
    return { executions: page.items.map(executionListItem), ...page.next };
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

  SendTaskFailure(service, request) {
    const input = parse(request, z.object({ taskToken: z.string(), error: errorName, cause: errorCause }));
    service.sendTaskFailure(input.taskToken, input.error, input.cause);
    return {};
  },

  DescribeStateMachine(service, request) {
    const { stateMachineArn } = parse(request, z.object({ stateMachineArn: arn }));
    const machine = service.machines.find((m) => m.arn === stateMachineArn);
    if (!machine) {
      throw new ServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: 'STANDARD',
      creationDate: epochSeconds(machine.creationDate),
    };
  },

  ListStateMachines(service) {
    return {
      stateMachines: service.machines.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: 'STANDARD',
        creationDate: epochSeconds(m.creationDate),
      })),
    };
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

/**
 * One page of `items`. The next token encodes the offset and what was listed, so a token cannot be
 * replayed against another listing (AWS answers `InvalidToken` for a token it cannot use).
 */
function paginate<T>(items: T[], pageSize: number | undefined, token: string | undefined, scope: string) {
  let offset = 0;
  if (token !== undefined) {
    const decoded = decodePageToken(token);
    if (!decoded || decoded.scope !== scope)
      throw new ServiceError('InvalidToken', 'Invalid pagination token');
    offset = decoded.offset;
  }
  const size = pageSize || DEFAULT_PAGE_SIZE;
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    next:
      end < items.length
        ? { nextToken: Buffer.from(JSON.stringify({ scope, offset: end })).toString('base64url') }
        : {},
  };
}

function decodePageToken(token: string): { scope: string; offset: number } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const parsed = z.object({ scope: z.string(), offset: z.number().int().min(0) }).safeParse(value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
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
