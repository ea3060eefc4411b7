import type { Failure } from '../../commons/failure.ts';
import type { HostedResource, PaymentsClient } from '../../truelayer/payments-client.ts';
import { recordAuthorization } from '../authorization.ts';
import type { EndJourneyDependencies } from '../deps.ts';
import { endJourney, settleSoon } from '../end-journey.ts';
import { failureOf } from '../failure-reasons.ts';
import { type Onboarding, type TimelineEntry, terminalStatuses } from '../model.ts';
import { trueLayerFailureOf } from './failures.ts';
import {
  followIdentification,
  type IdentificationDependencies,
  identifiesAfterPaying,
  isIdentifying,
  PAYMENT_JOURNEY_STATUSES,
  requestIdentification,
} from './identification.ts';
import { type CheckPaymentResult, END_STEP as END, waitStep as wait } from './inputs.ts';

export type CheckPaymentDependencies = EndJourneyDependencies &
  IdentificationDependencies & {
    payments: Pick<PaymentsClient, 'progress' | 'signupPlusIdentity' | 'identificationLink'>;
  };

/**
 * How long the workflow waits between two looks at a payment: while the user
 * is on the payment page (5 s at first, backing off to 30 s, since a user who
 * came back without paying may never pay), and while an authorised payment
 * moves to the merchant account (usually seconds: Faster Payments).
 */
export const PAYMENT_POLL_SECONDS = { pending: 5, pendingAtMost: 30, authorized: 2 } as const;

/** The wait before the next look at an unpaid payment: a tenth of the journey's age, within the bounds. */
function pendingWait(onboarding: Onboarding, now: Date): number {
  const age = (now.getTime() - new Date(onboarding.created_at).getTime()) / 1000;
  return Math.min(PAYMENT_POLL_SECONDS.pendingAtMost, Math.max(PAYMENT_POLL_SECONDS.pending, age / 10));
}

/** TrueLayer's stage and reason are codes (`authorizing`, `canceled`); anything else is not carried on. */
const asCode = (value: string | undefined) =>
  value !== undefined && /^[a-z][a-z0-9_]{0,63}$/.test(value) ? value : undefined;

/** The payment or mandate a journey of the payment or mandate flow follows. */
function resourceOf(onboarding: Onboarding): HostedResource {
  if (onboarding.payment) return { kind: 'payment', id: onboarding.payment.payment_id };
  if (onboarding.mandate) return { kind: 'mandate', id: onboarding.mandate.mandate_id };
  throw new Error('The payment workflow started on an onboarding with neither a payment nor a mandate');
}

/** What each resource's end is called: the timeline step, and the failure reason and detail key. */
const ENDS = {
  payment: { done: 'payment_settled', failed: 'payment_failed', source: 'payer of the settled payment' },
  mandate: {
    done: 'mandate_authorized',
    failed: 'mandate_failed',
    source: 'giver of the authorised mandate',
  },
} as const;

/** An authorised payment not settled this long after the link's expiry ends the journey `failed`. */
export const SETTLEMENT_DEADLINE_SECONDS = 3600;

const isTerminal = (onboarding: Onboarding) => terminalStatuses.includes(onboarding.status);

/**
 * The payment workflow's one step, run until it says `end`: reads the
 * payment's (or the mandate's) status from TrueLayer and acts on it. Not
 * authorised when the link expires: `expired`. A payment authorised: the
 * record says so, and the workflow waits for the money. Failed (cancelled,
 * refused; a mandate revoked too): `failed` with TrueLayer's stage and
 * reason. A payment settled, or a mandate authorised: the user's identity
 * from Signup+ completes the journey with its ready event. A euro payment
 * (Finland) goes on once executed: the payer identifies at their bank first
 * (identification.ts). A TrueLayer refusal ends the journey here;
 * what is worth retrying goes up to the state machine's Retry.
 *
 * Every write is conditional, so a repeated step, a second execution or the
 * reconciler racing it record one end between them.
 */
export async function checkPayment(
  input: { onboardingId: string },
  deps: CheckPaymentDependencies,
): Promise<CheckPaymentResult> {
  let onboarding = await deps.repository.get(input.onboardingId);
  if (isTerminal(onboarding)) {
    await settleSoon(onboarding, deps);
    return END;
  }
  const resource = resourceOf(onboarding);
  // The payment is done with; the user is at their bank, or back from it.
  if (isIdentifying(onboarding.status)) return followIdentification(onboarding, resource, deps);

  let progress: Awaited<ReturnType<CheckPaymentDependencies['payments']['progress']>>;
  try {
    progress = await deps.payments.progress(resource);
  } catch (error) {
    const failure = trueLayerFailureOf(error);
    if (!failure) throw error;
    await fail(onboarding, failure, deps);
    return END;
  }
  const now = deps.now();
  const linkExpiry = new Date(onboarding.auth_link_expires_at).getTime();

  switch (progress.status) {
    case 'pending': {
      if (now.getTime() < linkExpiry) {
        return wait(Math.min(pendingWait(onboarding, now), (linkExpiry - now.getTime()) / 1000));
      }
      await endJourney(
        {
          onboarding,
          end: { outcome: 'expired', failure: failureOf('link_expired') },
          from: ['awaiting_authorization'],
        },
        deps,
      );
      return END;
    }
    case 'failed': {
      const stage = asCode(progress.failureStage);
      const reason = asCode(progress.failureReason);
      await fail(
        onboarding,
        failureOf(ENDS[resource.kind].failed, {
          [resource.kind]: {
            ...(stage === undefined ? {} : { failure_stage: stage }),
            ...(reason === undefined ? {} : { failure_reason: reason }),
          },
        }),
        deps,
      );
      return END;
    }
    case 'executed':
    case 'authorized': {
      if (progress.status === 'executed' && identifiesAfterPaying(onboarding)) {
        return requestIdentification(onboarding, resource, deps);
      }
      // A mandate is done once given: Signup+ answers for it now.
      if (resource.kind === 'mandate') {
        await completeWithPayer(onboarding, resource, deps);
        return END;
      }
      const moved = await markAuthorized(onboarding, deps);
      if (moved === 'ended') return END;
      onboarding = moved;
      if (now.getTime() >= linkExpiry + SETTLEMENT_DEADLINE_SECONDS * 1000) {
        await fail(onboarding, failureOf('payment_not_settled'), deps);
        return END;
      }
      return wait(PAYMENT_POLL_SECONDS.authorized);
    }
    case 'settled':
      if (identifiesAfterPaying(onboarding)) return requestIdentification(onboarding, resource, deps);
      await completeWithPayer(onboarding, resource, deps);
      return END;
  }
}

/** The first look that sees the payment authorised records it (the user authorised it at their bank). */
async function markAuthorized(
  onboarding: Onboarding,
  deps: CheckPaymentDependencies,
): Promise<Onboarding | 'ended'> {
  if (onboarding.status !== 'awaiting_authorization') return onboarding;
  const status = await recordAuthorization(onboarding.onboarding_id, deps);
  if (terminalStatuses.includes(status)) return 'ended';
  return deps.repository.get(onboarding.onboarding_id);
}

/** The money is in, or the mandate given: Signup+ names the user, and the journey completes with them. */
async function completeWithPayer(
  onboarding: Onboarding,
  resource: HostedResource,
  deps: CheckPaymentDependencies,
): Promise<void> {
  const at = deps.now().toISOString();
  const earlier: TimelineEntry[] = [
    ...(onboarding.status === 'awaiting_authorization' ? [{ at, step: 'user_authorized' as const }] : []),
    { at, step: ENDS[resource.kind].done },
  ];
  let identity: Awaited<ReturnType<CheckPaymentDependencies['payments']['signupPlusIdentity']>>;
  try {
    identity = await deps.payments.signupPlusIdentity(resource);
  } catch (error) {
    const failure = trueLayerFailureOf(error);
    if (!failure) throw error;
    await fail(onboarding, failure, deps, earlier);
    return;
  }
  const { account_details, ...user } = identity;
  await endJourney(
    {
      onboarding,
      end: { outcome: 'completed', user, account: account_details, detail: ENDS[resource.kind].source },
      from: ['awaiting_authorization', 'authorized'],
      earlier,
    },
    deps,
  );
}

function fail(
  onboarding: Onboarding,
  failure: Failure,
  deps: EndJourneyDependencies,
  earlier: readonly TimelineEntry[] = [],
) {
  return endJourney(
    {
      onboarding,
      end: { outcome: 'failed', failure },
      from: PAYMENT_JOURNEY_STATUSES,
      earlier,
    },
    deps,
  );
}
