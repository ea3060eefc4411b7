import { DetailTypes } from '../../contract/onboarding-events.ts';
import { announcement } from '../announcement.ts';
import type { OnboardingDependencies, SettleMethods } from '../deps.ts';
import { settleSoon } from '../end-journey.ts';
import { AccountAlreadyChosenError, JourneyEndedError, OnboardingStatusConflictError } from '../errors.ts';
import { recordAccountChoiceRequired } from '../journey-metrics.ts';
import { type Onboarding, terminalStatuses } from '../model.ts';

/** Stores the task token, reads the record, moves it to waiting and settles the announcement. */
export type RequestAccountChoiceDependencies = OnboardingDependencies<
  SettleMethods | 'storeTaskToken' | 'get' | 'transition'
>;

/** Where the record may already be when this step runs (again), and what the step does then. */
function alreadyAhead(onboarding: Onboarding): Error | 'waiting' | undefined {
  if (onboarding.status === 'awaiting_account_choice') return 'waiting';
  if (onboarding.status === 'account_chosen') {
    return new AccountAlreadyChosenError('A choice was recorded before the workflow started waiting.');
  }
  if (terminalStatuses.includes(onboarding.status)) {
    return new JourneyEndedError(`The onboarding is already ${onboarding.status}.`);
  }
  return undefined;
}

/**
 * Runs when the state machine starts waiting for the user's choice: the task
 * token is stored server-side (it never appears in a response, log or event),
 * then the record shows the choices and announces that a choice is pending.
 *
 * This step may run more than once for one wait (a retry mints a new token),
 * and a choice may land in between. The token is always stored first, so a
 * chooser finds the newest one; when the record already holds a choice, the
 * step fails with AccountAlreadyChosenError and the state machine goes on to
 * complete with it instead of waiting for a token nobody will answer.
 */
export async function requestAccountChoice(
  input: { onboardingId: string; taskToken: string },
  deps: RequestAccountChoiceDependencies,
): Promise<void> {
  await deps.repository.storeTaskToken(input.onboardingId, input.taskToken);
  const onboarding = await deps.repository.get(input.onboardingId);
  const ahead = alreadyAhead(onboarding);
  if (ahead === 'waiting') return settleSoon(onboarding, deps);
  if (ahead) throw ahead;
  const now = deps.now();
  const chooseBefore = onboarding.account_choice_expires_at;
  if (!onboarding.account_choices || !chooseBefore) {
    throw new Error('The workflow is waiting for a choice the record does not offer');
  }
  let waiting: Onboarding;
  try {
    waiting = await deps.repository.transition(input.onboardingId, {
      from: ['authorized'],
      to: 'awaiting_account_choice',
      now,
      timeline: { at: now.toISOString(), step: 'account_choice_required' },
      announce: announcement(
        onboarding,
        DetailTypes.accountChoiceRequired,
        { account_count: onboarding.account_choices.length, choose_before: chooseBefore },
        now,
      ),
    });
  } catch (error) {
    if (!(error instanceof OnboardingStatusConflictError)) throw error;
    const current = await deps.repository.get(input.onboardingId);
    const moved = alreadyAhead(current);
    if (moved === 'waiting') return settleSoon(current, deps);
    throw moved ?? error;
  }
  recordAccountChoiceRequired(waiting);
  await settleSoon(waiting, deps);
}
