import { isIP } from 'node:net';
import { logger } from '../commons/logger.ts';
import type { CallbackQuery } from '../contract/onboarding-requests.ts';
import { recordAuthorization } from './authorization.ts';
import { denialFailure } from './denial.ts';
import type { EndJourneyMethods, OnboardingDependencies, RepositoryPort } from './deps.ts';
import { endJourney } from './end-journey.ts';
import { InvalidStateError, OnboardingStatusConflictError } from './errors.ts';
import { type OnboardingStatus, type StateRecord, terminalStatuses } from './model.ts';
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

/**
 * Spends a state for one outcome. The same redirect arriving again (same
 * outcome) is let through; any other use of a spent state is a replay.
 */
export async function claimState(
  stateHash: string,
  outcomeHash: string,
  deps: { repository: RepositoryPort<'useState' | 'findState'>; now: () => Date },
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
 * An error redirect ends the journey `failed`. The denial is kept first, as a
 * code is: if the end cannot be written now and the user never reloads, the
 * journey's next step (or the reconciler) ends it with the user's reason
 * rather than let it run out.
 */
export async function endDenied(
  onboardingId: string,
  failure: ReturnType<typeof denialFailure>,
  from: OnboardingStatus,
  deps: OnboardingDependencies<EndJourneyMethods | 'storeDenial'>,
): Promise<void> {
  await deps.repository.storeDenial(onboardingId, failure);
  const onboarding = await deps.repository.get(onboardingId);
  await endJourney({ onboarding, end: { outcome: 'failed', failure }, from: [from] }, deps).catch(
    (error: unknown) => {
      // Recorded by the first of duplicate redirects, or the journey ran out meanwhile.
      if (!(error instanceof OnboardingStatusConflictError)) throw error;
    },
  );
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
    await endDenied(state.onboarding_id, failure, 'awaiting_authorization', deps);
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
