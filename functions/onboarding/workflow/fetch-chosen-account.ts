import { TrueLayerContractError } from '../../truelayer/errors.ts';
import { journeyAccessToken } from './access-token.ts';
import { type FetchAccountsDependencies, identityFields } from './fetch-accounts.ts';

/** Reads the identity behind the account the user chose and stores it on the record. */
export async function fetchChosenAccount(
  input: { onboardingId: string; accountId: string },
  deps: FetchAccountsDependencies,
): Promise<void> {
  const accessToken = await journeyAccessToken(deps.repository, input.onboardingId);
  const result = await deps.fetchAccounts(accessToken, input.accountId);
  if (result.kind !== 'identity') {
    throw new TrueLayerContractError('TrueLayer listed accounts although one was chosen');
  }
  await deps.repository.transition(input.onboardingId, {
    from: ['account_chosen'],
    set: identityFields(result.identity),
    timeline: { at: deps.now().toISOString(), step: 'identity_stored', detail: 'chosen account' },
  });
}
