import { envelopeFor } from '../../events/envelope.ts';
import { DetailTypes } from '../../events/onboarding-contracts.ts';
import { addSeconds, type OnboardingDependencies } from '../deps.ts';
import { OnboardingStatusConflictError } from '../errors.ts';
import type { Onboarding } from '../model.ts';

/**
 * Runs when the state machine starts waiting for the user's choice: the task
 * token is stored server-side (it never appears in a response, log or event),
 * the record shows the choices, and downstream is told a choice is pending.
 */
export async function requestAccountChoice(
  input: { onboardingId: string; taskToken: string; timeoutSeconds: number },
  deps: OnboardingDependencies,
): Promise<void> {
  // Token first: once the record says "waiting", a choice may arrive at once.
  await deps.repository.storeTaskToken(input.onboardingId, input.taskToken);
  const now = deps.now();
  const chooseBefore = addSeconds(now, input.timeoutSeconds).toISOString();
  let onboarding: Onboarding;
  try {
    onboarding = await deps.repository.transition(input.onboardingId, {
      from: ['authorized'],
      to: 'awaiting_account_choice',
      set: { account_choice_expires_at: chooseBefore },
      timeline: { at: now.toISOString(), step: 'account_choice_required' },
    });
  } catch (error) {
    if (
      !(error instanceof OnboardingStatusConflictError) ||
      error.currentStatus !== 'awaiting_account_choice'
    )
      throw error;
    onboarding = await deps.repository.get(input.onboardingId); // a retried invocation
  }
  await deps.publish(DetailTypes.accountChoiceRequired, {
    ...envelopeFor(onboarding, DetailTypes.accountChoiceRequired, now),
    account_count: onboarding.account_choices?.length ?? 0,
    choose_before: onboarding.account_choice_expires_at ?? chooseBefore,
  });
}
