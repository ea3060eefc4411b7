import { isIP } from 'node:net';
import { logger } from '../commons/logger.ts';
import type { CallbackQuery } from '../contract/onboarding-requests.ts';
import { recordAuthorization } from './authorization.ts';
import { denialFailure } from './denial.ts';
import type { EndJourneyMethods, OnboardingDependencies } from './deps.ts';
import { endJourney } from './end-journey.ts';
import { InvalidStateError, OnboardingStatusConflictError } from './errors.ts';
import { type StateRecord, terminalStatuses } from './model.ts';
import { sameDigest, sha256 } from './state-token.ts';

export interface HandleCallbackDependencies
  extends OnboardingDependencies<
    EndJourneyMethods | 'useState' | 'findState' | 'storeAuthorizationCode' | 'storeDenial'
  > {
  /** Starts the workflow for the onboarding; must be idempotent (the execution name is the onboarding id). */
  startWorkflow: (onboardingId: string) => Promise<void>;
}

/** `started`: the workflow has the code; `denied`: the user came back with an error; `ended`: the journey was already over. */
export type CallbackOutcome = { onboardingId: string; outcome: 'started' | 'denied' | 'ended' };

async function claimState(
  stateHash: string,
  outcomeHash: string,
  deps: HandleCallbackDependencies,
): Promise<StateRecord> {
  const won = await deps.repository.useState(stateHash, outcomeHash, deps.now());
  if (won) return won;
  const existing = await deps.repository.findState(stateHash);
  if (!existing) throw new InvalidStateError('unknown');
  if (!existing.used_at) throw new InvalidStateError('expired');
  // The same redirect arriving again (a reload, a double submit, or the SDK
  // resending a write whose answer was lost): let it through so its effects
  // are completed idempotently. Anything else is a replay.
  if (existing.outcome_hash && sameDigest(existing.outcome_hash, outcomeHash)) return existing;
  throw new InvalidStateError('already_used');
}

/**
 * The user is back from TrueLayer. The state is checked and spent, then
 * either the denial ends the journey, or the code (and the user's IP, for
 * X-PSU-IP) is stored server-side and the workflow started once. Every step
 * tolerates a duplicate of the same redirect, and one that arrives after the
 * journey ended changes nothing.
 *
 * If the workflow cannot be started now, the user still goes on to the
 * return page: the record is `authorized` and due, and the reconciler starts
 * the workflow.
 */
export async function handleCallback(
  query: CallbackQuery,
  endUserIp: string | undefined,
  deps: HandleCallbackDependencies,
): Promise<CallbackOutcome> {
  if (query.state === undefined) throw new InvalidStateError('missing');
  const stateHash = sha256(query.state);
  if (query.error !== undefined) {
    const state = await claimState(stateHash, sha256(`error:${query.error}`), deps);
    const failure = denialFailure(query.error, query.error_description);
    // The denial first, as the code is kept first: if the end cannot be written now and the user never
    // reloads, the reconciler ends the journey with it, rather than let the link run out.
    await deps.repository.storeDenial(state.onboarding_id, failure);
    const onboarding = await deps.repository.get(state.onboarding_id);
    await endJourney(
      {
        onboarding,
        end: { outcome: 'failed', failure },
        from: ['awaiting_authorization'],
      },
      deps,
    ).catch((error: unknown) => {
      // Recorded by the first of duplicate redirects, or the link expired meanwhile.
      if (!(error instanceof OnboardingStatusConflictError)) throw error;
    });
    return { onboardingId: state.onboarding_id, outcome: 'denied' };
  }
  const code = query.code ?? '';
  const state = await claimState(stateHash, sha256(`code:${code}`), deps);
  const onboardingId = state.onboarding_id;
  // The code first: if the record then cannot be moved on, the reconciler finds an unused link with a
  // code and finishes the callback's work; the other way round, a journey would wait with no code.
  await deps.repository.storeAuthorizationCode(onboardingId, {
    authorizationCode: code,
    endUserIp: endUserIp !== undefined && isIP(endUserIp) !== 0 ? endUserIp : undefined,
  });
  // A duplicate callback finds the journey moving on, a late one finds it over.
  const status = await recordAuthorization(onboardingId, deps);
  if (terminalStatuses.includes(status)) return { onboardingId, outcome: 'ended' };
  try {
    await deps.startWorkflow(onboardingId);
  } catch (error) {
    logger.error('The workflow could not be started; the reconciler will start it', {
      error_name: error instanceof Error ? error.name : 'unknown',
    });
  }
  return { onboardingId, outcome: 'started' };
}
