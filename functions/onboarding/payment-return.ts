import { logger } from '../commons/logger.ts';
import type { PaymentReturnQuery } from '../contract/onboarding-requests.ts';
import { resourceKey } from './create-onboarding.ts';
import type { RepositoryPort } from './deps.ts';
import { InvalidStateError } from './errors.ts';
import { terminalStatuses } from './model.ts';

export interface PaymentReturnDependencies {
  repository: RepositoryPort<'findState' | 'get'>;
  /** Starts the payment workflow for the onboarding; idempotent (the execution is named after it). */
  startWorkflow: (onboardingId: string) => Promise<void>;
}

/** `started`: the workflow follows the payment now; `ended`: the journey was already over. */
export type PaymentReturnOutcome = { onboardingId: string; outcome: 'started' | 'ended' };

/**
 * The user is back from TrueLayer's hosted page. The return names the
 * payment or the mandate but proves nothing (anyone can open the URL), so it changes no
 * record: it starts the workflow that reads its status from
 * TrueLayer and ends the journey by what TrueLayer says. A second return, or
 * one after the end, starts nothing new.
 *
 * If the workflow cannot be started now, the user still goes on to the
 * return page: once the link's time is up the reconciler starts it.
 */
export async function handlePaymentReturn(
  query: PaymentReturnQuery,
  deps: PaymentReturnDependencies,
): Promise<PaymentReturnOutcome> {
  const key =
    query.payment_id !== undefined
      ? resourceKey('payment', query.payment_id)
      : query.mandate_id !== undefined
        ? resourceKey('mandate', query.mandate_id)
        : undefined;
  if (key === undefined) throw new InvalidStateError('missing');
  const found = await deps.repository.findState(key);
  if (!found) throw new InvalidStateError('unknown');
  const onboardingId = found.onboarding_id;
  const onboarding = await deps.repository.get(onboardingId);
  if (terminalStatuses.includes(onboarding.status)) return { onboardingId, outcome: 'ended' };
  try {
    await deps.startWorkflow(onboardingId);
  } catch (error) {
    logger.error('The payment workflow could not be started; the reconciler will start it', {
      error_name: error instanceof Error ? error.name : 'unknown',
    });
  }
  return { onboardingId, outcome: 'started' };
}
