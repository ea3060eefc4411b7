import type { Failure } from '../commons/failure.ts';
import { FAILURE_REASONS, type FailureReason, failureOf } from '../onboarding/failure-reasons.ts';
import {
  IdentityIncompleteError,
  type IneligibilityCause,
  SignupPlusNotEligibleError,
  TrueLayerContractError,
  TrueLayerError,
  TrueLayerErrorNames,
  TrueLayerReconnectRequiredError,
  TrueLayerRejectedError,
  TrueLayerUnavailableError,
} from './errors.ts';

export { RETRIABLE_TRUELAYER_ERRORS, TrueLayerErrorNames } from './errors.ts';

const INELIGIBILITY_REASONS: Record<IneligibilityCause, FailureReason> = {
  user_data_not_found: 'user_data_not_found',
  joint_account: 'joint_account_not_supported',
  provider_not_supported: 'provider_not_supported',
};

/** The failure reason each TrueLayer error stands for (docs/events.md, "Failure reasons"). */
export function failureReasonOf(error: TrueLayerError): FailureReason {
  if (error instanceof TrueLayerUnavailableError) return 'truelayer_unavailable';
  if (error instanceof TrueLayerReconnectRequiredError) return 'reconnect_required';
  if (error instanceof SignupPlusNotEligibleError) return INELIGIBILITY_REASONS[error.ineligibility];
  if (error instanceof IdentityIncompleteError) return 'identity_incomplete';
  if (error instanceof TrueLayerRejectedError) return 'truelayer_refused';
  if (error instanceof TrueLayerContractError) return 'truelayer_contract_violation';
  // A TrueLayerError of a kind added later and not mapped yet: the operator's to look at.
  return 'truelayer_refused';
}

/** The TrueLayer error in `error` or its chain of causes (a caller may have wrapped it). */
function trueLayerErrorIn(error: unknown): TrueLayerError | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof TrueLayerError) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * The journey's failure for an error raised by a TrueLayer call, or
 * `undefined` when the error is not TrueLayer's. The reason is one of the
 * catalogue's (failure-reasons.ts) and the detail its sentence, never
 * TrueLayer's text; `truelayer` keeps the status, title, trace id and
 * correlation id for TrueLayer Support. For an incomplete identity the detail
 * also names the missing fields (names only, never a value).
 */
export function trueLayerFailure(error: unknown): Failure | undefined {
  const found = trueLayerErrorIn(error);
  if (!found) return undefined;
  const failure = failureOf(failureReasonOf(found), found.truelayer ? { truelayer: found.truelayer } : {});
  if (found instanceof IdentityIncompleteError) {
    return {
      ...failure,
      detail: `${FAILURE_REASONS.identity_incomplete.detail} Missing: ${found.missing.join(', ')}.`,
    };
  }
  return failure;
}

/** Whether the state machine should retry the step that raised `error` (by the names its Retry lists). */
export function isRetriableTrueLayerError(error: unknown): boolean {
  return error instanceof Error && error.name === TrueLayerErrorNames.unavailable;
}
