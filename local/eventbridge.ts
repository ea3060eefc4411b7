import { randomUUID } from 'node:crypto';
import type { AwsFaults } from './aws-faults.ts';
import { type AwsJsonServer, AwsServiceError, startAwsJsonServer } from './aws-json-server.ts';
import { matchesPattern } from './event-pattern.ts';

/** An event as EventBridge hands it to targets. */
export interface DeliveredEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface LocalRule {
  id: string;
  pattern: Record<string, unknown>;
  deliver: (event: DeliveredEvent) => Promise<unknown>;
}

export interface LocalEventBus extends AwsJsonServer {
  busName: string;
  /** Every event accepted so far, oldest first. */
  events(): readonly DeliveredEvent[];
  /** Every delivery to a rule's target so far (two per event and rule with `deliverTwice`). */
  deliveries(): ReadonlyArray<{ rule: string; eventId: string }>;
  /** Deliveries whose target threw; on AWS these would go to the rule's dead-letter queue. */
  failedDeliveries(): ReadonlyArray<{ rule: string; eventId: string; error: string }>;
  /** Called for every accepted event (live views, terminal progress). */
  subscribe(listener: (event: DeliveredEvent) => void): () => void;
  /** Resolves once every delivery started so far has finished. */
  drain(): Promise<void>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The product's custom bus on loopback: PutEvents (what the functions call),
 * the same rule patterns the CDK stack deploys, and asynchronous delivery to
 * local targets, as EventBridge decouples publishers from consumers.
 */
export async function startLocalEventBus(options: {
  busName: string;
  rules: readonly LocalRule[];
  region: string;
  accountId: string;
  host?: string;
  /** Injected faults; a `throttle` of PutEvents refuses the matching entries (a partial failure). */
  faults?: AwsFaults;
  /** Deliver every event to every matching target twice, as EventBridge's at-least-once delivery may. */
  deliverTwice?: boolean;
}): Promise<LocalEventBus> {
  const accepted: DeliveredEvent[] = [];
  const failures: Array<{ rule: string; eventId: string; error: string }> = [];
  const deliveries: Array<{ rule: string; eventId: string }> = [];
  const listeners = new Set<(event: DeliveredEvent) => void>();
  const inFlight = new Set<Promise<void>>();
  const copies = options.deliverTwice ? 2 : 1;

  const deliver = (event: DeliveredEvent) => {
    for (const listener of listeners) listener(event);
    for (const rule of options.rules) {
      if (!matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
      const delivery = deliverCopies(rule, event).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    }
  };

  /**
   * One delivery, or two with `deliverTwice`: the second starts once the first has finished, as a
   * redelivery would, and gets its own copy of the event (a target that changes its event must not
   * change the other delivery).
   */
  const deliverCopies = async (rule: LocalRule, event: DeliveredEvent) => {
    for (let copy = 0; copy < copies; copy++) {
      deliveries.push({ rule: rule.id, eventId: event.id });
      try {
        await rule.deliver(copy === 0 ? event : structuredClone(event));
      } catch (error) {
        failures.push({
          rule: rule.id,
          eventId: event.id,
          error: error instanceof Error ? error.name : 'Error',
        });
      }
    }
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSEvents',
    contentType: 'application/x-amz-json-1.1',
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.faults
      ? { faults: { registry: options.faults, service: 'eventbridge', throttledByOperation: ['PutEvents'] } }
      : {}),
    operations: {
      PutEvents: (input, { throttled }) => {
        const entries = Array.isArray(input.Entries) ? input.Entries : [];
        if (entries.length === 0 || entries.length > 10) {
          throw new AwsServiceError('ValidationException', 'PutEvents takes 1 to 10 entries');
        }
        let failed = 0;
        const results = entries.map((entry: unknown) => {
          if (!isRecord(entry))
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Entry is not an object' };
          if (throttled?.concerns(JSON.stringify(entry))) {
            failed++;
            return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' };
          }
          const busName = typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default';
          let detail: unknown;
          try {
            detail = typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : undefined;
          } catch {
            detail = undefined;
          }
          if (busName !== options.busName && !busName.endsWith(`:event-bus/${options.busName}`)) {
            failed++;
            return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
          }
          if (!isRecord(detail) || typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string') {
            failed++;
            return {
              ErrorCode: 'MalformedDetail',
              ErrorMessage: 'Source, DetailType and a JSON object Detail are required',
            };
          }
          const event: DeliveredEvent = {
            version: '0',
            id: randomUUID(),
            'detail-type': entry.DetailType,
            source: entry.Source,
            account: options.accountId,
            time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            region: options.region,
            resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
            detail,
          };
          accepted.push(event);
          deliver(event);
          return { EventId: event.id };
        });
        return { Entries: results, FailedEntryCount: failed };
      },
    },
  });

  return {
    ...server,
    busName: options.busName,
    events: () => accepted,
    deliveries: () => deliveries,
    failedDeliveries: () => failures,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
