import { randomUUID } from 'node:crypto';
import type { Identification } from '../finland/store.ts';
import type { MandateRecord, MandateTransition } from '../mandates/store.ts';
import type { PaymentRecord, PaymentTransition } from '../payments/store.ts';
import { paymentSource } from '../payments/views.ts';

/** The Payments v3 webhook types the simulator sends (D:payment-webhooks, D:mandate-webhooks). */
export type WebhookType =
  | 'payment_authorized'
  | 'payment_executed'
  | 'payment_settled'
  | 'payment_failed'
  | 'mandate_authorized'
  | 'mandate_failed'
  | 'mandate_revoked'
  | IdentificationExpiredType;

/**
 * The names TrueLayer gives the webhook of an auth URI that expired unused (Signup+ in Finland): the
 * OpenAPI key, and the two the guides use (switch `identification_expired_type`).
 */
export type IdentificationExpiredType =
  | 'authuri_expired'
  | 'authorization_expired'
  | 'webhook_authorisation_expired';

/** What a webhook is about, as its body and `deliveries()` name it: a payment or a mandate. */
export type WebhookAbout =
  | { payment_id: string; mandate_id?: never }
  | { mandate_id: string; payment_id?: never };

/** One event: sent (and redelivered) with the same `event_id` and body. */
export interface WebhookEvent {
  eventId: string;
  type: WebhookType;
  about: WebhookAbout;
  /** The payment's or mandate's id: its webhooks go out in order, one at a time. */
  subjectId: string;
  body: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The envelope every Payments v3 webhook shares: `type`, `event_id`, `event_version`, the payment's
 * or mandate's id, `metadata` (when it had any), then the type's own fields.
 */
function eventOf(
  type: WebhookType,
  about: WebhookAbout,
  metadata: Record<string, string> | undefined,
  fields: Record<string, unknown>,
): WebhookEvent {
  const eventId = randomUUID();
  const body = {
    type,
    event_id: eventId,
    event_version: 1,
    ...about,
    ...(metadata === undefined ? {} : { metadata }),
    ...fields,
  };
  const subjectId = about.payment_id ?? about.mandate_id;
  return { eventId, type, about, subjectId, body: JSON.stringify(body) };
}

/** The scheme the mock bank pays by: Faster Payments in GBP, SEPA credit transfer in EUR (the latter a guess). */
function schemeOf(payment: PaymentRecord): string {
  return payment.request.currency === 'GBP' ? 'faster_payments_service' : 'sepa_credit_transfer';
}

function paymentMethod(payment: PaymentRecord): Record<string, unknown> {
  return {
    type: 'bank_transfer',
    provider_id: payment.decision?.providerId,
    scheme_id: schemeOf(payment),
  };
}

/**
 * The webhook for a payment entering a status, as D:payment-webhooks lists the fields: per type
 * the status's timestamp, `payment_method`, `payment_source` (authorized, settled), `user_id`
 * (settled) and `failure_stage` + `failure_reason` (failed). Undefined for statuses without one.
 */
export function webhookFor(payment: PaymentRecord, transition: PaymentTransition): WebhookEvent | undefined {
  const { state } = transition;
  const at = iso(transition.at);
  const method = paymentMethod(payment);
  let type: WebhookType;
  let fields: Record<string, unknown>;
  switch (state.status) {
    case 'authorized':
      type = 'payment_authorized';
      fields = { authorized_at: at, payment_method: method, payment_source: paymentSource(payment) };
      break;
    case 'executed':
      type = 'payment_executed';
      fields = { executed_at: at, payment_method: method };
      break;
    case 'settled':
      type = 'payment_settled';
      fields = {
        settled_at: at,
        payment_method: method,
        payment_source: paymentSource(payment),
        user_id: payment.userId,
      };
      break;
    case 'failed':
      type = 'payment_failed';
      fields = {
        failed_at: at,
        failure_stage: state.failureStage,
        failure_reason: state.failureReason,
        payment_method: method,
      };
      break;
    default:
      return undefined;
  }
  return eventOf(type, { payment_id: payment.id }, payment.request.metadata, fields);
}

/**
 * The webhook for a mandate entering a status (D:mandate-webhooks): `mandate_authorized` with
 * `authorized_at`, `mandate_failed` with `failed_at`, `failure_stage` and `failure_reason`,
 * `mandate_revoked` with `revoked_at` and `revocation_source`. Undefined for statuses without one.
 */
export function mandateWebhookFor(
  mandate: MandateRecord,
  transition: MandateTransition,
): WebhookEvent | undefined {
  const { state } = transition;
  const at = iso(transition.at);
  let type: WebhookType;
  let fields: Record<string, unknown>;
  switch (state.status) {
    case 'authorized':
      type = 'mandate_authorized';
      fields = { authorized_at: at };
      break;
    case 'failed':
      type = 'mandate_failed';
      fields = { failed_at: at, failure_stage: state.failureStage, failure_reason: state.failureReason };
      break;
    case 'revoked':
      type = 'mandate_revoked';
      fields = { revoked_at: at, revocation_source: state.revocationSource };
      break;
    default:
      return undefined;
  }
  return eventOf(type, { mandate_id: mandate.id }, mandate.request.metadata, fields);
}

/**
 * The webhook of an identification link that expired unused (OpenAPI WebhookAuthExpired: the
 * authorization's id, the payment's id and when it expired; the field names are the simulator's, as
 * TrueLayer's are undocumented). No metadata: the schema names none.
 */
export function identificationExpiredWebhook(
  session: Identification,
  type: IdentificationExpiredType,
): WebhookEvent {
  return eventOf(type, { payment_id: session.paymentId }, undefined, {
    authorization_id: session.id,
    expired_at: iso(session.expiresAt),
  });
}
