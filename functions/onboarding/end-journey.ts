import { logger } from '../commons/logger.ts';
import { DetailTypes } from '../contract/onboarding-events.ts';
import type { AccountDetails } from '../truelayer/account-details.ts';
import { announcement } from './announcement.ts';
import type { EndJourneyDependencies, SettleDependencies } from './deps.ts';
import { OnboardingStatusConflictError } from './errors.ts';
import { recordJourneyEnd } from './journey-metrics.ts';
import {
  activeStatuses,
  type Failure,
  type Onboarding,
  type OnboardingStatus,
  type TimelineEntry,
  terminalStatuses,
  type UserIdentity,
} from './model.ts';

/** How a journey ends: completed with the identity Signup+ returned, or failed or expired with a reason. */
export type JourneyEnd =
  | { outcome: 'completed'; user: UserIdentity; account: AccountDetails; detail: string }
  | { outcome: 'failed' | 'expired'; failure: Failure };

export interface EndJourneyRequest {
  /** The record as the caller read it (its id and reference go into the event). */
  onboarding: Onboarding;
  end: JourneyEnd;
  /** The statuses the end may come from; by default any in-between status. */
  from?: readonly OnboardingStatus[];
  /** Steps the record has not recorded yet, in order, before the end's own. */
  earlier?: readonly TimelineEntry[];
}

const isTerminal = (status: OnboardingStatus) => terminalStatuses.includes(status);

/**
 * Ends a journey, exactly once. The commit point is one conditional write:
 * the terminal status, what the journey ended with, and its event (in the
 * record's outbox) together, allowed only from an in-between status, so of
 * two ends racing (a completion and an expiry, a retried step and the
 * reconciler) exactly one is ever recorded and announced. Then the journey is
 * settled (secrets deleted, event published, outbox confirmed); anything
 * that fails there is finished by the reconciler.
 *
 * Returns the terminal record: this end's, or the end that was recorded first.
 */
export async function endJourney(
  request: EndJourneyRequest,
  deps: EndJourneyDependencies,
): Promise<Onboarding> {
  const { onboarding, end } = request;
  const now = deps.now();
  const at = now.toISOString();
  let ended: Onboarding;
  try {
    ended = await deps.repository.transition(onboarding.onboarding_id, {
      from: request.from ?? activeStatuses,
      to: end.outcome,
      now,
      ...(end.outcome === 'completed'
        ? {
            set: { user: end.user, account: end.account },
            timeline: [
              ...(request.earlier ?? []),
              { at, step: 'identity_stored', detail: end.detail },
              { at, step: 'ready_for_payment' },
            ],
            announce: announcement(
              onboarding,
              DetailTypes.readyForPayment,
              {
                user: end.user,
                account: end.account,
                ...(onboarding.payment ? { payment_id: onboarding.payment.payment_id } : {}),
                ...(onboarding.mandate ? { mandate_id: onboarding.mandate.mandate_id } : {}),
                ...(onboarding.connection ? { connection_id: onboarding.connection.connection_id } : {}),
              },
              now,
            ),
          }
        : {
            set: { failure: end.failure },
            timeline: [...(request.earlier ?? []), { at, step: end.outcome, detail: end.failure.reason }],
            announce: announcement(
              onboarding,
              end.outcome === 'expired' ? DetailTypes.expired : DetailTypes.failed,
              { failure: end.failure },
              now,
            ),
          }),
    });
    // Committed by this call (a lost answer recognised by its write id counts as this call's): counted once.
    recordJourneyEnd(ended, now);
  } catch (error) {
    if (!(error instanceof OnboardingStatusConflictError) || !isTerminal(error.currentStatus)) throw error;
    // Another end was recorded first (or this one, by an earlier attempt): finish that one.
    ended = await deps.repository.get(onboarding.onboarding_id);
  }
  await settleSoon(ended, deps);
  return ended;
}

/**
 * Finishes what a committed change left to do: a terminal journey's secrets
 * are deleted, then the record's pending events are published, oldest first,
 * and confirmed. Safe to repeat: deleting twice is harmless and a republished
 * event keeps its id. Throws when a step fails; the record then stays on the
 * due index, and the reconciler calls this again.
 */
export async function settleJourney(onboarding: Onboarding, deps: SettleDependencies): Promise<void> {
  if (isTerminal(onboarding.status)) await deps.repository.deleteSecrets(onboarding.onboarding_id);
  const pending = onboarding.outbox ?? [];
  for (const event of pending) await deps.publish(event);
  await deps.repository.confirmOutbox(onboarding, pending, deps.now());
}

/**
 * settleJourney on the fast path, right after a commit: a failure is not the
 * caller's failure (the change is committed and will be settled by the
 * reconciler), so it is logged, not thrown.
 */
export async function settleSoon(onboarding: Onboarding, deps: SettleDependencies): Promise<void> {
  try {
    await settleJourney(onboarding, deps);
  } catch (error) {
    logger.warn('Settling the journey failed; the reconciler will finish it', {
      error_name: error instanceof Error ? error.name : 'unknown',
      status: onboarding.status,
    });
  }
}
