import { envelopeFor } from '../../events/envelope.ts';
import { DetailTypes } from '../../events/onboarding-contracts.ts';
import type { OnboardingDependencies } from '../deps.ts';

export class IdentityMissingError extends Error {
  override readonly name = 'IdentityMissingError';
}

/**
 * The journey's happy end: Ready For Payment is published with everything a
 * payment needs, then the record is marked completed and the secrets deleted.
 * Publishing first makes a crash repeat the event (same id) rather than lose it.
 */
export async function completeOnboarding(onboardingId: string, deps: OnboardingDependencies): Promise<void> {
  const onboarding = await deps.repository.get(onboardingId);
  if (onboarding.status !== 'completed') {
    if (!onboarding.user || !onboarding.account) {
      throw new IdentityMissingError('The onboarding has no stored identity to publish.');
    }
    const now = deps.now();
    await deps.publish(DetailTypes.readyForPayment, {
      ...envelopeFor(onboarding, DetailTypes.readyForPayment, now),
      user: onboarding.user,
      account: onboarding.account,
    });
    await deps.repository.transition(onboardingId, {
      from: ['authorized', 'account_chosen'],
      to: 'completed',
      timeline: { at: now.toISOString(), step: 'ready_for_payment' },
    });
  }
  await deps.repository.deleteSecrets(onboardingId);
}
