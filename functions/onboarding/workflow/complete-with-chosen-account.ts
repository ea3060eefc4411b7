import { TrueLayerContractError } from '../../truelayer/errors.ts';
import { JourneySecretMissingError } from '../errors.ts';
import { completeOnboarding } from './complete-onboarding.ts';
import type { LinkAccountsDependencies } from './link-accounts.ts';

export type CompleteWithChosenAccountDependencies = Omit<LinkAccountsDependencies, 'exchangeCode'>;

/**
 * After the user's choice: reads the identity behind the chosen account and
 * completes the journey with it. A retry that finds the journey completed only
 * finishes the clean-up.
 */
export async function completeWithChosenAccount(
  input: { onboardingId: string; accountId: string },
  deps: CompleteWithChosenAccountDependencies,
): Promise<void> {
  const { onboarding, secrets } = await deps.repository.getJourney(input.onboardingId);
  if (onboarding.status === 'completed') {
    await deps.repository.deleteSecrets(input.onboardingId);
    return;
  }
  if (!secrets?.access_token) {
    throw new JourneySecretMissingError('No access token is stored for this onboarding.');
  }
  const result = await deps.fetchAccounts(secrets.access_token, { accountId: input.accountId });
  if (result.kind !== 'identity') {
    throw new TrueLayerContractError('TrueLayer listed accounts although one was chosen');
  }
  await completeOnboarding(
    { onboarding, identity: result.identity, from: 'account_chosen', earlier: [], detail: 'chosen account' },
    deps,
  );
}
