import { DetailTypes } from '../contract/events.ts';
import { envelopeFor } from '../events/envelope.ts';
import type { PublishEvent } from '../events/publisher.ts';
import type { ConnectionRecord, ConnectionStatus } from './model.ts';
import type { ConnectionRepository } from './repository.ts';

/** `pending`: TrueLayer does not (yet) report an outcome; nothing is recorded. */
export type ReturnOutcome = 'authorized' | 'failed' | 'expired' | 'pending';

/** The statuses a connection ends in. */
export const settledStatuses: readonly ConnectionStatus[] = ['authorized', 'failed', 'expired'];

const settledAt = (record: ConnectionRecord) => new Date(record.timeline.at(-1)?.at ?? record.updated_at);

const common = (record: ConnectionRecord) => ({
  connection_id: record.connection_id,
  configuration: record.configuration,
  scopes: record.scopes,
  data_access_type: record.data_access_type,
  ...(record.provider_id === undefined ? {} : { provider_id: record.provider_id }),
});

/** A connection that ended with no failure recorded (never the case today) still says why in general terms. */
const UNKNOWN_FAILURE = {
  reason: 'authorization_failed',
  detail: 'The connection was not authorised at the bank.',
};

/**
 * Publishes the event of a connection's recorded outcome, with an id derived
 * from the connection, then takes it off the due index. Safe to repeat: every
 * return that finds the outcome recorded, and the sweeper, publish the same
 * event again until one of them gets as far as clearing the due entry.
 */
export async function publishOutcome(
  record: ConnectionRecord,
  deps: { publish: PublishEvent; repository: Pick<ConnectionRepository, 'clearDue'> },
): Promise<{ record: ConnectionRecord; outcome: ReturnOutcome }> {
  const at = settledAt(record);
  switch (record.status) {
    case 'authorized':
      await deps.publish(DetailTypes.dataConnectionAuthorized, {
        ...envelopeFor(record, DetailTypes.dataConnectionAuthorized, at),
        ...common(record),
        truelayer_user_id: record.truelayer_user_id,
      });
      break;
    case 'failed':
      await deps.publish(DetailTypes.dataConnectionFailed, {
        ...envelopeFor(record, DetailTypes.dataConnectionFailed, at),
        ...common(record),
        failure: record.failure ?? UNKNOWN_FAILURE,
      });
      break;
    case 'expired':
      await deps.publish(DetailTypes.dataConnectionExpired, {
        ...envelopeFor(record, DetailTypes.dataConnectionExpired, at),
        ...common(record),
        failure: record.failure ?? UNKNOWN_FAILURE,
      });
      break;
    default:
      return { record, outcome: 'pending' };
  }
  await deps.repository.clearDue(record.connection_id);
  return { record, outcome: record.status };
}
