import type {
  SignupPlusAccountsQuery,
  SignupPlusAccountsResult,
} from '../../truelayer/signup-plus-client.ts';
import type { AccessToken } from '../../truelayer/token-client.ts';
import { addSeconds, type OnboardingDependencies } from '../deps.ts';
import { JourneySecretMissingError } from '../errors.ts';
import { maskAccountNumber, type TimelineEntry } from '../model.ts';
import type { Journey } from '../repository.ts';
import { completeOnboarding } from './complete-onboarding.ts';
import type { LinkAccountsResult } from './inputs.ts';

export interface LinkAccountsDependencies extends OnboardingDependencies {
  exchangeCode: (code: string) => Promise<AccessToken>;
  fetchAccounts: (accessToken: string, query?: SignupPlusAccountsQuery) => Promise<SignupPlusAccountsResult>;
}

const SINGLE: LinkAccountsResult = { result: 'single_account', account_count: 1 };

interface JourneyToken {
  accessToken: string;
  /** Keeps a freshly exchanged token server-side; nothing to do for one read back from the table. */
  store: () => Promise<void>;
  /** The exchange, as the timeline records it. */
  exchanged: TimelineEntry;
}

/** The access token, exchanged now if this is the first attempt. */
async function accessTokenFor(
  { onboarding, secrets }: Journey,
  deps: LinkAccountsDependencies,
): Promise<JourneyToken> {
  if (secrets?.access_token) {
    const at = secrets.code_exchanged_at ?? onboarding.updated_at;
    return {
      accessToken: secrets.access_token,
      store: async () => {},
      exchanged: { at, step: 'code_exchanged' },
    };
  }
  if (!secrets?.authorization_code) {
    throw new JourneySecretMissingError('No authorization code is stored for this onboarding.');
  }
  const token = await deps.exchangeCode(secrets.authorization_code);
  const exchangedAt = deps.now();
  return {
    accessToken: token.accessToken,
    // The code is spent: the token is kept server-side so that a retried step can go on without it.
    store: () =>
      deps.repository.storeAccessToken(onboarding.onboarding_id, {
        accessToken: token.accessToken,
        expiresAt: addSeconds(exchangedAt, token.expiresInSeconds),
        exchangedAt,
      }),
    exchanged: { at: exchangedAt.toISOString(), step: 'code_exchanged' },
  };
}

/**
 * The workflow's first step: swaps the stored code for an access token and
 * reads the user's Signup+ data with it. One account: the journey completes
 * here (event, record, secrets deleted). Several: the masked choices are
 * stored and the state machine is told to wait for the user.
 *
 * Every write is conditional or repeatable, so a retry after any partial
 * attempt converges: a spent code is never exchanged twice, a completed
 * journey is not completed again, stored choices are not fetched again.
 */
export async function linkAccounts(
  onboardingId: string,
  deps: LinkAccountsDependencies,
): Promise<LinkAccountsResult> {
  const journey = await deps.repository.getJourney(onboardingId);
  const { onboarding } = journey;
  if (onboarding.status === 'completed') {
    await deps.repository.deleteSecrets(onboardingId);
    return SINGLE;
  }
  if (onboarding.account_choices) {
    return { result: 'multiple_accounts_linked', account_count: onboarding.account_choices.length };
  }
  const { accessToken, store, exchanged } = await accessTokenFor(journey, deps);
  // The token is written while Signup+ is read; both settle before the step
  // ends, so a failed read never leaves the token unwritten.
  const [read, write] = await Promise.allSettled([deps.fetchAccounts(accessToken), store()]);
  if (write.status === 'rejected') throw write.reason;
  if (read.status === 'rejected') throw read.reason;
  const result = read.value;

  if (result.kind === 'identity') {
    await completeOnboarding(
      {
        onboarding,
        identity: result.identity,
        from: 'authorized',
        earlier: [exchanged],
        detail: 'one account linked',
      },
      deps,
    );
    return SINGLE;
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
    timeline: [
      exchanged,
      {
        at: deps.now().toISOString(),
        step: 'accounts_fetched',
        detail: `${result.accounts.length} accounts linked`,
      },
    ],
  });
  return { result: 'multiple_accounts_linked', account_count: result.accounts.length };
}
