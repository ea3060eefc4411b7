/**
 * Counts every AWS SDK call made in this process, by service and operation,
 * for the cost section. It wraps `send` on the SDK's shared client base class
 * (every client and the DynamoDB document client inherit it), so the
 * product's module-scope clients and the ones Powertools builds for itself
 * are all seen without touching product code. DynamoDB requests additionally
 * ask for ReturnConsumedCapacity=TOTAL, so dynalite reports the capacity
 * units each call consumed, computed from item sizes as DynamoDB does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface AwsCall {
  service: string;
  operation: string;
  table?: string;
  /** Capacity units DynamoDB (dynalite) reported; absent when the call failed. */
  capacityUnits?: number;
  consistentRead?: boolean;
  conditionalFailure: boolean;
  /** PutEvents: entries sent, and their detail types. */
  entries?: number;
  detailTypes?: string[];
  /** What the call is for in a journey, and the guarantee it buys (see describeCall). */
  step: string;
  guarantee: string;
  failed: boolean;
}

interface CallRule {
  service: string;
  operation: string;
  /** Which item: the sort key (PROFILE, STATE, SECRETS), or the table for other tables. */
  item?: string;
  /** Present in the update expression. */
  updates?: string;
  step: string;
  guarantee: string;
}

/**
 * What each AWS call of a journey is for, and what it buys, in the order of
 * docs/reliability.md's mechanisms. The first matching rule wins; a call no
 * rule describes is reported as such, so a new call shows up in the report.
 */
const CALL_RULES: readonly CallRule[] = [
  {
    service: 'DynamoDB',
    operation: 'PutItem',
    item: 'PROFILE',
    step: 'create the onboarding record',
    guarantee: 'conditional on a new id: a create never overwrites another journey',
  },
  {
    service: 'DynamoDB',
    operation: 'PutItem',
    item: 'STATE',
    step: 'store the OAuth state, hashed',
    guarantee: 'the state TrueLayer hands back can be checked, and spent once',
  },
  {
    service: 'DynamoDB',
    operation: 'PutItem',
    item: 'SECRETS',
    step: "create the journey's secrets item",
    guarantee: 'the code and the token never sit in the record, the state data or the execution',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'STATE',
    step: 'spend the state',
    guarantee: 'conditional on unused and unexpired: a replayed or late callback is refused',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'SECRETS',
    updates: 'authorization_code = :code',
    step: 'store the authorization code',
    guarantee: 'only while no code was stored or spent: a replayed callback writes nothing',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'SECRETS',
    updates: 'code_exchange_attempt',
    step: 'record the exchange attempt, then send the code',
    guarantee: 'the single-use code goes to TrueLayer at most once, whatever is retried',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'SECRETS',
    updates: 'access_token',
    step: 'keep the token, drop the code',
    guarantee: 'the code is spent: the token is saved before anything else can fail',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'SECRETS',
    updates: 'task_token',
    step: "keep the waiting task's token",
    guarantee: 'the choice handler (or the reconciler) can resume the waiting workflow',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'PROFILE',
    updates: 'REMOVE #outbox',
    step: 'confirm the published events',
    guarantee: 'conditional on the outbox holding what was published: anything unconfirmed is republished',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'PROFILE',
    updates: '#outbox = list_append',
    step: 'commit the change with its event in the outbox',
    guarantee:
      'conditional on the in-between status, tagged with a write_id: one end (or choice request) is recorded and announced, and a resent write whose answer was lost counts as done',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'PROFILE',
    updates: '#account_choices = ',
    step: 'store the accounts to choose from, with the choice deadline',
    guarantee:
      'conditional on the current status, tagged with a write_id: a retried step finds the choices stored and does not ask Signup+ again',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'PROFILE',
    updates: '#chosen_account_id = ',
    step: 'record the chosen account',
    guarantee:
      'conditional on awaiting a choice, tagged with a write_id: one choice is recorded, and the reconciler resends it if the resume is lost',
  },
  {
    service: 'DynamoDB',
    operation: 'UpdateItem',
    item: 'PROFILE',
    step: 'move the record on, onto the due index',
    guarantee:
      'conditional on the current status, tagged with a write_id: the record shows where the journey stands, and the reconciler picks it up if the next call is lost',
  },
  {
    service: 'DynamoDB',
    operation: 'GetItem',
    item: 'PROFILE',
    step: 'read the record (strongly consistent)',
    guarantee: 'a step starts from where the record stands, so a retried or redriven step converges',
  },
  {
    service: 'DynamoDB',
    operation: 'GetItem',
    item: 'SECRETS',
    step: 'read the code or the token (strongly consistent)',
    guarantee: 'a retried step finds a token already received and does not exchange again',
  },
  {
    service: 'DynamoDB',
    operation: 'DeleteItem',
    item: 'SECRETS',
    step: "delete the journey's secrets",
    guarantee: 'no code or token outlives the journey',
  },
  {
    service: 'SFN',
    operation: 'StartExecution',
    step: 'start the workflow, named after the onboarding',
    guarantee:
      'an execution name is taken once: neither a retried callback nor the reconciler starts a second',
  },
  {
    service: 'SFN',
    operation: 'SendTaskSuccess',
    step: 'resume the waiting workflow with the choice',
    guarantee: 'the choice is recorded first, so a lost resume is sent again by the reconciler',
  },
  {
    service: 'EventBridge',
    operation: 'PutEvents',
    step: "publish the outbox's event",
    guarantee:
      'after its commit, so a consumer reading the API finds the change; the event_id is derived from the journey and its kind, so a repeat can be dropped',
  },
  {
    service: 'Secrets Manager',
    operation: 'GetSecretValue',
    step: 'read the TrueLayer client secret',
    guarantee: 'cached for five minutes per environment: a warm journey makes none',
  },
];

function itemOf(input: Record<string, unknown>): string | undefined {
  for (const holder of [input.Key, input.Item])
    if (isRecord(holder) && typeof holder.sk === 'string') return holder.sk;
  return typeof input.TableName === 'string' ? input.TableName : undefined;
}

/** The rule for one call, from its service, operation and input. */
export function describeCall(
  service: string,
  operation: string,
  input: Record<string, unknown>,
): { step: string; guarantee: string } {
  const item = itemOf(input);
  const update = typeof input.UpdateExpression === 'string' ? input.UpdateExpression : '';
  const rule = CALL_RULES.find(
    (candidate) =>
      candidate.service === service &&
      candidate.operation === operation &&
      (candidate.item === undefined || candidate.item === item) &&
      (candidate.updates === undefined || update.includes(candidate.updates)),
  );
  return rule
    ? { step: rule.step, guarantee: rule.guarantee }
    : {
        step: `${operation}${item ? ` ${item}` : ''}`,
        guarantee: '(no rule in bench/aws-calls.ts describes it)',
      };
}

type Send = (this: unknown, command: unknown, ...rest: unknown[]) => Promise<unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The lib-dynamodb command names map to the DynamoDB operations they call. */
const DOCUMENT_OPERATIONS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
};

function operationOf(command: unknown): string {
  const name = isRecord(command) && typeof command.constructor === 'function' ? command.constructor.name : '';
  return DOCUMENT_OPERATIONS[name] ?? name.replace(/Command$/, '');
}

function serviceOf(client: unknown): string {
  if (!isRecord(client) || !isRecord(client.config)) return 'unknown';
  return typeof client.config.serviceId === 'string' ? client.config.serviceId : 'unknown';
}

function capacityOf(output: unknown): number | undefined {
  if (!isRecord(output) || !isRecord(output.ConsumedCapacity)) return undefined;
  const units = output.ConsumedCapacity.CapacityUnits;
  return typeof units === 'number' ? units : undefined;
}

export class AwsCallRecorder {
  #calls: AwsCall[] = [];
  #restore: (() => void) | undefined;

  /** Starts recording; call before the clients are used (they may be built before or after). */
  install(): void {
    if (this.#restore) return;
    const base: unknown = Object.getPrototypeOf(DynamoDBClient.prototype);
    if (!isRecord(base) || typeof base.send !== 'function')
      throw new Error('SDK client base class not found');
    const original = base.send as Send;
    const recorder = this;
    const wrapped: Send = async function (this: unknown, command: unknown, ...rest: unknown[]) {
      // The callback form is not used by this product; leave it alone.
      if (rest.some((argument) => typeof argument === 'function'))
        return original.call(this, command, ...rest);
      const service = serviceOf(this);
      const operation = operationOf(command);
      const input = isRecord(command) && isRecord(command.input) ? command.input : {};
      if (service === 'DynamoDB' && input.ReturnConsumedCapacity === undefined)
        input.ReturnConsumedCapacity = 'TOTAL';
      const call: AwsCall = {
        service,
        operation,
        ...(typeof input.TableName === 'string' ? { table: input.TableName } : {}),
        ...(service === 'DynamoDB' ? { consistentRead: input.ConsistentRead === true } : {}),
        ...(Array.isArray(input.Entries)
          ? {
              entries: input.Entries.length,
              detailTypes: input.Entries.flatMap((entry) =>
                isRecord(entry) && typeof entry.DetailType === 'string' ? [entry.DetailType] : [],
              ),
            }
          : {}),
        ...describeCall(service, operation, input),
        conditionalFailure: false,
        failed: false,
      };
      try {
        const output = await original.call(this, command, ...rest);
        const units = capacityOf(output);
        if (units !== undefined) call.capacityUnits = units;
        return output;
      } catch (error) {
        call.failed = true;
        call.conditionalFailure = isRecord(error) && error.name === 'ConditionalCheckFailedException';
        throw error;
      } finally {
        recorder.#calls.push(call);
      }
    };
    base.send = wrapped;
    this.#restore = () => {
      base.send = original;
    };
  }

  uninstall(): void {
    this.#restore?.();
    this.#restore = undefined;
  }

  /** The calls recorded since the last take(), and a fresh start. */
  take(): AwsCall[] {
    const calls = this.#calls;
    this.#calls = [];
    return calls;
  }
}
