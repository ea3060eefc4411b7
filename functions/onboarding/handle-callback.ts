import * as z from 'zod/mini';
import { envelopeFor } from '../events/envelope.ts';
import { DetailTypes } from '../events/onboarding-contracts.ts';
import { addSeconds, type OnboardingDependencies } from './deps.ts';
import { InvalidStateError, OnboardingStatusConflictError } from './errors.ts';
import type { StateRecord } from './model.ts';
import { sameDigest, sha256 } from './state-token.ts';

const queryValue = (max: number) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(max),
      z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    );

/**
 * The redirect's query: either a code or an error, always with the state.
 * A missing state is reported as an invalid state rather than a schema error,
 * so the user sees the same clear page either way.
 */
export const callbackQuerySchema = z
  .object({
    state: z.optional(queryValue(512)),
    code: z.optional(queryValue(2048)),
    error: z.optional(queryValue(128)),
    error_description: z.optional(z.string().check(z.maxLength(1024))),
  })
  .check(
    z.refine((query) => (query.code === undefined) !== (query.error === undefined), {
      message: 'exactly one of code and error is required',
      path: ['code'],
    }),
  );
export type CallbackQuery = z.infer<typeof callbackQuerySchema>;

export interface HandleCallbackDependencies extends OnboardingDependencies {
  /** Starts the workflow for the onboarding; must be idempotent (the execution name is the onboarding id). */
  startWorkflow: (onboardingId: string) => Promise<void>;
}

export type CallbackOutcome = { onboardingId: string; outcome: 'started' | 'denied' };

/** How long the code may wait server-side for the workflow to exchange it. */
const CODE_RETENTION_SECONDS = 86_400;

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
  // The same redirect arriving again (a reload, a double submit): let it
  // through so its effects are completed idempotently. Anything else is a replay.
  if (existing.outcome_hash && sameDigest(existing.outcome_hash, outcomeHash)) return existing;
  throw new InvalidStateError('already_used');
}

/**
 * The user is back from TrueLayer. The state is checked and spent, then either
 * the denial is recorded, or the code is stored server-side and the workflow
 * started once. Every step tolerates a duplicate of the same redirect.
 */
export async function handleCallback(
  query: CallbackQuery,
  deps: HandleCallbackDependencies,
): Promise<CallbackOutcome> {
  if (query.state === undefined) throw new InvalidStateError('missing');
  const stateHash = sha256(query.state);
  if (query.error !== undefined) {
    const state = await claimState(stateHash, sha256(`error:${query.error}`), deps);
    await recordDenial(state.onboarding_id, query.error, deps);
    return { onboardingId: state.onboarding_id, outcome: 'denied' };
  }
  const code = query.code ?? '';
  const state = await claimState(stateHash, sha256(`code:${code}`), deps);
  const onboardingId = state.onboarding_id;
  const now = deps.now();
  // Two different items, both needed before the workflow starts and neither
  // depending on the other: written side by side.
  await Promise.all([
    deps.repository.storeAuthorizationCode(onboardingId, code, addSeconds(now, CODE_RETENTION_SECONDS)),
    deps.repository
      .transition(onboardingId, {
        from: ['awaiting_authorization'],
        to: 'authorized',
        timeline: { at: now.toISOString(), step: 'user_authorized' },
      })
      .catch((error: unknown) => {
        // A duplicate callback finds the journey already moving on.
        if (!(error instanceof OnboardingStatusConflictError)) throw error;
      }),
  ]);
  await deps.startWorkflow(onboardingId);
  return { onboardingId, outcome: 'started' };
}

async function recordDenial(
  onboardingId: string,
  error: string,
  deps: HandleCallbackDependencies,
): Promise<void> {
  const now = deps.now();
  const failure = {
    reason: error === 'access_denied' ? 'access_denied' : 'authorization_error',
    detail:
      error === 'access_denied'
        ? 'The user declined to share their data with TrueLayer.'
        : `TrueLayer returned the user with error ${error}.`,
  };
  let onboarding: Awaited<ReturnType<typeof deps.repository.transition>>;
  try {
    onboarding = await deps.repository.transition(onboardingId, {
      from: ['awaiting_authorization'],
      to: 'failed',
      set: { failure },
      timeline: { at: now.toISOString(), step: 'failed', detail: failure.reason },
    });
  } catch (conflict) {
    if (conflict instanceof OnboardingStatusConflictError) return; // recorded by the first of duplicate redirects
    throw conflict;
  }
  await deps.publish(DetailTypes.failed, { ...envelopeFor(onboarding, DetailTypes.failed, now), failure });
}
