import * as z from 'zod/mini';
import type { RawRequest } from '../commons/http/request.ts';
import { logger } from '../commons/logger.ts';
import type { VerifyWebhook } from '../truelayer/webhook-signature.ts';
import { resourceKey } from './create-onboarding.ts';
import type { RepositoryPort } from './deps.ts';
import { OnboardingStatusConflictError } from './errors.ts';
import { type Onboarding, terminalStatuses } from './model.ts';

export interface PaymentWebhookDependencies {
  verify: VerifyWebhook;
  repository: RepositoryPort<'claimWebhook' | 'releaseWebhook' | 'findState' | 'get' | 'transition'>;
  /** Starts the payment workflow for the onboarding; idempotent (the execution is named after it). */
  startWorkflow: (onboardingId: string) => Promise<void>;
  now: () => Date;
}

/**
 * What the product did with a webhook: `started` the payment workflow,
 * found the journey `ended`, a `duplicate` of one already acted on, or
 * `ignored` (another kind of event, or a payment this product did not make).
 */
export type WebhookOutcome = 'started' | 'ended' | 'duplicate' | 'ignored';

/** The events that say a payment or a mandate has moved (D:payment-webhooks, D:mandate-webhooks); each sends the workflow to look. */
const EVENTS: Readonly<Record<string, 'payment' | 'mandate'>> = {
  payment_authorized: 'payment',
  payment_executed: 'payment',
  payment_creditable: 'payment',
  payment_settled: 'payment',
  payment_failed: 'payment',
  payment_settlement_stalled: 'payment',
  mandate_authorized: 'mandate',
  mandate_failed: 'mandate',
  mandate_revoked: 'mandate',
  // Finland: the identification link ran out unused. TrueLayer's pages give it three names.
  authuri_expired: 'payment',
  authorization_expired: 'payment',
  webhook_authorisation_expired: 'payment',
};

/** The webhooks that say a Finnish identification link has expired: the journey stops waiting for it. */
const IDENTIFICATION_EXPIRED = new Set([
  'authuri_expired',
  'authorization_expired',
  'webhook_authorisation_expired',
]);

/**
 * What an operator must know when TrueLayer says it is done for a journey
 * that had already ended otherwise: money in the merchant account, or a
 * mandate given, with nobody signed up.
 */
const LATE_ARRIVALS: Readonly<Partial<Record<string, string>>> = {
  payment_settled: 'A payment settled after its onboarding ended; refund or onboard the payer by hand',
  mandate_authorized:
    'A mandate was authorised after its onboarding ended; revoke it or onboard the user by hand',
};

/** Only what the product acts on, read tolerantly; the rest (the payer's account among it) is never kept. */
const webhookBodySchema = z.object({
  type: z.string().check(z.minLength(1), z.maxLength(100)),
  event_id: z.string().check(z.minLength(1), z.maxLength(200)),
  /** The payment's id; the Finnish identification's expiry names the payment too. */
  payment_id: z.optional(z.nullable(z.string().check(z.maxLength(200)))),
  mandate_id: z.optional(z.nullable(z.string().check(z.maxLength(200)))),
});

/**
 * A TrueLayer payment or mandate webhook. Its signature is verified before
 * anything is believed; then it is a nudge, not a source of truth: it starts
 * the payment workflow, which reads the payment's or mandate's status from
 * TrueLayer itself. So a webhook that comes late, twice or out of order
 * changes nothing the
 * workflow would not have done, and the journey does not wait for the user
 * to come back (or for the link to expire) to learn that the money moved.
 * A duplicate (same `event_id`) is recognised and answered without acting;
 * a delivery whose handling fails is forgotten again, so TrueLayer's retry
 * is acted on.
 */
export async function receivePaymentWebhook(
  request: RawRequest,
  deps: PaymentWebhookDependencies,
): Promise<WebhookOutcome> {
  await deps.verify(request);
  let body: z.infer<typeof webhookBodySchema>;
  try {
    body = webhookBodySchema.parse(JSON.parse(request.body));
  } catch {
    // TrueLayer signed it, so a redelivery would be just as unreadable: answered, logged, left to the poll.
    logger.warn('A signed TrueLayer webhook has no readable type and event_id; ignored');
    return 'ignored';
  }
  logger.appendKeys({ webhook_type: body.type, webhook_event_id: body.event_id });
  const kind = Object.hasOwn(EVENTS, body.type) ? EVENTS[body.type] : undefined;
  const id = kind === undefined ? undefined : body[`${kind}_id`];
  if (kind === undefined || !id) return 'ignored';
  if (!(await deps.repository.claimWebhook(body.event_id, deps.now()))) return 'duplicate';
  try {
    return await nudge(resourceKey(kind, id), body.type, deps);
  } catch (error) {
    await deps.repository.releaseWebhook(body.event_id).catch(() => undefined);
    throw error;
  }
}

async function nudge(key: string, type: string, deps: PaymentWebhookDependencies): Promise<WebhookOutcome> {
  const found = await deps.repository.findState(key);
  // Another integration on the same TrueLayer client, or a payment or mandate made outside this product.
  if (!found) return 'ignored';
  const onboarding = await deps.repository.get(found.onboarding_id);
  logger.appendKeys({ onboarding_id: onboarding.onboarding_id });
  if (terminalStatuses.includes(onboarding.status)) {
    const late = LATE_ARRIVALS[type];
    if (late !== undefined && onboarding.status !== 'completed') {
      logger.warn(late, { status: onboarding.status, reason: onboarding.failure?.reason });
    }
    return 'ended';
  }
  if (IDENTIFICATION_EXPIRED.has(type)) {
    await closeIdentification(onboarding, deps);
  }
  await deps.startWorkflow(onboarding.onboarding_id);
  return 'started';
}

/**
 * TrueLayer says the identification link is dead: its deadline becomes now,
 * so the workflow's next look ends the journey `expired`. The write is
 * conditional on the journey still waiting: a user already back wins.
 */
async function closeIdentification(onboarding: Onboarding, deps: PaymentWebhookDependencies) {
  const { identification } = onboarding;
  if (!identification) return;
  const now = deps.now();
  if (new Date(identification.expires_at).getTime() <= now.getTime()) return;
  await deps.repository
    .transition(onboarding.onboarding_id, {
      from: ['awaiting_identification'],
      now,
      set: { identification: { ...identification, expires_at: now.toISOString() } },
    })
    .catch((error: unknown) => {
      if (!(error instanceof OnboardingStatusConflictError)) throw error;
    });
}
