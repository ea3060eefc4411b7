import type { SandboxAccount } from '../users.ts';
import type { CheckoutRecord } from './checkout-store.ts';
import { accountAt, DEFAULT_PAYER, payerForAmount } from './payers.ts';
import type { PaymentRecord, PaymentState } from './store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `POST /v3/payments` and `POST /v3/mandates` 201 body (Payments v3 create-payment and
 * create-mandate references; PHP CreatePayment mock, NET CreateMandateResponse).
 */
export function createdBody(record: CheckoutRecord): Record<string, unknown> {
  return {
    id: record.id,
    user: { id: record.userId },
    resource_token: record.resourceToken,
    status: 'authorization_required',
  };
}

/** An account as Payments v3 names a payment source's identifiers (PHP PaymentResponse mock). */
function accountIdentifiers(account: SandboxAccount): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  if (account.sort_code !== undefined && account.account_number !== undefined) {
    out.push({
      type: 'sort_code_account_number',
      sort_code: account.sort_code.replaceAll('-', ''),
      account_number: account.account_number,
    });
  }
  if (account.iban !== undefined) out.push({ type: 'iban', iban: account.iban });
  return out;
}

/**
 * The account the payer paid from (PHP PaymentResponse mock): the payer of the amount's band, or
 * the default payer for the bands Signup+ answers with a problem. None before the decision.
 */
export function paymentSource(payment: PaymentRecord): Record<string, unknown> | undefined {
  if (payment.decision === undefined) return undefined;
  const outcome = payerForAmount(payment.request.amount_in_minor);
  const payer = outcome.kind === 'payer' ? outcome.payer : DEFAULT_PAYER;
  const account = accountAt(payer, payment.decision.providerId);
  return {
    id: account.account_id,
    account_holder_name: `${payer.identity.first_name} ${payer.identity.last_name}`,
    account_identifiers: accountIdentifiers(account),
  };
}

/**
 * `GET /v3/payments/{id}` body: the documented fields of each status (PHP PaymentResponse mocks,
 * JAVA payment detail models): timestamps per step, `payment_source` once executed, and
 * `failure_stage` + `failure_reason` when failed.
 */
export function paymentBody(payment: PaymentRecord, state: PaymentState): Record<string, unknown> {
  const { request } = payment;
  const body: Record<string, unknown> = {
    id: payment.id,
    amount_in_minor: request.amount_in_minor,
    currency: request.currency,
    user: { id: payment.userId },
    payment_method: request.payment_method,
    created_at: iso(payment.createdAt),
    status: state.status,
  };
  if (request.metadata !== undefined) body.metadata = request.metadata;
  if (state.authorizedAt !== undefined && state.status !== 'authorized')
    body.authorized_at = iso(state.authorizedAt);
  if (state.executedAt !== undefined) body.executed_at = iso(state.executedAt);
  if (state.settledAt !== undefined) body.settled_at = iso(state.settledAt);
  if (state.status === 'executed' || state.status === 'settled') {
    const source = paymentSource(payment);
    if (source !== undefined) body.payment_source = source;
  }
  if (state.failedAt !== undefined) {
    body.failed_at = iso(state.failedAt);
    body.failure_stage = state.failureStage;
    body.failure_reason = state.failureReason;
  }
  return body;
}
