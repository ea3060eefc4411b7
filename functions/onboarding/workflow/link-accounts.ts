import type { Failure } from '../../commons/failure.ts';
import { addSeconds } from '../../commons/time.ts';
import { TrueLayerUnavailableError } from '../../truelayer/errors.ts';
import type {
  SignupPlusAccountsQuery,
  SignupPlusAccountsResult,
} from '../../truelayer/signup-plus-client.ts';
import type { AccessToken } from '../../truelayer/token-client.ts';
import type { EndJourneyDependencies, EndJourneyMethods, OnboardingDependencies } from '../deps.ts';
import { endJourney, settleSoon } from '../end-journey.ts';
import { JourneySecretMissingError } from '../errors.ts';
import { failureOf } from '../failure-reasons.ts';
import { maskAccountNumber, type Onboarding, type TimelineEntry, terminalStatuses } from '../model.ts';
import { CodeExchangeRefusedError, type Journey } from '../repository.ts';
import { trueLayerFailureOf } from './failures.ts';
import { END_STEP as END, type LinkAccountsResult } from './inputs.ts';

export interface LinkAccountsDependencies
  extends OnboardingDependencies<
    EndJourneyMethods | 'getJourney' | 'beginCodeExchange' | 'abandonCodeExchange' | 'storeAccessToken'
  > {
  exchangeCode: (code: string, codeVerifier: string | undefined) => Promise<AccessToken>;
  fetchAccounts: (accessToken: string, query?: SignupPlusAccountsQuery) => Promise<SignupPlusAccountsResult>;
  /** A fresh id for one attempt at the code exchange. */
  newAttemptId: () => string;
}

/**
 * The deadline shown to the user (`account_choice_expires_at`, the event's
 * `choose_before`) is this much earlier than the state machine's own timeout
 * (5 s, less for very short demo timeouts), so a choice made just before it
 * still reaches a waiting workflow. It is never later than the timeout.
 */
export const choiceDeadlineMarginSeconds = (timeoutSeconds: number) =>
  Math.min(5, Math.floor(timeoutSeconds / 5));

/** The Choice ignores `wait_seconds` unless it waits; it must still be present. */

interface JourneyToken {
  accessToken: string;
  /** Keeps a freshly exchanged token server-side; nothing to do for one read back from the table. */
  store: () => Promise<void>;
  /** The exchange, as the timeline records it. */
  exchanged: TimelineEntry;
}

/** A code exchange whose answer was lost after TrueLayer may have used the code. */
class CodeExchangeUnconfirmedError extends Error {
  override readonly name = 'CodeExchangeUnconfirmedError';
}

/** Writes the token, a few times if need be: the code is spent, so the token in memory is all there is. */
async function storeWithRetries(store: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/**
 * The access token, exchanged now if no attempt has been made yet. The code is
 * single-use: the attempt is recorded before the code is sent, and a retried
 * step that finds an attempt without a token never sends it again.
 */
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
  if (secrets?.code_exchange_attempt) throw new CodeExchangeRefusedError();
  if (!secrets?.authorization_code) {
    throw new JourneySecretMissingError('No authorization code is stored for this onboarding.');
  }
  const attemptId = deps.newAttemptId();
  await deps.repository.beginCodeExchange(onboarding.onboarding_id, attemptId, deps.now());
  let token: AccessToken;
  try {
    token = await deps.exchangeCode(secrets.authorization_code, secrets.code_verifier);
  } catch (error) {
    if (!(error instanceof TrueLayerUnavailableError)) throw error;
    if (error.mayHaveTakenEffect) throw new CodeExchangeUnconfirmedError(error.message, { cause: error });
    // TrueLayer cannot have used the code: let the state machine's Retry send it again.
    await deps.repository.abandonCodeExchange(onboarding.onboarding_id, attemptId);
    throw error;
  }
  const exchangedAt = deps.now();
  return {
    accessToken: token.accessToken,
    store: () =>
      storeWithRetries(() =>
        deps.repository.storeAccessToken(onboarding.onboarding_id, {
          accessToken: token.accessToken,
          expiresAt: addSeconds(exchangedAt, token.expiresInSeconds),
          exchangedAt,
        }),
      ),
    exchanged: { at: exchangedAt.toISOString(), step: 'code_exchanged' },
  };
}

/** The failure a code exchange settles the journey with, or undefined when the error is worth a retry. */
function exchangeFailure(error: unknown): Failure | undefined {
  if (error instanceof CodeExchangeRefusedError || error instanceof CodeExchangeUnconfirmedError) {
    return failureOf('code_exchange_unconfirmed');
  }
  if (error instanceof JourneySecretMissingError) return failureOf('journey_state_lost');
  return trueLayerFailureOf(error);
}

const secondsUntil = (at: string, now: Date) => Math.ceil((new Date(at).getTime() - now.getTime()) / 1000);

/**
 * How long a step that finds the choices already on the record (a retry, or a run the reconciler
 * started again) waits for the user: until a little after the deadline they were shown, at least 1 s.
 */
export const choiceWaitSeconds = (chooseBefore: string, timeoutSeconds: number, now: Date) =>
  Math.max(1, secondsUntil(chooseBefore, now) + choiceDeadlineMarginSeconds(timeoutSeconds));

/**
 * The workflow's first step: swaps the stored code for an access token and
 * reads the user's Signup+ data with it. One account: the journey completes
 * here. Several: the masked choices and the deadline are stored and the state
 * machine is told to wait. A refusal by TrueLayer ends the journey failed,
 * with its reason, here too; only what is worth retrying goes up.
 *
 * Every write is conditional or repeatable, so a retry after any partial
 * attempt (or a run started again by the reconciler) converges: a code is
 * never sent twice, an ended journey is only settled, stored choices are not
 * fetched again and a recorded choice goes straight on.
 */
export async function linkAccounts(
  input: { onboardingId: string; accountChoiceTimeoutSeconds: number },
  deps: LinkAccountsDependencies,
): Promise<LinkAccountsResult> {
  const journey = await deps.repository.getJourney(input.onboardingId);
  const { onboarding, secrets } = journey;
  if (terminalStatuses.includes(onboarding.status)) {
    await settleSoon(onboarding, deps);
    return END;
  }
  if (onboarding.status === 'account_chosen') return { next: 'chosen', wait_seconds: 1 };
  if (onboarding.account_choice_expires_at) {
    const { account_choice_expires_at: chooseBefore } = onboarding;
    return {
      next: 'choose',
      wait_seconds: choiceWaitSeconds(chooseBefore, input.accountChoiceTimeoutSeconds, deps.now()),
    };
  }
  if (onboarding.status !== 'authorized') {
    throw new Error(`The workflow started on an onboarding that is ${onboarding.status}`);
  }

  let token: JourneyToken;
  try {
    token = await accessTokenFor(journey, deps);
  } catch (error) {
    const failure = exchangeFailure(error);
    if (!failure) throw error;
    await fail(onboarding, failure, deps);
    return END;
  }
  // The token is written while Signup+ is read; both settle before the step
  // ends, so a failed read never leaves the token unwritten.
  const [read, write] = await Promise.allSettled([
    deps.fetchAccounts(token.accessToken, {
      ...(secrets?.end_user_ip === undefined ? {} : { endUserIp: secrets.end_user_ip }),
    }),
    token.store(),
  ]);
  if (write.status === 'rejected') throw write.reason;
  if (read.status === 'rejected') {
    const failure = trueLayerFailureOf(read.reason);
    if (!failure) throw read.reason;
    await fail(onboarding, failure, deps, [token.exchanged]);
    return END;
  }
  const result = read.value;

  if (result.kind === 'identity') {
    const { account_details, ...user } = result.identity;
    await endJourney(
      {
        onboarding,
        end: { outcome: 'completed', user, account: account_details, detail: 'one account linked' },
        from: ['authorized'],
        earlier: [token.exchanged],
      },
      deps,
    );
    return END;
  }
  const now = deps.now();
  const timeout = input.accountChoiceTimeoutSeconds;
  const chooseBefore = addSeconds(now, timeout - choiceDeadlineMarginSeconds(timeout));
  await deps.repository.transition(input.onboardingId, {
    from: ['authorized'],
    now,
    set: {
      account_choices: result.accounts.map((account) => ({
        account_id: account.account_id,
        display_name: account.display_name,
        account_type: account.account_type,
        currency: account.currency,
        ...(account.sort_code ? { sort_code: account.sort_code } : {}),
        ...(account.account_number || account.iban
          ? { account_number_masked: maskAccountNumber(account.account_number ?? account.iban) }
          : {}),
      })),
      account_choice_expires_at: chooseBefore.toISOString(),
    },
    timeline: [
      token.exchanged,
      {
        at: now.toISOString(),
        step: 'accounts_fetched',
        detail: `${result.accounts.length} accounts linked`,
      },
    ],
  });
  return { next: 'choose', wait_seconds: input.accountChoiceTimeoutSeconds };
}

function fail(
  onboarding: Onboarding,
  failure: Failure,
  deps: EndJourneyDependencies,
  earlier: readonly TimelineEntry[] = [],
) {
  return endJourney({ onboarding, end: { outcome: 'failed', failure }, from: ['authorized'], earlier }, deps);
}
