import { isIP } from 'node:net';
import type { Failure } from '../commons/failure.ts';
import { logger } from '../commons/logger.ts';
import type { CallbackQuery } from './callback-query.ts';
import type { OnboardingDependencies } from './deps.ts';
import { endJourney } from './end-journey.ts';
import { InvalidStateError, OnboardingStatusConflictError } from './errors.ts';
import { failureOf } from './failure-reasons.ts';
import { type StateRecord, terminalStatuses } from './model.ts';
import { sameDigest, sha256 } from './state-token.ts';

export interface HandleCallbackDependencies extends OnboardingDependencies {
  /** Starts the workflow for the onboarding; must be idempotent (the execution name is the onboarding id). */
  startWorkflow: (onboardingId: string) => Promise<void>;
}

/** `started`: the workflow has the code; `denied`: the user came back with an error; `ended`: the journey was already over. */
export type CallbackOutcome = { onboardingId: string; outcome: 'started' | 'denied' | 'ended' };

/** The error codes RFC 6749 §4.1.2.1 defines for an authorization response. */
const OAUTH_ERRORS = new Set([
  'access_denied',
  'invalid_request',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);
const MAX_DESCRIPTION = 200;
/**
 * An `access_denied` whose description speaks of logging in: the bank refused the user's login,
 * which is not the user declining. TrueLayer documents neither redirect; the words are what an
 * authorisation server says of a failed login (the simulator says "The bank rejected the login
 * credentials"). Without such words `access_denied` stays the user's refusal.
 */
const LOGIN_FAILED = /\b(log ?in|sign ?in|credentials?|password|authenticat\w*)\b/i;

/**
 * What the record and the event keep of an error redirect. The query is
 * attacker-controlled (anyone can send a browser to the callback with any
 * text), so only an error code the RFC defines is kept, and its description
 * only in the RFC's character set and cut short; anything else is recorded as
 * an unknown authorisation error.
 */
export function denialFailure(error: string, description: string | undefined): Failure {
  if (!OAUTH_ERRORS.has(error)) return failureOf('authorization_error', { oauth: { error: 'unknown' } });
  const cleaned = description
    ?.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')
    .trim()
    .slice(0, MAX_DESCRIPTION);
  const oauth = { error, ...(cleaned ? { description: cleaned } : {}) };
  if (error !== 'access_denied') return failureOf('authorization_error', { oauth });
  return failureOf(cleaned && LOGIN_FAILED.test(cleaned) ? 'bank_login_failed' : 'access_denied', { oauth });
}

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
    const onboarding = await deps.repository.get(state.onboarding_id);
    await endJourney(
      {
        onboarding,
        end: { outcome: 'failed', failure: denialFailure(query.error, query.error_description) },
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
  const now = deps.now();
  // Two different items, both needed before the workflow starts and neither
  // depending on the other: written side by side.
  const [, status] = await Promise.all([
    deps.repository.storeAuthorizationCode(onboardingId, {
      authorizationCode: code,
      endUserIp: endUserIp !== undefined && isIP(endUserIp) !== 0 ? endUserIp : undefined,
    }),
    deps.repository
      .transition(onboardingId, {
        from: ['awaiting_authorization'],
        to: 'authorized',
        now,
        timeline: { at: now.toISOString(), step: 'user_authorized' },
      })
      .then(
        (onboarding) => onboarding.status,
        (error: unknown) => {
          // A duplicate callback finds the journey moving on, a late one finds it over.
          if (error instanceof OnboardingStatusConflictError) return error.currentStatus;
          throw error;
        },
      ),
  ]);
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
