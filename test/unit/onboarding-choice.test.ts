import { describe, expect, it } from 'vitest';
import {
  type ChooseAccountDependencies,
  chooseAccount,
  type ResumeOutcome,
  type WorkflowState,
} from '../../functions/onboarding/choose-account.ts';
import {
  InvalidAccountChoiceError,
  OnboardingStatusConflictError,
} from '../../functions/onboarding/errors.ts';
import { fakeClock, InMemoryOnboardings, ONBOARDING_ID, onboardingIn } from './fakes/onboarding.ts';

const choices = [
  { account_id: 'acc-1', display_name: 'Current', account_type: 'CURRENT', currency: 'GBP' },
  { account_id: 'acc-2', display_name: 'Savings', account_type: 'SAVINGS', currency: 'GBP' },
];

/** A journey waiting for a choice until 10:10, and a workflow that answers as told. */
function waiting(answers: { resume?: ResumeOutcome[]; state?: WorkflowState } = {}) {
  const repository = new InMemoryOnboardings();
  repository.seed(
    onboardingIn('awaiting_account_choice', {
      account_choices: choices,
      account_choice_expires_at: '2026-03-01T10:10:00.000Z',
    }),
    { task_token: 'token-1' },
  );
  const clock = fakeClock();
  const resumed: Array<{ taskToken: string; accountId: string }> = [];
  const outcomes = [...(answers.resume ?? ['resumed'])];
  const deps: ChooseAccountDependencies = {
    repository,
    now: clock.now,
    resumeWorkflow: async (taskToken, output) => {
      resumed.push({ taskToken, accountId: output.account_id });
      return outcomes.shift() ?? 'task_closed';
    },
    workflowState: async () => answers.state ?? 'running',
  };
  return { repository, clock, resumed, deps };
}

describe('chooseAccount', () => {
  it('claims the record for the choice and answers the waiting task with it', async () => {
    const { repository, resumed, deps } = waiting();

    const accepted = await chooseAccount(ONBOARDING_ID, 'acc-2', deps);

    expect(accepted).toEqual({
      onboarding_id: ONBOARDING_ID,
      status: 'account_chosen',
      chosen_account_id: 'acc-2',
    });
    expect(repository.record(ONBOARDING_ID).chosen_account_id).toBe('acc-2');
    expect(resumed).toEqual([{ taskToken: 'token-1', accountId: 'acc-2' }]);
  });

  it('refuses an account that was not offered', async () => {
    const { resumed, deps } = waiting();

    const choosing = chooseAccount(ONBOARDING_ID, 'acc-9', deps);

    await expect(choosing).rejects.toBeInstanceOf(InvalidAccountChoiceError);
    expect(resumed).toEqual([]);
  });

  it('refuses a choice at or after the deadline shown to the user', async () => {
    const { clock, repository, deps } = waiting();
    clock.advanceSeconds(600);

    const choosing = chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    await expect(choosing).rejects.toMatchObject({ currentStatus: 'expired' });
    expect(repository.record(ONBOARDING_ID).status).toBe('awaiting_account_choice');
  });

  it('tells a second chooser that the account is already chosen', async () => {
    const { deps } = waiting();
    await chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    const second = chooseAccount(ONBOARDING_ID, 'acc-2', deps);

    await expect(second).rejects.toBeInstanceOf(OnboardingStatusConflictError);
    await expect(second).rejects.toMatchObject({ currentStatus: 'account_chosen' });
  });

  it('gives the choice back when Step Functions refused the call (throttled), so the user can try again', async () => {
    const { repository, deps } = waiting();

    const choosing = chooseAccount(ONBOARDING_ID, 'acc-1', {
      ...deps,
      resumeWorkflow: async () => {
        throw new Error('SendTaskSuccess throttled');
      },
    });

    await expect(choosing).rejects.toThrow('SendTaskSuccess throttled');
    const record = repository.record(ONBOARDING_ID);
    expect(record.status).toBe('awaiting_account_choice');
    expect(record.chosen_account_id).toBeUndefined();
  });

  it('keeps the choice when the call may have reached the workflow, for the reconciler to answer again', async () => {
    const { repository, resumed, deps } = waiting({ resume: ['unconfirmed'] });

    const accepted = await chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    // Giving it back could undo a choice the workflow is already completing with.
    expect(accepted).toMatchObject({ status: 'account_chosen', chosen_account_id: 'acc-1' });
    expect(repository.record(ONBOARDING_ID)).toMatchObject({
      status: 'account_chosen',
      chosen_account_id: 'acc-1',
    });
    expect(resumed).toHaveLength(1);
  });

  it('answers a newer token when the waiting step was retried and minted one', async () => {
    const { repository, resumed, deps } = waiting({ resume: ['task_closed', 'resumed'] });
    const first = deps.resumeWorkflow;
    deps.resumeWorkflow = async (taskToken, output) => {
      await repository.storeTaskToken(ONBOARDING_ID, 'token-2');
      return first(taskToken, output);
    };

    await chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    expect(resumed.map((call) => call.taskToken)).toEqual(['token-1', 'token-2']);
  });

  it('accepts a closed token under a running execution: the choice already reached it', async () => {
    const { deps } = waiting({ resume: ['task_closed'], state: 'running' });

    const accepted = await chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    expect(accepted.status).toBe('account_chosen');
  });

  it('accepts a closed token with no execution: the reconciler starts one with the choice', async () => {
    const { deps } = waiting({ resume: ['task_closed'], state: 'not_found' });

    const accepted = await chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    expect(accepted.chosen_account_id).toBe('acc-1');
  });

  it('refuses the choice when the execution has ended', async () => {
    const { deps } = waiting({ resume: ['task_closed'], state: 'ended' });

    const choosing = chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    await expect(choosing).rejects.toMatchObject({
      name: 'OnboardingStatusConflictError',
      message: 'The onboarding can no longer take a choice.',
    });
  });

  it('refuses a choice on a journey that has ended', async () => {
    const { repository, deps } = waiting();
    repository.seed(onboardingIn('completed'));

    const choosing = chooseAccount(ONBOARDING_ID, 'acc-1', deps);

    await expect(choosing).rejects.toMatchObject({ currentStatus: 'completed' });
  });
});
