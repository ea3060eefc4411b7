import type { OnboardingView } from '../contract/responses.ts';
import type { RepositoryPort } from './deps.ts';
import type { Onboarding } from './model.ts';

/**
 * What `GET /onboardings/{id}` answers: the record as integrators see it. The
 * choices appear as `accounts` while the journey waits for one, and the
 * Finnish identification link while it waits for the user to identify.
 */
export function toOnboardingView(onboarding: Onboarding): OnboardingView {
  // The outbox is the record's own bookkeeping (events not yet confirmed as published), not the integrator's.
  const { account_choices, outbox: _outbox, identification, ...rest } = onboarding;
  return {
    ...rest,
    ...(onboarding.status === 'awaiting_account_choice' && account_choices
      ? { accounts: account_choices }
      : {}),
    ...(onboarding.status === 'awaiting_identification' && identification ? { identification } : {}),
  };
}

export async function getOnboarding(
  onboardingId: string,
  repository: RepositoryPort<'get'>,
): Promise<OnboardingView> {
  return toOnboardingView(await repository.get(onboardingId));
}
