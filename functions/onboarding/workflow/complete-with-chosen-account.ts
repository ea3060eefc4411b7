import type { Failure } from '../../commons/failure.ts';
import type { EndJourneyDependencies, EndJourneyMethods, OnboardingDependencies } from '../deps.ts';
import { endJourney, settleSoon } from '../end-journey.ts';
import { failureOf } from '../failure-reasons.ts';
import { type Onboarding, terminalStatuses } from '../model.ts';
import { trueLayerFailureOf } from './failures.ts';
import type { LinkAccountsDependencies } from './link-accounts.ts';

export interface CompleteWithChosenAccountDependencies
  extends OnboardingDependencies<EndJourneyMethods | 'getJourney'> {
  fetchAccounts: LinkAccountsDependencies['fetchAccounts'];
}

const fail = (onboarding: Onboarding, failure: Failure, deps: EndJourneyDependencies) =>
  endJourney({ onboarding, end: { outcome: 'failed', failure }, from: ['account_chosen'] }, deps);

/**
 * After the user's choice: reads the identity behind the chosen account (the
 * record holds the choice; the state data carries none) and completes the
 * journey with it. A refusal by TrueLayer ends it failed with its reason. A
 * retry that finds the journey ended only settles it.
 */
export async function completeWithChosenAccount(
  onboardingId: string,
  deps: CompleteWithChosenAccountDependencies,
): Promise<void> {
  const { onboarding, secrets } = await deps.repository.getJourney(onboardingId);
  if (terminalStatuses.includes(onboarding.status)) return settleSoon(onboarding, deps);
  const accountId = onboarding.chosen_account_id;
  if (onboarding.status !== 'account_chosen' || accountId === undefined) {
    throw new Error(`CompleteWithChosenAccount ran on an onboarding that is ${onboarding.status}`);
  }
  if (!secrets?.access_token) {
    await fail(onboarding, failureOf('journey_state_lost'), deps);
    return;
  }
  let result: Awaited<ReturnType<typeof deps.fetchAccounts>>;
  try {
    result = await deps.fetchAccounts(secrets.access_token, {
      accountId,
      ...(secrets.end_user_ip === undefined ? {} : { endUserIp: secrets.end_user_ip }),
    });
  } catch (error) {
    const failure = trueLayerFailureOf(error);
    if (!failure) throw error;
    await fail(onboarding, failure, deps);
    return;
  }
  if (result.kind !== 'identity') {
    // TrueLayer listed accounts again although one was chosen.
    await fail(onboarding, failureOf('truelayer_contract_violation'), deps);
    return;
  }
  const { account_details, ...user } = result.identity;
  await endJourney(
    {
      onboarding,
      end: { outcome: 'completed', user, account: account_details, detail: 'chosen account' },
      from: ['account_chosen'],
    },
    deps,
  );
}
