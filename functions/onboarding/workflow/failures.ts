import type { Failure } from '../../commons/failure.ts';
import { TrueLayerErrorNames, trueLayerFailure } from '../../truelayer/failures.ts';
import { failureOf } from '../failure-reasons.ts';

/**
 * The failure a step records itself when TrueLayer's answer settles the
 * journey (the user must reconnect or cannot use Signup+, a refusal, an
 * incomplete identity, an answer outside the contract); undefined for errors
 * worth retrying or that are not TrueLayer's, which go up to the state
 * machine's Retry and, in the end, its Catch.
 */
export function trueLayerFailureOf(error: unknown): Failure | undefined {
  if (error instanceof Error && error.name === TrueLayerErrorNames.unavailable) return undefined;
  return trueLayerFailure(error);
}

/**
 * The failure FailOnboarding records for what the state machine's Catch
 * caught: retries ran out, or something unexpected happened. Only the error
 * name is read; its message stays in the execution history, never in the
 * record or the event.
 */
export function failureFromCatch(error: { Error: string } | undefined): Failure {
  if (error?.Error === TrueLayerErrorNames.unavailable) return failureOf('truelayer_unavailable');
  return failureOf('internal_error');
}
