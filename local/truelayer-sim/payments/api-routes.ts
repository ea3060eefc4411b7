import { authenticateBearer } from '../bearer.ts';
import { finnishUserData, isFinnishPayment } from '../finland/api-routes.ts';
import { jsonResponse } from '../http-io.ts';
import { problemResponse } from '../problems.ts';
import type { RouteDefinition } from '../router.ts';
import { CreatePaymentSchema } from './request.ts';
import { parseSignedBody, signedPost } from './signed-post.ts';
import {
  oneQueryParam,
  payerAnswer,
  signupPlusPayment,
  signupPlusPaymentsToken,
  signupProblem,
} from './signup-plus.ts';
import { createdBody, paymentBody } from './views.ts';

/**
 * `POST /v3/payments`: a client_credentials token with `payments`, an Idempotency-Key and a
 * Tl-Signature over the request, checked by the door all signed POSTs share (signed-post.ts), then
 * the body (request.ts).
 */
export const createPaymentRoute: RouteDefinition = {
  method: 'POST',
  path: '/v3/payments',
  name: 'payments_create',
  schemaViolation: { id: 42, status: 'unknown', resource_token: null },
  handle: (ctx) =>
    signedPost(ctx, 'payments', ({ client, text }) => {
      const parsed = parseSignedBody(ctx, text, CreatePaymentSchema);
      if (!parsed.ok) return parsed.response;
      return jsonResponse(201, createdBody(ctx.sim.payments.create(client.client_id, parsed.body)));
    }),
};

/** `GET /v3/payments/{id}`: the payment's status now; another client's payment is as unknown as none. */
export const getPaymentRoute: RouteDefinition = {
  method: 'GET',
  path: '/v3/payments/:id',
  name: 'payments_get',
  schemaViolation: { id: 42, status: ['settled'] },
  handle(ctx) {
    const auth = authenticateBearer(ctx, { scope: 'payments', user: false });
    if (!auth.ok) return auth.response;
    const payment = ctx.sim.payments.get(ctx.params.id ?? '');
    if (payment === undefined || payment.clientId !== auth.token.clientId) {
      return problemResponse(ctx.traceId, { status: 404, title: 'Not Found', detail: 'Payment not found.' });
    }
    return jsonResponse(200, paymentBody(payment, ctx.sim.payments.stateOf(payment)));
  },
};

/**
 * `GET /signup-plus/payments?payment_id=`: the payer of a settled payment (the payments-only flow,
 * D:integrate-signup, D:signup-sandbox), in the body `/signup-plus/accounts` gives for one account.
 * Needs a client token with `payments` and `signupplus`. Unknown id → 404 Payment Not Found; a euro
 * payment is Signup+ in Finland's, answered once its payer identified (finland/api-routes.ts); else
 * not settled (still going, or failed) → 422 Failed Payment; else the amount band decides (payers.ts).
 */
export const signupPlusPaymentsRoute: RouteDefinition = {
  method: 'GET',
  path: '/signup-plus/payments',
  name: 'signup_plus_payments',
  schemaViolation: { first_name: 7, address: 'unknown', account_details: [] },
  handle(ctx) {
    const auth = signupPlusPaymentsToken(ctx);
    if (!auth.ok) return auth.response;
    const id = oneQueryParam(ctx, 'payment_id');
    if (!id.ok) return id.response;
    const own = signupPlusPayment(ctx, auth.token.clientId, id.value);
    if (!own.ok) return own.response;
    const { payment } = own;
    if (isFinnishPayment(payment)) return finnishUserData(ctx, payment);
    const state = ctx.sim.payments.stateOf(payment);
    if (state.status !== 'settled' || payment.decision === undefined) {
      return signupProblem(ctx, 422, 'Failed Payment', `The payment is ${state.status}, not settled.`);
    }
    return payerAnswer(ctx, payment.request.amount_in_minor, payment.decision.providerId);
  },
};
