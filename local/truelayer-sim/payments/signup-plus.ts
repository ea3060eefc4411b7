import { authenticateBearer, type BearerCheck } from '../bearer.ts';
import type { RequestContext } from '../context.ts';
import { jsonResponse, type SimResponse } from '../http-io.ts';
import { problemResponse, SIGNUP_ERRORS_BASE, slugFromTitle } from '../problems.ts';
import { identityBody } from '../signup-plus-body.ts';
import { accountAt, type Payer, type PayerIdentity, payerForAmount } from './payers.ts';
import type { MockPaymentProviderId } from './request.ts';
import type { PaymentRecord } from './store.ts';

/** A Signup+ problem: `signup-errors#<slug>` (D:signup-errors, FACTS §7). */
export function signupProblem(
  ctx: RequestContext,
  status: number,
  title: string,
  detail: string,
  errors?: Record<string, string[]>,
): SimResponse {
  return problemResponse(ctx.traceId, {
    status,
    title,
    detail,
    type: `${SIGNUP_ERRORS_BASE}${slugFromTitle(title)}`,
    ...(errors === undefined ? {} : { errors }),
  });
}

/**
 * The client token the payments-side Signup+ endpoints take (`/signup-plus/payments`,
 * `/signup-plus/authuri`): client_credentials with both `payments` and `signupplus`, refused in
 * Signup+'s catalogue (401 Unauthorized, 403 Forbidden).
 */
export function signupPlusPaymentsToken(ctx: RequestContext): BearerCheck {
  const auth = authenticateBearer(ctx, { scope: 'payments', user: false, api: 'signup_plus' });
  if (!auth.ok) return auth;
  return authenticateBearer(ctx, { scope: 'signupplus', user: false, api: 'signup_plus' });
}

/** The token's client's own payment; another client's is as unknown as none (404 Payment Not Found). */
export function signupPlusPayment(
  ctx: RequestContext,
  clientId: string,
  paymentId: string,
): { ok: true; payment: PaymentRecord } | { ok: false; response: SimResponse } {
  const payment = ctx.sim.payments.get(paymentId);
  if (payment === undefined || payment.clientId !== clientId) {
    return {
      ok: false,
      response: signupProblem(ctx, 404, 'Payment Not Found', 'No payment with this payment_id.'),
    };
  }
  return { ok: true, payment };
}

type QueryParam<V> = { ok: true; value: V } | { ok: false; response: SimResponse };

/** A query parameter never empty nor repeated (and, when `required`, present), or 400 Invalid Parameters. */
function queryParam(ctx: RequestContext, name: string, required: boolean): QueryParam<string | undefined> {
  const values = ctx.url.searchParams.getAll(name);
  const [value] = values;
  if ((required && value === undefined) || value === '' || values.length > 1) {
    const [detail, error] = required
      ? [`${name} must be given once.`, 'Required, once']
      : [`${name} may be given once, not empty.`, 'At most once, not empty'];
    return {
      ok: false,
      response: signupProblem(ctx, 400, 'Invalid Parameters', detail, { [name]: [error] }),
    };
  }
  return { ok: true, value };
}

/** The one value of a required query parameter (`payment_id`, `mandate_id`), or 400 Invalid Parameters. */
export function oneQueryParam(ctx: RequestContext, name: string): QueryParam<string> {
  const param = queryParam(ctx, name, true);
  if (!param.ok) return param;
  // Required: queryParam has refused an absent one, so the value is there.
  return { ok: true, value: param.value ?? '' };
}

/** An optional query parameter (`authorization_reference`): its value, none, or 400 Invalid Parameters. */
export function optionalQueryParam(ctx: RequestContext, name: string): QueryParam<string | undefined> {
  return queryParam(ctx, name, false);
}

/**
 * The Signup+ answer for the sandbox payer of this amount (payers.ts `payerForAmount`): who `pick`
 * says the payer is, in the body `/signup-plus/accounts` gives for one account, or the band's problem.
 */
export function bandAnswer(
  ctx: RequestContext,
  amountInMinor: number,
  pick: (payer: Payer) => PayerIdentity,
): SimResponse {
  const outcome = payerForAmount(amountInMinor);
  if (outcome.kind === 'problem') {
    const { status, title, detail } = outcome.problem;
    return signupProblem(ctx, status, title, detail);
  }
  const { identity, account } = pick(outcome.payer);
  return jsonResponse(200, identityBody(identity, account, ctx.sim.switches.current));
}

/** The band's answer with the payer's own identity and the account at the mock bank they paid through. */
export function payerAnswer(
  ctx: RequestContext,
  amountInMinor: number,
  providerId: MockPaymentProviderId,
): SimResponse {
  return bandAnswer(ctx, amountInMinor, (payer) => ({
    identity: payer.identity,
    account: accountAt(payer, providerId),
  }));
}
