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
  /** PutEvents: entries sent. */
  entries?: number;
  failed: boolean;
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
        ...(Array.isArray(input.Entries) ? { entries: input.Entries.length } : {}),
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
