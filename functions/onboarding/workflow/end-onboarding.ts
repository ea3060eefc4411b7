import * as z from 'zod/mini';
import { envelopeFor } from '../../events/envelope.ts';
import { DetailTypes } from '../../events/onboarding-contracts.ts';
import { TrueLayerErrorNames } from '../../truelayer/errors.ts';
import type { OnboardingDependencies } from '../deps.ts';
import { OnboardingStatusConflictError } from '../errors.ts';
import { activeStatuses, type Failure, type Onboarding, type TimelineEntry } from '../model.ts';
import type { Journey } from '../repository.ts';
import type { EndOnboardingInput } from './inputs.ts';

/** Reasons recorded for errors the workflow knows; their messages are written for people and safe to keep. */
const REASONS: Record<string, string> = {
  [TrueLayerErrorNames.unavailable]: 'truelayer_unavailable',
  [TrueLayerErrorNames.rejected]: 'truelayer_rejected',
  [TrueLayerErrorNames.contract]: 'truelayer_contract_violation',
  JourneySecretMissingError: 'journey_state_lost',
  'States.Timeout': 'step_timed_out',
};

const lambdaCauseSchema = z.object({ errorMessage: z.string() });

/** Turns the Step Functions error and cause into a failure a person can act on, without internal details. */
export function failureFrom(input: EndOnboardingInput): Failure {
  if (input.outcome === 'expired') {
    return { reason: 'account_choice_timeout', detail: 'The user did not choose an account in time.' };
  }
  const reason = (input.error && REASONS[input.error.Error]) || 'internal_error';
  const cause = input.error?.Cause;
  if (reason === 'internal_error' || reason === 'step_timed_out' || !cause) {
    return { reason, detail: 'The onboarding could not be completed. Start a new one.' };
  }
  let message: string | undefined;
  try {
    const parsed = lambdaCauseSchema.safeParse(JSON.parse(cause));
    message = parsed.success ? parsed.data.errorMessage : undefined;
  } catch {
    message = undefined;
  }
  return { reason, detail: message ?? 'The onboarding could not be completed. Start a new one.' };
}

/**
 * LinkAccounts records the code exchange together with what it read from
 * Signup+; when that read failed, the exchange it did is recorded here, so the
 * timeline of a failed journey still shows how far it got.
 */
function unrecordedExchange({ onboarding, secrets }: Journey): TimelineEntry[] {
  const at = secrets?.code_exchanged_at;
  if (!at || onboarding.timeline.some((entry) => entry.step === 'code_exchanged')) return [];
  return [{ at, step: 'code_exchanged' }];
}

/**
 * The journey's other ends: failed (a step gave up) or expired (no choice in
 * time). The record is closed, the event published and the secrets deleted.
 * A retry, or an end arriving after another, changes nothing already terminal.
 */
export async function endOnboarding(input: EndOnboardingInput, deps: OnboardingDependencies): Promise<void> {
  const failure = failureFrom(input);
  const now = deps.now();
  const journey = await deps.repository.getJourney(input.onboarding_id);
  let onboarding: Onboarding;
  try {
    onboarding = await deps.repository.transition(input.onboarding_id, {
      from: activeStatuses,
      to: input.outcome,
      set: { failure },
      timeline: [
        ...unrecordedExchange(journey),
        { at: now.toISOString(), step: input.outcome, detail: failure.reason },
      ],
    });
  } catch (error) {
    if (!(error instanceof OnboardingStatusConflictError) || error.currentStatus !== input.outcome)
      throw error;
    onboarding = await deps.repository.get(input.onboarding_id);
  }
  const detailType = input.outcome === 'expired' ? DetailTypes.expired : DetailTypes.failed;
  await deps.publish(detailType, {
    ...envelopeFor(onboarding, detailType, now),
    failure: onboarding.failure ?? failure,
  });
  await deps.repository.deleteSecrets(input.onboarding_id);
}
