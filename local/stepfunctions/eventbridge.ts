import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { integrationError, localClientConfig, sdkResponseToJson } from './aws-clients.ts';
import { isJsonObject, type JsonValue } from './json.ts';
import { TaskFailure } from './task-failure.ts';

/** The execution on whose behalf events are put: Step Functions appends both ARNs to each entry's `Resources`. */
export interface PutEventsCaller {
  executionArn: string;
  stateMachineArn: string;
}

/** Runs one optimized EventBridge `putEvents` call with the Task's Parameters `{ Entries: [...] }`. */
export type EventBridgeIntegration = (parameters: JsonValue, caller: PutEventsCaller) => Promise<JsonValue>;

/**
 * Creates the EventBridge integration against `endpoint`, following the optimized integration:
 * an object `Detail` is serialized to a JSON string, the execution and state machine ARNs are appended
 * to each entry's `Resources`, the result is `{ Entries, FailedEntryCount }`, and a non-zero
 * `FailedEntryCount` fails the Task with `EventBridge.FailedEntry` (cause: the response as JSON).
 */
export function createEventBridgeIntegration(endpoint: string, region: string): EventBridgeIntegration {
  const client = new EventBridgeClient(localClientConfig(endpoint, region));
  return async (parameters, caller) => {
    const entries = isJsonObject(parameters) ? parameters['Entries'] : undefined;
    if (!Array.isArray(entries)) {
      throw new TaskFailure(
        'States.Runtime',
        'The Parameters of events:putEvents must have an Entries array',
      );
    }
    let result: JsonValue;
    try {
      const response = await client.send(
        new PutEventsCommand({ Entries: entries.map((entry) => toRequestEntry(entry, caller)) }),
      );
      result = sdkResponseToJson(response);
    } catch (error) {
      throw integrationError('EventBridge', 'AmazonEventBridge', error);
    }
    if (
      isJsonObject(result) &&
      typeof result['FailedEntryCount'] === 'number' &&
      result['FailedEntryCount'] > 0
    ) {
      throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(result));
    }
    return result;
  };
}

function toRequestEntry(entry: JsonValue, caller: PutEventsCaller): PutEventsRequestEntry {
  if (!isJsonObject(entry))
    throw new TaskFailure('States.Runtime', 'Each putEvents entry must be a JSON object');
  const { Detail, Time, Resources, ...rest } = entry;
  const resources = Array.isArray(Resources) ? Resources.map(String) : [];
  // Entries are passed through unchecked, as Step Functions does: EventBridge validates them.
  return {
    ...(rest as PutEventsRequestEntry),
    ...(Detail === undefined ? {} : { Detail: typeof Detail === 'string' ? Detail : JSON.stringify(Detail) }),
    // AWS JSON timestamps are ISO strings or epoch seconds.
    ...(typeof Time === 'string' ? { Time: new Date(Time) } : {}),
    ...(typeof Time === 'number' ? { Time: new Date(Time * 1000) } : {}),
    Resources: [...resources, caller.executionArn, caller.stateMachineArn],
  };
}
