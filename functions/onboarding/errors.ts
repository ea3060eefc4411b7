import { DomainError } from '../commons/errors.ts';
import { WorkflowErrorNames } from '../contract/workflow-errors.ts';
import type { OnboardingStatus } from './model.ts';

export class OnboardingNotFoundError extends DomainError {
  override readonly name = 'OnboardingNotFoundError';
  readonly kind = 'not_found';

  constructor(onboardingId: string) {
    super(`No onboarding with id ${onboardingId}.`);
  }
}

/** The onboarding is not in a status that allows what was asked; the answer carries the current status. */
export class OnboardingStatusConflictError extends DomainError {
  override readonly name = 'OnboardingStatusConflictError';
  readonly kind = 'conflict';
  readonly currentStatus: OnboardingStatus;

  constructor(message: string, currentStatus: OnboardingStatus) {
    super(message, { extensions: { onboarding_status: currentStatus } });
    this.currentStatus = currentStatus;
  }
}

/** Why a callback's `state` was refused. */
export type StateProblem = 'missing' | 'unknown' | 'expired' | 'already_used';

export class InvalidStateError extends DomainError {
  override readonly name = 'InvalidStateError';
  readonly kind = 'invalid_request';
  readonly problem: StateProblem;

  constructor(problem: StateProblem) {
    const messages: Record<StateProblem, string> = {
      missing: 'The link is missing its state parameter. Start the sign-up again.',
      unknown: 'This sign-up link is not recognised. Start the sign-up again.',
      expired: 'This sign-up link has expired. Start the sign-up again.',
      already_used: 'This sign-up link has already been used. Start the sign-up again.',
    };
    super(messages[problem], { extensions: { state_problem: problem } });
    this.problem = problem;
  }
}

export class InvalidAccountChoiceError extends DomainError {
  override readonly name = 'InvalidAccountChoiceError';
  readonly kind = 'invalid_request';

  constructor(accountId: string) {
    super(`Account ${accountId} is not one of the accounts offered for this onboarding.`, {
      extensions: { errors: [{ field: 'account_id', message: 'not one of the offered accounts' }] },
    });
  }
}

/** A workflow step found the journey's server-side secrets missing (already used, or deleted at the end). */
export class JourneySecretMissingError extends DomainError {
  override readonly name = 'JourneySecretMissingError';
  readonly kind = 'conflict';
}

/** Error names the state machine matches in its Catch rules, from the contract. */
export { WorkflowErrorNames };

/** The user's choice was recorded while the workflow was still getting ready to wait for it. */
export class AccountAlreadyChosenError extends Error {
  override readonly name = WorkflowErrorNames.accountAlreadyChosen;
}

/** The journey ended (by the reconciler, say) while the workflow was still running: nothing left to do. */
export class JourneyEndedError extends Error {
  override readonly name = WorkflowErrorNames.journeyEnded;
}
