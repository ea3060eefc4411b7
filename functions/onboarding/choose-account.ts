import * as z from 'zod/mini';
import type { OnboardingDependencies } from './deps.ts';
import { InvalidAccountChoiceError, OnboardingStatusConflictError } from './errors.ts';
import type { OnboardingStatus } from './model.ts';

export const accountChoiceRequestSchema = z.strictObject({
  account_id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
});

/** Why a task token could not be answered. */
export type ResumeOutcome = 'resumed' | 'task_closed';

export interface ChooseAccountDependencies extends Omit<OnboardingDependencies, 'publish'> {
  /** Answers the workflow's waiting task (SendTaskSuccess). */
  resumeWorkflow: (taskToken: string, output: { account_id: string }) => Promise<ResumeOutcome>;
}

export interface AccountChoiceAccepted {
  onboarding_id: string;
  status: OnboardingStatus;
  chosen_account_id: string;
}

/**
 * Records the user's choice and resumes the waiting workflow. The record is
 * claimed with a conditional write first, so of two concurrent choices exactly
 * one reaches the workflow; the other is told the current status.
 */
export async function chooseAccount(
  onboardingId: string,
  accountId: string,
  deps: ChooseAccountDependencies,
): Promise<AccountChoiceAccepted> {
  // The record and the task token in one read: the token is stored before the
  // record says "waiting", and it is used only if this choice wins the claim.
  const { onboarding, secrets } = await deps.repository.getJourney(onboardingId);
  if (onboarding.status !== 'awaiting_account_choice') {
    throw new OnboardingStatusConflictError(
      `The onboarding is ${onboarding.status}, not waiting for a choice.`,
      onboarding.status,
    );
  }
  if (!onboarding.account_choices?.some((choice) => choice.account_id === accountId)) {
    throw new InvalidAccountChoiceError(accountId);
  }
  const claimed = await deps.repository.transition(onboardingId, {
    from: ['awaiting_account_choice'],
    to: 'account_chosen',
    set: { chosen_account_id: accountId },
    timeline: { at: deps.now().toISOString(), step: 'account_chosen' },
  });
  const taskToken = secrets?.task_token;
  if (!taskToken) throw new Error('The waiting workflow left no task token');
  let outcome: ResumeOutcome;
  try {
    outcome = await deps.resumeWorkflow(taskToken, { account_id: accountId });
  } catch (error) {
    // The workflow could not be reached: give the choice back so the user can try again.
    await deps.repository.transition(onboardingId, {
      from: ['account_chosen'],
      to: 'awaiting_account_choice',
      remove: ['chosen_account_id'],
      expect: { field: 'chosen_account_id', value: accountId },
    });
    throw error;
  }
  if (outcome === 'task_closed') {
    // The wait timed out a moment before the choice arrived; the workflow is expiring the journey.
    throw new OnboardingStatusConflictError('The time to choose an account ran out.', 'expired');
  }
  return { onboarding_id: onboardingId, status: claimed.status, chosen_account_id: accountId };
}
