import { logger } from '../commons/logger.ts';
import type { PublishEvent } from '../events/publisher.ts';
import { failureOf } from '../onboarding/failure-reasons.ts';
import { failureFor } from './handle-return.ts';
import { pendingConnectionStatuses } from './model.ts';
import { publishOutcome } from './outcome-events.ts';
import type { ConnectionRepository } from './repository.ts';
import type { DataConnectionsClient } from './truelayer-client.ts';

export interface ExpireConnectionsDependencies {
  trueLayer: Pick<DataConnectionsClient, 'outcome'>;
  repository: Pick<ConnectionRepository, 'listDue' | 'find' | 'settle' | 'clearDue'>;
  publish: PublishEvent;
  now: () => Date;
  /** Connections read per shard of the due index in one run. */
  batchSize: number;
}

/**
 * The connections' safety net, run on a schedule like the journeys'
 * reconciler. A connection still pending when its link's time ran out is
 * looked up at TrueLayer first (the user may have authorised it and never
 * come back to the return page): TrueLayer's outcome is recorded if it has
 * one, `expired` (reason `link_expired`) otherwise. A connection whose
 * outcome is recorded but whose event was not confirmed is published again.
 */
export async function expireConnections(
  deps: ExpireConnectionsDependencies,
): Promise<{ due: number; expired: number; failed: number }> {
  const ids = [...new Set(await deps.repository.listDue(deps.now(), deps.batchSize))];
  let expired = 0;
  let failed = 0;
  for (const connectionId of ids) {
    try {
      if ((await settleOne(connectionId, deps)) === 'expired') expired++;
    } catch (error) {
      failed++;
      logger.warn('Settling a due connection failed; it stays due', {
        error_name: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  return { due: ids.length, expired, failed };
}

async function settleOne(connectionId: string, deps: ExpireConnectionsDependencies) {
  const record = await deps.repository.find(connectionId);
  if (!record) return 'gone';
  if (!pendingConnectionStatuses.includes(record.status)) return (await publishOutcome(record, deps)).outcome;
  const outcome = await deps.trueLayer.outcome({ connectionId, scopes: record.scopes });
  const at = deps.now().toISOString();
  const settle =
    outcome.outcome === 'authorized'
      ? { to: 'authorized' as const }
      : outcome.outcome === 'failed'
        ? { to: 'failed' as const, failure: failureFor(outcome.failureReason, undefined) }
        : { to: 'expired' as const, failure: failureOf('link_expired') };
  const failure = settle.to === 'authorized' ? undefined : settle.failure;
  const { record: settled } = await deps.repository.settle(connectionId, {
    to: settle.to,
    ...(failure ? { failure } : {}),
    timeline: { at, step: settle.to, ...(failure ? { detail: failure.reason } : {}) },
  });
  return (await publishOutcome(settled, deps)).outcome;
}
