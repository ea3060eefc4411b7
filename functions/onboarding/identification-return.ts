import type { IdentificationReturnQuery } from '../contract/onboarding-requests.ts';
import { denialFailure } from './denial.ts';
import type { EndJourneyMethods, OnboardingDependencies, RepositoryPort } from './deps.ts';
import { InvalidStateError, OnboardingStatusConflictError } from './errors.ts';
import { claimState, endDenied } from './handle-callback.ts';
import { sha256 } from './state-token.ts';

export type IdentificationReturnDependencies = OnboardingDependencies<
  EndJourneyMethods | 'useState' | 'findState' | 'storeDenial' | 'storeIdentification'
>;

/** `identified`: the workflow goes on to Signup+; `denied`: the user or their bank refused. */
export type IdentificationReturnOutcome = { onboardingId: string; outcome: 'identified' | 'denied' };

/**
 * The user is back from identifying at their bank (Finland). The state the
 * identification link carried is checked and spent, as at /callback. An error
 * ends the journey `failed` with its reason; otherwise the bank's reference,
 * when it sent one, is kept with the journey's secrets (it is never logged or
 * shown) and the record moves to `identified`, which the waiting workflow
 * picks up at its next look. A reload of the same return changes nothing
 * more; one after the journey ended, nothing at all.
 */
export async function handleIdentificationReturn(
  query: IdentificationReturnQuery,
  deps: IdentificationReturnDependencies,
): Promise<IdentificationReturnOutcome> {
  if (query.state === undefined) throw new InvalidStateError('missing');
  const stateHash = sha256(query.state);
  if (query.error !== undefined) {
    const state = await claimState(stateHash, sha256(`error:${query.error}`), deps);
    const failure = denialFailure(query.error, query.error_description);
    await endDenied(state.onboarding_id, failure, 'awaiting_identification', deps);
    return { onboardingId: state.onboarding_id, outcome: 'denied' };
  }
  const reference = query.authorization_reference;
  const state = await claimState(stateHash, sha256(`reference:${reference ?? ''}`), deps);
  const onboardingId = state.onboarding_id;
  // Kept first, as a code is: the record never says `identified` without the reference, and a return
  // whose record write fails is still picked up by the workflow's next look.
  const now = deps.now();
  await deps.repository.storeIdentification(onboardingId, { at: now, reference });
  await recordIdentified(onboardingId, now, deps);
  return { onboardingId, outcome: 'identified' };
}

/**
 * `awaiting_identification` → `identified`, once. A reload after the first
 * return, or a journey that ended meanwhile, finds it moved already.
 */
export async function recordIdentified(
  onboardingId: string,
  at: Date,
  deps: { repository: RepositoryPort<'transition'>; now: () => Date },
): Promise<void> {
  try {
    await deps.repository.transition(onboardingId, {
      from: ['awaiting_identification'],
      to: 'identified',
      now: deps.now(),
      timeline: { at: at.toISOString(), step: 'user_identified' },
    });
  } catch (error) {
    if (!(error instanceof OnboardingStatusConflictError)) throw error;
  }
}
