import { envelopeFor } from '../../events/envelope.ts';
import { DetailTypes } from '../../events/onboarding-contracts.ts';
import type { SignupPlusIdentity } from '../../truelayer/schemas.ts';
import type { OnboardingDependencies } from '../deps.ts';
import type { Onboarding, OnboardingStatus, TimelineEntry } from '../model.ts';

/** Splits Signup+'s answer into the person and the account, the two things the record keeps. */
export function identityFields(identity: SignupPlusIdentity): Required<Pick<Onboarding, 'user' | 'account'>> {
  const { account_details, ...user } = identity;
  return { user, account: account_details };
}

export interface Completion {
  /** The record as the step found it (its id and reference go into the event). */
  onboarding: Onboarding;
  identity: SignupPlusIdentity;
  /** The status the record must still be in. */
  from: OnboardingStatus;
  /** What the record has not recorded yet, in order, before the identity and the event. */
  earlier: readonly TimelineEntry[];
  /** Says how the identity was obtained, e.g. "one account linked". */
  detail: string;
}

/**
 * The journey's happy end: Ready For Payment is published with everything a
 * payment needs, then the identity and the completed status are written in one
 * conditional update, then the secrets are deleted. Publishing first means a
 * crash repeats the event (same id) instead of losing it; a retried step finds
 * the record completed and only finishes the clean-up.
 */
export async function completeOnboarding(
  completion: Completion,
  deps: OnboardingDependencies,
): Promise<void> {
  const { onboarding } = completion;
  const fields = identityFields(completion.identity);
  const now = deps.now();
  await deps.publish(DetailTypes.readyForPayment, {
    ...envelopeFor(onboarding, DetailTypes.readyForPayment, now),
    ...fields,
  });
  const at = now.toISOString();
  await deps.repository.transition(onboarding.onboarding_id, {
    from: [completion.from],
    to: 'completed',
    set: fields,
    timeline: [
      ...completion.earlier,
      { at, step: 'identity_stored', detail: completion.detail },
      { at, step: 'ready_for_payment' },
    ],
  });
  await deps.repository.deleteSecrets(onboarding.onboarding_id);
}
