import type { OnboardingFlow } from '../contract/flows.ts';
import type { AccountChoiceAccepted } from '../contract/responses.ts';
import type { RepositoryPort } from './deps.ts';
import { InvalidAccountChoiceError, OnboardingStatusConflictError } from './errors.ts';
import { flowOf } from './model.ts';

/**
 * How answering the waiting task went: it took the choice, its task was already
 * closed, or the call failed in a way that may have taken effect (its answer lost).
 */
export type ResumeOutcome = 'resumed' | 'task_closed' | 'unconfirmed';

/** Where the journey's execution stands, as Step Functions describes it. */
export type WorkflowState = 'running' | 'ended' | 'not_found';

export interface ChooseAccountDependencies {
  repository: RepositoryPort<'getJourney' | 'transition'>;
  now: () => Date;
  /** Answers the workflow's waiting task (SendTaskSuccess). */
  resumeWorkflow: (taskToken: string, output: { account_id: string }) => Promise<ResumeOutcome>;
  /** DescribeExecution of the journey's execution (named after the onboarding). */
  workflowState: (onboardingId: string, flow: OnboardingFlow) => Promise<WorkflowState>;
}

/** A re-minted token is looked for this many times before the answer is judged by the execution's state. */
const TOKEN_READS = 3;

/**
 * Records the user's choice and resumes the waiting workflow. The record is
 * claimed with a conditional write first, so of two concurrent choices exactly
 * one reaches the workflow; the other is told the current status. A choice
 * after the deadline shown to the user (`account_choice_expires_at`) is
 * refused: that deadline is never later than the workflow's own timeout.
 *
 * When the token turns out closed, the answer depends on why: a newer token
 * (the waiting step was retried) is answered instead; a running execution
 * means this choice already reached it (SendTaskSuccess took effect and its
 * answer was lost); an execution that does not exist will be started by the
 * reconciler, which resumes the journey with the recorded choice. Only an
 * execution that has ended refuses the choice, and the reconciler then ends
 * the journey.
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
  const now = deps.now();
  const deadline = onboarding.account_choice_expires_at;
  if (deadline !== undefined && now.getTime() >= new Date(deadline).getTime()) {
    throw new OnboardingStatusConflictError('The time to choose an account ran out.', 'expired');
  }
  const claimed = await deps.repository.transition(onboardingId, {
    from: ['awaiting_account_choice'],
    to: 'account_chosen',
    now,
    set: { chosen_account_id: accountId },
    timeline: { at: now.toISOString(), step: 'account_chosen' },
  });
  const accepted = { onboarding_id: onboardingId, status: claimed.status, chosen_account_id: accountId };
  let taskToken = secrets?.task_token;
  for (let read = 1; taskToken !== undefined; read++) {
    let outcome: ResumeOutcome;
    try {
      outcome = await deps.resumeWorkflow(taskToken, { account_id: accountId });
    } catch (error) {
      // Step Functions refused the call (throttled): it did not take effect, so
      // give the choice back and let the user try again.
      await deps.repository.transition(onboardingId, {
        from: ['account_chosen'],
        to: 'awaiting_account_choice',
        now: deps.now(),
        remove: ['chosen_account_id'],
        expect: { field: 'chosen_account_id', value: accountId },
      });
      throw error;
    }
    // A call that may have reached the workflow keeps the choice: giving it back
    // could undo a choice the workflow is already completing with. The record
    // says account_chosen, so the reconciler answers the task again (a closed
    // token is harmless) until the journey moves on.
    if (outcome === 'resumed' || outcome === 'unconfirmed') return accepted;
    if (read >= TOKEN_READS) break;
    const newer = (await deps.repository.getJourney(onboardingId)).secrets?.task_token;
    taskToken = newer !== taskToken ? newer : undefined;
  }
  return judgeClosedTask(onboardingId, accepted, deps);
}

/**
 * The token was closed and no newer one exists. The record and the execution
 * tell why: the journey went on with this choice (completed, or still chosen
 * under a running execution), or it will be resumed with it (no execution:
 * the reconciler starts one), or it is over (the wait timed out, the
 * execution was stopped) and the choice came too late.
 */
async function judgeClosedTask(
  onboardingId: string,
  accepted: AccountChoiceAccepted,
  deps: ChooseAccountDependencies,
): Promise<AccountChoiceAccepted> {
  const { onboarding } = await deps.repository.getJourney(onboardingId);
  const ours = onboarding.chosen_account_id === accepted.chosen_account_id;
  if (ours && onboarding.status === 'completed') return accepted;
  if (
    ours &&
    onboarding.status === 'account_chosen' &&
    (await deps.workflowState(onboardingId, flowOf(onboarding))) !== 'ended'
  ) {
    return accepted;
  }
  throw new OnboardingStatusConflictError('The onboarding can no longer take a choice.', onboarding.status);
}
