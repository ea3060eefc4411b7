import { DetailTypes } from '../contract/onboarding-events.ts';
import type { ErasedOnboarding } from '../contract/responses.ts';
import { stableEventId } from '../events/event-id.ts';
import { announcement } from './announcement.ts';
import type { EndJourneyMethods, OnboardingDependencies } from './deps.ts';
import { endJourney, settleJourney } from './end-journey.ts';
import { failureOf } from './failure-reasons.ts';
import { recordJourneyErased } from './journey-metrics.ts';
import { type Onboarding, type OnboardingStatus, terminalStatuses } from './model.ts';

export interface EraseOnboardingDependencies extends OnboardingDependencies<EndJourneyMethods | 'erase'> {
  /**
   * Forgets what the product's own consumers keep about one event: the
   * example consumer's idempotency record of it. Deleting a record that
   * does not exist is not an error.
   */
  forgetEvent: (eventId: string) => Promise<void>;
}

type EndStatus = 'completed' | 'failed' | 'expired';
const isEnd = (status: OnboardingStatus): status is EndStatus => terminalStatuses.includes(status);

/** Events whose consumers' records are keyed by the event: the ready event's consumer keeps one. */
const CONSUMED_EVENTS = [DetailTypes.readyForPayment] as const;

/**
 * Erases one person's data everywhere the product keeps it, and announces
 * it (`Onboarding Erased`, no personal data) so that consumers erase theirs.
 *
 * A journey under way is ended first, `failed` with reason `erased`, by the
 * same commit every end goes through (its steps then find it ended and only
 * settle), and any event the record still has to publish is published: the
 * journey keeps its one terminal event, before its data goes. Then one
 * conditional write strips the record and commits the Erased event to its
 * outbox; settling deletes the journey's secrets and publishes it. Last, the
 * example consumer's idempotency record of the ready event is deleted.
 *
 * Idempotent: a repeated call (or a retry after any failure) finds the
 * record erased, finishes whatever is left (secrets, the event, the
 * consumer's record) and answers the same. Unknown ids throw
 * OnboardingNotFoundError; so do records past their retention, which DynamoDB
 * has deleted whole.
 */
export async function eraseOnboarding(
  onboardingId: string,
  deps: EraseOnboardingDependencies,
): Promise<ErasedOnboarding> {
  let onboarding: Onboarding = await deps.repository.get(onboardingId);
  if (onboarding.erased_at === undefined) {
    if (!terminalStatuses.includes(onboarding.status)) {
      await endJourney({ onboarding, end: { outcome: 'failed', failure: failureOf('erased') } }, deps);
      // As it stands now: endJourney has settled it (or left its event for us to publish).
      onboarding = await deps.repository.get(onboardingId);
    }
    if ((onboarding.outbox?.length ?? 0) > 0) {
      await settleJourney(onboarding, deps);
      onboarding = await deps.repository.get(onboardingId);
    }
    const { status } = onboarding;
    if (!isEnd(status)) throw new Error(`An erasure found the onboarding ${status} after its end`);
    const now = deps.now();
    const erasure = await deps.repository.erase(
      onboarding,
      announcement({ onboarding_id: onboardingId }, DetailTypes.erased, { status }, now),
      now,
    );
    if (erasure.committed) recordJourneyErased(erasure.onboarding);
    onboarding = erasure.onboarding;
  }
  await settleJourney(onboarding, deps);
  for (const detailType of CONSUMED_EVENTS) await deps.forgetEvent(stableEventId(onboardingId, detailType));
  const { erased_at: erasedAt, status } = onboarding;
  if (erasedAt === undefined) throw new Error('The erased record carries no erased_at');
  // Only an ended journey is erased (above), so the record's status is an end.
  if (!isEnd(status)) throw new Error(`The erased onboarding is ${status}, not ended`);
  return { onboarding_id: onboardingId, status, erased_at: erasedAt };
}
