import type { ClientRegistry } from '../clients.ts';
import type { Identification } from '../finland/store.ts';
import type { MandateRecord, MandateStore } from '../mandates/store.ts';
import type { PaymentRecord, PaymentStore } from '../payments/store.ts';
import {
  type IdentificationExpiredType,
  identificationExpiredWebhook,
  mandateWebhookFor,
  type WebhookEvent,
  webhookFor,
} from './events.ts';

/** A status change that falls due on the simulator's clock, and its webhook (undefined: none is sent). */
export interface WebhookStep {
  at: number;
  event(): WebhookEvent | undefined;
}

/** What the dispatcher turns into webhooks: the status changes of one payment or mandate. */
export interface WebhookSubject {
  /** The payment's or mandate's id. */
  id: string;
  clientId: string;
  /** Every status change planned so far, in order; read afresh on each look, so later ones are seen. */
  steps(): WebhookStep[];
  /** How many of the first steps were already sent (or skipped) before it was (re)tracked. */
  sent: number;
}

/**
 * A decided payment: every status after the decision (payments/store.ts `timelineOf`), except
 * `payment_authorized` for a client that has not enabled it (off by default, as at TrueLayer).
 */
export function paymentSubject(
  store: PaymentStore,
  payment: PaymentRecord,
  clients: ClientRegistry,
): WebhookSubject {
  const authorizedEnabled = clients.get(payment.clientId)?.webhook_payment_authorized === true;
  return {
    id: payment.id,
    clientId: payment.clientId,
    steps: () =>
      store.timelineOf(payment).map((transition) => ({
        at: transition.at,
        event: () =>
          transition.state.status === 'authorized' && !authorizedEnabled
            ? undefined
            : webhookFor(payment, transition),
      })),
    sent: 0,
  };
}

/**
 * A mandate whose timeline just grew (decided, or revoked): its steps from the newest on, as the
 * ones before were sent when it changed before (mandates/store.ts `timelineOf`).
 */
export function mandateSubject(store: MandateStore, mandate: MandateRecord): WebhookSubject {
  const steps = () =>
    store.timelineOf(mandate).map((transition) => ({
      at: transition.at,
      event: () => mandateWebhookFor(mandate, transition),
    }));
  return { id: mandate.id, clientId: mandate.clientId, steps, sent: Math.max(0, steps().length - 1) };
}

/**
 * An identification link (Signup+ in Finland): one step, its expiry, while nobody has used it. Once
 * approved or cancelled it has no steps and is forgotten; moving `expiresAt` (the expire hook) moves
 * the step. The webhook's type is the switch's value when it falls due.
 */
export function identificationSubject(
  session: Identification,
  typeOf: () => IdentificationExpiredType,
): WebhookSubject {
  return {
    id: session.id,
    clientId: session.clientId,
    steps: () =>
      session.outcome !== undefined
        ? []
        : [{ at: session.expiresAt, event: () => identificationExpiredWebhook(session, typeOf()) }],
    sent: 0,
  };
}
