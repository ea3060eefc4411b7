import type { SignupPlusIdentity } from '../../truelayer/schemas.ts';
import type { SignupPlusAccountsResult } from '../../truelayer/signup-plus-client.ts';
import type { OnboardingDependencies } from '../deps.ts';
import { maskAccountNumber, type Onboarding } from '../model.ts';
import { journeyAccessToken } from './access-token.ts';
import type { FetchAccountsResult } from './inputs.ts';

export interface FetchAccountsDependencies extends Omit<OnboardingDependencies, 'publish'> {
  fetchAccounts: (accessToken: string, accountId?: string) => Promise<SignupPlusAccountsResult>;
}

/** Splits Signup+'s answer into the person and the account, the two things the record keeps. */
export function identityFields(identity: SignupPlusIdentity): Pick<Onboarding, 'user' | 'account'> {
  const { account_details, ...user } = identity;
  return { user, account: account_details };
}

/**
 * Reads the user's Signup+ data. One account: the identity is stored now.
 * Several: the choices are stored (numbers masked) and the state machine is
 * told to wait for the user.
 */
export async function fetchAccounts(
  onboardingId: string,
  deps: FetchAccountsDependencies,
): Promise<FetchAccountsResult> {
  const result = await deps.fetchAccounts(await journeyAccessToken(deps.repository, onboardingId));
  const at = deps.now().toISOString();
  if (result.kind === 'identity') {
    await deps.repository.transition(onboardingId, {
      from: ['authorized'],
      set: identityFields(result.identity),
      timeline: { at, step: 'identity_stored', detail: 'one account linked' },
    });
    return { result: 'single_account', account_count: 1 };
  }
  await deps.repository.transition(onboardingId, {
    from: ['authorized'],
    set: {
      account_choices: result.accounts.map((account) => ({
        account_id: account.account_id,
        display_name: account.display_name,
        account_type: account.account_type,
        currency: account.currency,
        ...(account.account_number || account.iban
          ? { account_number_masked: maskAccountNumber(account.account_number ?? account.iban) }
          : {}),
      })),
    },
    timeline: { at, step: 'accounts_fetched', detail: `${result.accounts.length} accounts linked` },
  });
  return { result: 'multiple_accounts_linked', account_count: result.accounts.length };
}
