import { randomUUID } from 'node:crypto';
import type { PaymentRecord, PaymentTransition } from '../payments/store.ts';
import { paymentSource } from '../payments/views.ts';

/** The Payments v3 webhook types the simulator sends (D:payment-webhooks). */
export type WebhookType = 'payment_authorized' | 'payment_executed' | 'payment_settled' | 'payment_failed';

/** One event: sent (and redelivered) with the same `event_id` and body. */
export interface WebhookEvent {
  eventId: string;
  type: WebhookType;
  paymentId: string;
  body: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

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
 * The webhook for a payment entering a status, as D:payment-webhooks lists the fields: `type`,
 * `event_id`, `event_version`, `payment_id`, `metadata` (when the payment had any), and per type
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
  const eventId = randomUUID();
  const body = {
    type,
    event_id: eventId,
    event_version: 1,
    payment_id: payment.id,
    ...(payment.request.metadata === undefined ? {} : { metadata: payment.request.metadata }),
    ...fields,
  };
  return { eventId, type, paymentId: payment.id, body: JSON.stringify(body) };
}
