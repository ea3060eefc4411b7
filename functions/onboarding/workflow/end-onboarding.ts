import type { EndJourneyMethods, OnboardingDependencies } from '../deps.ts';
import { endJourney, settleSoon } from '../end-journey.ts';
import { failureOf } from '../failure-reasons.ts';
import { type TimelineEntry, terminalStatuses } from '../model.ts';
import type { Journey } from '../repository.ts';
import { failureFromCatch } from './failures.ts';
import type { EndOnboardingInput } from './inputs.ts';

/**
 * LinkAccounts records the code exchange together with what it read from
 * Signup+; when that read failed for good, the exchange it did is recorded
 * here, so the timeline of a failed journey still shows how far it got.
 */
function unrecordedExchange({ onboarding, secrets }: Journey): TimelineEntry[] {
  const at = secrets?.code_exchanged_at;
  if (!at || !secrets.access_token || onboarding.timeline.some((entry) => entry.step === 'code_exchanged')) {
    return [];
  }
  return [{ at, step: 'code_exchanged' }];
}

/**
 * The state machine's other ends: FailOnboarding (a step gave up or failed
 * unexpectedly) and ExpireOnboarding (no choice in time). A journey that
 * already ended (a step recorded its own failure, the reconciler got there
 * first) is only settled: one journey, one end.
 */
/** Reads the journey, then ends it (or only settles an end already recorded). */
export type EndOnboardingDependencies = OnboardingDependencies<EndJourneyMethods | 'getJourney'>;

export async function endOnboarding(
  input: EndOnboardingInput,
  deps: EndOnboardingDependencies,
): Promise<void> {
  const journey = await deps.repository.getJourney(input.onboarding_id);
  if (terminalStatuses.includes(journey.onboarding.status)) return settleSoon(journey.onboarding, deps);
  await endJourney(
    {
      onboarding: journey.onboarding,
      end:
        input.outcome === 'expired'
          ? { outcome: 'expired', failure: failureOf('account_choice_timeout') }
          : { outcome: 'failed', failure: failureFromCatch(input.error) },
      earlier: unrecordedExchange(journey),
    },
    deps,
  );
}
