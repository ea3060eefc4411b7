import type { Failure } from '../../commons/failure.ts';
import { TrueLayerRejectedError } from '../../truelayer/errors.ts';
import type { HostedResource, PaymentsClient } from '../../truelayer/payments-client.ts';
import type { OnboardingDependencies, SettleMethods } from '../deps.ts';
import { endJourney } from '../end-journey.ts';
import { OnboardingStatusConflictError } from '../errors.ts';
import { failureOf } from '../failure-reasons.ts';
import { recordIdentified } from '../identification-return.ts';
import type { Onboarding, OnboardingStatus, TimelineEntry } from '../model.ts';
import { newStateToken, sha256 } from '../state-token.ts';
import { trueLayerFailureOf } from './failures.ts';
import { type CheckPaymentResult, END_STEP as END } from './inputs.ts';

/*
 * Signup+ in Finland (docs/flows.md, "Finland"): once the user's euro payment
 * is executed, TrueLayer hands out a link (`POST /signup-plus/authuri`) where
 * they identify at their bank; they come back to GET /identification/return,
 * and only then does Signup+ answer for them. The workflow's one step runs
 * this: it asks for the link, waits for the user's return (reading the record
 * only, never TrueLayer), and completes the journey with the payer.
 */

export type IdentificationDependencies = OnboardingDependencies<
  SettleMethods | 'transition' | 'get' | 'getJourney' | 'createState'
> & {
  payments: Pick<PaymentsClient, 'identificationLink' | 'signupPlusIdentity'>;
  /**
   * The product's allow-listed return after the identification. TrueLayer
   * answers it as the link itself when it already knows the user.
   */
  identificationReturnUrl: string;
  /**
   * How long the product waits for the user to identify: as long as any link
   * it hands out lives (AUTH_LINK_TTL_SECONDS). TrueLayer does not say how
   * long its own link lives; its `authuri_expired` webhook ends the wait
   * earlier when the link dies first.
   */
  identificationSeconds: number;
};

/** How often the waiting workflow looks at the record for the user's return. */
export const IDENTIFICATION_POLL_SECONDS = 3;

/** The statuses a payment journey may end from. */
export const PAYMENT_JOURNEY_STATUSES: readonly OnboardingStatus[] = [
  'awaiting_authorization',
  'authorized',
  'awaiting_identification',
  'identified',
];

const WAIT: CheckPaymentResult = { next: 'wait', wait_seconds: IDENTIFICATION_POLL_SECONDS };

/** A euro payment: the Finnish journey, whose payer identifies at their bank after paying. */
export const identifiesAfterPaying = (onboarding: Onboarding) => onboarding.payment?.currency === 'EUR';

/** Whether a status belongs to the identification (then the step reads the record, not TrueLayer). */
export const isIdentifying = (status: OnboardingStatus) =>
  status === 'awaiting_identification' || status === 'identified';

/** TrueLayer's problem for an identification that ran out (changelog, October 2024), spelt either way. */
const EXPIRED_KEYS = new Set(['authorization_expired', 'authorisation_expired']);
const isExpiredIdentification = (error: unknown) =>
  error instanceof TrueLayerRejectedError && EXPIRED_KEYS.has(error.reason);

/** Same page: TrueLayer's link leads straight back to the product's return. */
function leadsStraightBack(link: string, returnUrl: string): boolean {
  const a = new URL(link);
  const b = new URL(returnUrl);
  return a.origin === b.origin && a.pathname === b.pathname;
}

function end(onboarding: Onboarding, failure: Failure, deps: IdentificationDependencies, expired = false) {
  return endJourney(
    {
      onboarding,
      end: expired ? { outcome: 'expired', failure } : { outcome: 'failed', failure },
      from: PAYMENT_JOURNEY_STATUSES,
    },
    deps,
  );
}

/**
 * The payment is executed: ask TrueLayer where the user identifies, and show
 * it on the record (`awaiting_identification`). The state the link carries is
 * stored first, so a return can never outrun it. A TrueLayer that already
 * knows the user answers with the product's own return: the journey goes on
 * to Signup+ at once.
 */
export async function requestIdentification(
  onboarding: Onboarding,
  resource: HostedResource,
  deps: IdentificationDependencies,
): Promise<CheckPaymentResult> {
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + deps.identificationSeconds * 1000);
  const state = newStateToken();
  await deps.repository.createState(sha256(state), onboarding.onboarding_id, expiresAt);
  let link: string;
  try {
    link = await deps.payments.identificationLink(resource.id, state);
  } catch (error) {
    const failure = trueLayerFailureOf(error);
    if (!failure) throw error;
    await end(onboarding, failure, deps);
    return END;
  }
  const at = now.toISOString();
  const earlier: TimelineEntry[] = [
    ...(onboarding.status === 'awaiting_authorization' ? [{ at, step: 'user_authorized' as const }] : []),
    { at, step: 'payment_executed' },
  ];
  const known = leadsStraightBack(link, deps.identificationReturnUrl);
  try {
    const moved = await deps.repository.transition(onboarding.onboarding_id, {
      from: ['awaiting_authorization', 'authorized'],
      to: known ? 'identified' : 'awaiting_identification',
      now,
      ...(known ? {} : { set: { identification: { link, expires_at: expiresAt.toISOString() } } }),
      timeline: [
        ...earlier,
        known
          ? { at, step: 'user_identified', detail: 'TrueLayer already knew the payer' }
          : { at, step: 'identification_required' },
      ],
    });
    return known ? completeIdentified(moved, resource, deps) : WAIT;
  } catch (error) {
    // Another execution, or the reconciler, moved the record: the next look reads where it is.
    if (error instanceof OnboardingStatusConflictError) return WAIT;
    throw error;
  }
}

/**
 * The record is in the identification: waiting for the user (until the
 * deadline), back from their bank and ready for Signup+, or back with a
 * return (or a denial) the return route kept but could not record.
 */
export async function followIdentification(
  onboarding: Onboarding,
  resource: HostedResource,
  deps: IdentificationDependencies,
): Promise<CheckPaymentResult> {
  if (onboarding.status === 'identified') return completeIdentified(onboarding, resource, deps);
  const { secrets } = await deps.repository.getJourney(onboarding.onboarding_id);
  if (secrets?.denial) {
    await end(onboarding, secrets.denial, deps);
    return END;
  }
  // The user came back, and the return could not move the record on: this look does.
  if (secrets?.identified_at !== undefined) {
    await recordIdentified(onboarding.onboarding_id, new Date(secrets.identified_at), deps);
    const moved = await deps.repository.get(onboarding.onboarding_id);
    return moved.status === 'identified' ? completeIdentified(moved, resource, deps) : WAIT;
  }
  const deadline = onboarding.identification?.expires_at;
  if (deadline === undefined || deps.now().getTime() >= new Date(deadline).getTime()) {
    await end(onboarding, failureOf('identification_expired'), deps, true);
    return END;
  }
  return WAIT;
}

/** The user is identified: Signup+ names them, with the reference their bank gave back when it gave one. */
async function completeIdentified(
  onboarding: Onboarding,
  resource: HostedResource,
  deps: IdentificationDependencies,
): Promise<CheckPaymentResult> {
  const { secrets } = await deps.repository.getJourney(onboarding.onboarding_id);
  let identity: Awaited<ReturnType<IdentificationDependencies['payments']['signupPlusIdentity']>>;
  try {
    identity = await deps.payments.signupPlusIdentity(resource, {
      authorizationReference: secrets?.authorization_reference,
    });
  } catch (error) {
    if (isExpiredIdentification(error)) {
      await end(onboarding, failureOf('identification_expired'), deps, true);
      return END;
    }
    const failure = trueLayerFailureOf(error);
    if (!failure) throw error;
    await end(onboarding, failure, deps);
    return END;
  }
  const { account_details, ...user } = identity;
  await endJourney(
    {
      onboarding,
      end: {
        outcome: 'completed',
        user,
        account: account_details,
        detail: 'payer who identified at their bank',
      },
      from: ['identified'],
    },
    deps,
  );
  return END;
}
