import { RequestValidationError } from '../commons/errors.ts';
import type { Failure } from '../commons/failure.ts';
import { logger } from '../commons/logger.ts';
import type { ConnectionReturnQuery } from '../contract/connection-requests.ts';
import type { PublishEvent } from '../events/publisher.ts';
import { ConnectionNotFoundError } from './errors.ts';
import { type ConnectionRecord, connectionIdSchema } from './model.ts';
import { publishOutcome, type ReturnOutcome, settledStatuses } from './outcome-events.ts';
import type { ConnectionRepository } from './repository.ts';
import type { ConnectionOutcome, DataConnectionsClient } from './truelayer-client.ts';

export interface HandleReturnDependencies {
  trueLayer: Pick<DataConnectionsClient, 'outcome'>;
  repository: Pick<ConnectionRepository, 'find' | 'findByOnboardingId' | 'settle' | 'clearDue'>;
  publish: PublishEvent;
  /** Starts the connection flow's Signup+ workflow, named after the onboarding (idempotent). */
  startSignupPlus: (onboardingId: string) => Promise<void>;
  now: () => Date;
}

export type { ReturnOutcome } from './outcome-events.ts';

const REASON = /^[a-z0-9_]{1,64}$/;

/** A short reason safe to store and show: TrueLayer's, else the query's, else a generic one. */
export function failureFor(reported: string | undefined, fromQuery: string | undefined): Failure {
  const reason = [reported, fromQuery].find((value) => value !== undefined && REASON.test(value));
  return {
    reason: reason ?? 'authorization_failed',
    detail:
      reason === 'access_denied'
        ? 'The user declined to share their data.'
        : 'The connection was not authorised at the bank.',
  };
}

/** The connection the return names: by the product's reference first, else by TrueLayer's id. */
async function connectionFor(
  query: ConnectionReturnQuery,
  repository: HandleReturnDependencies['repository'],
): Promise<ConnectionRecord> {
  const byReference = query.onboarding_id && (await repository.findByOnboardingId(query.onboarding_id));
  if (byReference) return byReference;
  const connectionId = connectionIdSchema.safeParse(query.connection_id);
  const byId = connectionId.success ? await repository.find(connectionId.data) : undefined;
  if (byId) return byId;
  if (query.onboarding_id === undefined && !connectionId.success) {
    throw new RequestValidationError([
      {
        field: 'onboarding_id',
        message: 'is required (the return URL the product gave TrueLayer carries it)',
      },
    ]);
  }
  throw new ConnectionNotFoundError();
}

/**
 * What to record. An outcome TrueLayer reports is recorded as it is. The
 * documented data endpoints only say "not authorised"; when the user came
 * back with an error (TrueLayer's redirect says so), the connection is failed,
 * otherwise it stays pending (the user may have come back early).
 */
export function settledOutcome(
  outcome: ConnectionOutcome,
  query: ConnectionReturnQuery,
): { to: 'authorized' } | { to: 'failed'; failure: Failure } | undefined {
  if (outcome.outcome === 'authorized') return { to: 'authorized' };
  if (outcome.outcome === 'failed')
    return { to: 'failed', failure: failureFor(outcome.failureReason, query.error) };
  if (outcome.outcome === 'not_authorized' && query.error !== undefined) {
    return { to: 'failed', failure: failureFor(undefined, query.error) };
  }
  return undefined;
}

/**
 * The user is back. The query only says which journey; TrueLayer is asked
 * for the outcome, so a forged or replayed return cannot authorise a
 * connection. The first return that sees an outcome records it; the event is
 * published on every return that finds the outcome recorded, with the same
 * event id, so a publication lost after the write is made good by the next
 * return.
 */
export async function handleConnectionReturn(
  query: ConnectionReturnQuery,
  deps: HandleReturnDependencies,
): Promise<{ record: ConnectionRecord; outcome: ReturnOutcome }> {
  const returned = await recordReturn(query, deps);
  if (returned.record.signup_plus) await startSignupPlus(returned.record, deps);
  return returned;
}

/**
 * The connection flow goes on in its workflow, which asks TrueLayer itself
 * and ends the onboarding whatever the outcome. Started on every return (a
 * second start finds the first); when it cannot be, the reconciler starts it
 * once the link has run out, so the user is sent on regardless.
 */
async function startSignupPlus(record: ConnectionRecord, deps: HandleReturnDependencies): Promise<void> {
  try {
    await deps.startSignupPlus(record.onboarding_id);
  } catch (error) {
    logger.error('The Signup+ workflow of a connection could not be started; the reconciler will start it', {
      error_name: error instanceof Error ? error.name : 'unknown',
    });
  }
}

async function recordReturn(
  query: ConnectionReturnQuery,
  deps: HandleReturnDependencies,
): Promise<{ record: ConnectionRecord; outcome: ReturnOutcome }> {
  const stored = await connectionFor(query, deps.repository);
  if (settledStatuses.includes(stored.status)) return publishOutcome(stored, deps);
  const outcome = await deps.trueLayer.outcome({ connectionId: stored.connection_id, scopes: stored.scopes });
  const settle = settledOutcome(outcome, query);
  if (!settle) return { record: stored, outcome: 'pending' };
  const at = deps.now().toISOString();
  const failure = settle.to === 'failed' ? settle.failure : undefined;
  const { record } = await deps.repository.settle(stored.connection_id, {
    to: settle.to,
    ...(failure ? { failure } : {}),
    timeline: { at, step: settle.to, ...(failure ? { detail: failure.reason } : {}) },
  });
  return publishOutcome(record, deps);
}
