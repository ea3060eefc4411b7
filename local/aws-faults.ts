import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

/**
 * AWS fault injection for the local runtime: one registry per stack, shared by the local DynamoDB
 * proxy, Step Functions, EventBridge and Secrets Manager, and by the local Step Functions' Lambda Tasks.
 * Each service asks {@link AwsFaults.take} before carrying out a call and, when a rule applies, answers
 * the way the real service would (see {@link faultAnswer}, {@link holdWithoutAnswer}, {@link dropAnswer}).
 */

export const FAULT_SERVICES = ['dynamodb', 'sfn', 'eventbridge', 'lambda', 'secretsmanager'] as const;
export type AwsFaultService = (typeof FAULT_SERVICES)[number];

export const FAULT_KINDS = ['throttle', 'error', 'timeout', 'lost_answer'] as const;
export type AwsFaultKind = (typeof FAULT_KINDS)[number];

/** A rule as callers give it (`POST /_local/aws-faults`, `LocalStack.faults.add`). */
export interface AwsFaultRule {
  service: AwsFaultService;
  /** The API operation (UpdateItem, StartExecution, PutEvents, …) or, for `lambda`, the function's logical id; absent: every operation. */
  operation?: string;
  fault: AwsFaultKind;
  /** How many matching calls it applies to; default 1. */
  times?: number;
  /** Only calls that belong to this journey. */
  match?: { onboarding_id?: string };
}

/** A rule as `GET /_local/aws-faults` and `LocalStack.faults.list()` report it. */
export interface AwsFaultRuleState {
  id: string;
  service: AwsFaultService;
  operation?: string;
  fault: AwsFaultKind;
  times: number;
  remaining: number;
  fired: number;
  match?: { onboarding_id: string };
}

/** A fault that applies to one call. */
export interface AppliedFault {
  ruleId: string;
  fault: AwsFaultKind;
  /** Whether `text` (e.g. one PutEvents entry) belongs to the rule's journey; always true for an unscoped rule. */
  concerns(text: string): boolean;
}

/** One call as a service presents it to the registry. */
export interface AwsCall {
  service: AwsFaultService;
  operation: string;
  /**
   * The texts a rule's onboarding id is looked for in: the request body and whatever else ties the call
   * to a journey (the execution behind a task token). Only computed when a scoped rule is tried.
   */
  subjects: () => readonly string[];
}

/** The registry's view of the stack: which operation names exist, per service (for validation). */
export type KnownOperations = Partial<Record<AwsFaultService, readonly string[]>>;

/** A rule that could not be added; `problems` name the fields. */
export class InvalidFaultRuleError extends Error {
  override readonly name = 'InvalidFaultRuleError';
  readonly problems: ReadonlyArray<{ field: string; message: string }>;

  constructor(problems: ReadonlyArray<{ field: string; message: string }>) {
    super(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '));
    this.problems = problems;
  }
}

const ruleSchema = z.strictObject({
  service: z.enum(FAULT_SERVICES),
  operation: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,127}$/, 'must be an operation name such as UpdateItem')
    .optional(),
  fault: z.enum(FAULT_KINDS),
  times: z.number().int().positive().max(1_000_000).default(1),
  match: z.strictObject({ onboarding_id: z.string().min(1).max(256).optional() }).optional(),
});

interface StoredRule {
  readonly id: string;
  readonly service: AwsFaultService;
  readonly operation: string | undefined;
  readonly fault: AwsFaultKind;
  readonly times: number;
  readonly onboardingId: string | undefined;
  fired: number;
}

export class AwsFaults {
  readonly #rules: StoredRule[] = [];
  readonly #known: KnownOperations;
  /** Rules with calls left, per service: lets every service skip the registry in one lookup when idle. */
  readonly #armed = new Map<AwsFaultService, number>();

  constructor(known: KnownOperations = {}) {
    this.#known = known;
  }

  /** Validates and adds a rule (tried after those added before it); returns its id. */
  add(rule: unknown): string {
    const parsed = ruleSchema.safeParse(rule);
    if (!parsed.success) {
      throw new InvalidFaultRuleError(
        parsed.error.issues.map((issue) => ({
          field: issue.path.length ? issue.path.join('.') : '(body)',
          message: issue.message,
        })),
      );
    }
    const { service, operation, fault, times, match } = parsed.data;
    const known = this.#known[service];
    if (operation !== undefined && known !== undefined && !known.includes(operation)) {
      throw new InvalidFaultRuleError([
        {
          field: 'operation',
          message: `${service} has no operation ${operation}; one of ${known.join(', ')}`,
        },
      ]);
    }
    const id = randomUUID();
    this.#rules.push({
      id,
      service,
      operation,
      fault,
      times,
      onboardingId: match?.onboarding_id,
      fired: 0,
    });
    this.#armed.set(service, (this.#armed.get(service) ?? 0) + 1);
    return id;
  }

  /** Every rule in the order it is tried, with how often it fired. */
  list(): AwsFaultRuleState[] {
    return this.#rules.map((rule) => ({
      id: rule.id,
      service: rule.service,
      ...(rule.operation === undefined ? {} : { operation: rule.operation }),
      fault: rule.fault,
      times: rule.times,
      remaining: rule.times - rule.fired,
      fired: rule.fired,
      ...(rule.onboardingId === undefined ? {} : { match: { onboarding_id: rule.onboardingId } }),
    }));
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules.length = 0;
    this.#armed.clear();
  }

  /** Whether any rule of `service` still has calls left (a cheap check before buffering a request). */
  armed(service: AwsFaultService): boolean {
    return (this.#armed.get(service) ?? 0) > 0;
  }

  /**
   * The fault for this call, if any: the first rule, in the order added, that matches and has calls left.
   * The call consumes one of that rule's `times`.
   */
  take(call: AwsCall): AppliedFault | undefined {
    if (!this.armed(call.service)) return undefined;
    let subjects: readonly string[] | undefined;
    for (const rule of this.#rules) {
      if (rule.fired >= rule.times || rule.service !== call.service) continue;
      if (rule.operation !== undefined && rule.operation !== call.operation) continue;
      const id = rule.onboardingId;
      if (id !== undefined) {
        subjects ??= call.subjects();
        if (!subjects.some((text) => text.includes(id))) continue;
      }
      rule.fired++;
      if (rule.fired === rule.times) this.#armed.set(rule.service, (this.#armed.get(rule.service) ?? 1) - 1);
      return {
        ruleId: rule.id,
        fault: rule.fault,
        concerns: (text) => id === undefined || text.includes(id),
      };
    }
    return undefined;
  }
}

/** An error answer in the AWS JSON protocols. */
export interface FaultAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** DynamoDB operations that read (their throttling reason says Read, the others Write). */
const DYNAMODB_READS = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
]);

/**
 * What each service answers for a `throttle` or `error` fault, as the real service sends it
 * (PutEvents throttling is a partial failure instead, see local/eventbridge.ts; Lambda faults are
 * Task failures, see local/stepfunctions/lambda.ts).
 */
export function faultAnswer(
  service: Exclude<AwsFaultService, 'lambda'>,
  fault: 'throttle' | 'error',
  call: { operation: string; resourceArn?: string },
): FaultAnswer {
  switch (service) {
    case 'dynamodb':
      return fault === 'throttle'
        ? {
            status: 400,
            body: {
              __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
              message:
                'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly.',
              ThrottlingReasons: [
                {
                  reason: DYNAMODB_READS.has(call.operation)
                    ? 'TableReadKeyRangeThroughputExceeded'
                    : 'TableWriteKeyRangeThroughputExceeded',
                  resource: call.resourceArn ?? '*',
                },
              ],
            },
          }
        : {
            status: 500,
            body: {
              __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
              message: 'Internal server error',
            },
          };
    case 'sfn':
      return fault === 'throttle'
        ? { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }
        : {
            status: 500,
            body: {
              __type: 'InternalFailure',
              message: 'The request processing has failed because of an unknown error, exception or failure.',
            },
          };
    case 'eventbridge':
      return fault === 'throttle'
        ? { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }
        : { status: 500, body: { __type: 'InternalException', message: 'Internal service error.' } };
    case 'secretsmanager':
      return fault === 'throttle'
        ? { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }
        : {
            status: 500,
            body: { __type: 'InternalServiceError', message: 'An error occurred on the server side.' },
          };
  }
}

/** Writes a fault answer with the headers AWS JSON services send. */
export function sendFaultAnswer(response: ServerResponse, answer: FaultAnswer, contentType: string): void {
  const body = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(body);
}

/**
 * `timeout`: the request is not carried out and nothing is ever answered. The socket stays open until
 * the client gives up (its requestTimeout or abort closes it) or the server closes, whose
 * `closeAllConnections()` destroys it; there is nothing to clean up in between.
 */
export function holdWithoutAnswer(request: IncomingMessage): void {
  // No idle timeout of our own: the client decides when it has waited long enough.
  request.socket.setTimeout(0);
}

/**
 * `lost_answer`, after the call has taken effect: the connection is reset instead of answered, so the
 * client sees ECONNRESET (which the SDK retries) and never learns the outcome.
 */
export function dropAnswer(request: IncomingMessage): void {
  request.socket.resetAndDestroy();
}

const MAX_RULE_BYTES = 16 * 1024;

function sendJson(response: ServerResponse, status: number, body: unknown, contentType = 'application/json') {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function sendProblem(response: ServerResponse, problems: ReadonlyArray<{ field: string; message: string }>) {
  const [first] = problems;
  sendJson(
    response,
    400,
    {
      type: 'urn:signupplus:problem:invalid-request',
      title: 'Invalid request',
      status: 400,
      detail:
        problems.length === 1 && first
          ? `${first.field}: ${first.message}`
          : `${problems.length} problems in the fault rule`,
      errors: problems,
    },
    'application/problem+json',
  );
}

async function readRule(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_RULE_BYTES)
      throw new InvalidFaultRuleError([{ field: '(body)', message: 'must be at most 16 KiB' }]);
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InvalidFaultRuleError([{ field: '(body)', message: 'must be a JSON object' }]);
  }
}

/**
 * `/_local/aws-faults` on the API port: `POST` a rule (201 `{ id }`, 400 problem+json naming the fields),
 * `GET` the rules (200 `{ rules }`), `DELETE` them all (204).
 */
export async function serveFaultsApi(
  faults: Pick<AwsFaults, 'add' | 'list' | 'clear'>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  switch (request.method) {
    case 'GET':
      return sendJson(response, 200, { rules: faults.list() });
    case 'DELETE':
      faults.clear();
      response.writeHead(204, { 'cache-control': 'no-store' });
      response.end();
      return;
    case 'POST':
      try {
        return sendJson(response, 201, { id: faults.add(await readRule(request)) });
      } catch (error) {
        if (error instanceof InvalidFaultRuleError) return sendProblem(response, error.problems);
        throw error;
      }
    default:
      response.writeHead(405, { allow: 'GET, POST, DELETE', 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Method Not Allowed' }));
  }
}
