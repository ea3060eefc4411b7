import { authenticateBearer } from '../bearer.ts';
import type { RequestContext } from '../context.ts';
import { jsonResponse, readBodyText, type SimResponse } from '../http-io.ts';
import { issuesToErrors, problemResponse, SIGNUP_ERRORS_BASE, slugFromTitle } from '../problems.ts';
import type { RouteDefinition } from '../router.ts';
import { identityBody } from '../signup-plus-body.ts';
import { accountAt, payerForAmount } from './payers.ts';
import { CreatePaymentSchema } from './request.ts';
import { checkSignature } from './signing.ts';
import { createdBody, paymentBody } from './views.ts';

/** TrueLayer's Idempotency-Key must be a non-empty value; a UUID v4 is advised (D:add-idempotency). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const invalidParameters = (ctx: RequestContext, detail: string, errors: Record<string, string[]>) =>
  problemResponse(ctx.traceId, { status: 400, title: 'Invalid Parameters', detail, errors });

/**
 * `POST /v3/payments`: a client_credentials token with `payments`, an Idempotency-Key and a
 * Tl-Signature over the request (D:payments-api-errors: a missing or bad signature is 401
 * Unauthenticated; D:add-idempotency: same key and body replays, same key and another body is 422
 * Idempotency-Key Reuse, as the PHP SDK's error mocks show it).
 */
export const createPaymentRoute: RouteDefinition = {
  method: 'POST',
  path: '/v3/payments',
  name: 'payments_create',
  schemaViolation: { id: 42, status: 'unknown', resource_token: null },
  async handle(ctx) {
    const auth = authenticateBearer(ctx, { scope: 'payments', user: false });
    if (!auth.ok) return auth.response;
    const client = ctx.sim.clients.get(auth.token.clientId);
    if (client === undefined) throw new Error(`token of unknown client ${auth.token.clientId}`);
    const text = await readBodyText(ctx.req);

    const key = ctx.req.headers['idempotency-key'];
    if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return invalidParameters(ctx, 'The Idempotency-Key header is missing or invalid.', {
        'Idempotency-Key': [`Required, 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`],
      });
    }
    const signature = ctx.req.headers['tl-signature'];
    const signed = checkSignature(client, typeof signature === 'string' ? signature : undefined, {
      method: 'POST',
      path: ctx.url.pathname,
      headers: ctx.req.headers,
      body: text,
    });
    if (!signed.ok) {
      return problemResponse(ctx.traceId, { status: 401, title: 'Unauthenticated', detail: signed.reason });
    }

    const seen = ctx.sim.payments.lookupKey(client.client_id, key, text);
    if (seen.kind === 'replay') return jsonResponse(201, createdBody(seen.payment));
    if (seen.kind === 'conflict') {
      return problemResponse(ctx.traceId, {
        status: 422,
        title: 'Idempotency-Key Reuse',
        detail: 'The Idempotency-Key value has already been used for a different request.',
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return invalidParameters(ctx, 'The request body is not valid JSON.', { '(body)': ['Must be JSON'] });
    }
    const parsed = CreatePaymentSchema.safeParse(json);
    if (!parsed.success) {
      return invalidParameters(ctx, 'The request body was invalid.', issuesToErrors(parsed.error.issues));
    }
    return jsonResponse(201, createdBody(ctx.sim.payments.create(client.client_id, key, text, parsed.data)));
  },
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

/** A Signup+ problem: `signup-errors#<slug>` (D:signup-errors, FACTS §7). */
function signupProblem(ctx: RequestContext, status: number, title: string, detail: string): SimResponse {
  return problemResponse(ctx.traceId, {
    status,
    title,
    detail,
    type: `${SIGNUP_ERRORS_BASE}${slugFromTitle(title)}`,
  });
}

/**
 * `GET /signup-plus/payments?payment_id=`: the payer of a settled payment (the payments-only flow,
 * D:integrate-signup, D:signup-sandbox), in the body `/signup-plus/accounts` gives for one account.
 * Needs a client token with `payments` and `signupplus`. Unknown id → 404 Payment Not Found; not
 * settled (still going, or failed) → 422 Failed Payment; else the amount band decides (payers.ts).
 */
export const signupPlusPaymentsRoute: RouteDefinition = {
  method: 'GET',
  path: '/signup-plus/payments',
  name: 'signup_plus_payments',
  schemaViolation: { first_name: 7, address: 'unknown', account_details: [] },
  handle(ctx) {
    const auth = authenticateBearer(ctx, { scope: 'payments', user: false, api: 'signup_plus' });
    if (!auth.ok) return auth.response;
    const signupPlus = authenticateBearer(ctx, { scope: 'signupplus', user: false, api: 'signup_plus' });
    if (!signupPlus.ok) return signupPlus.response;
    const ids = ctx.url.searchParams.getAll('payment_id');
    const [id] = ids;
    if (id === undefined || id === '' || ids.length > 1) {
      return problemResponse(ctx.traceId, {
        status: 400,
        title: 'Invalid Parameters',
        detail: 'payment_id must be given once.',
        type: `${SIGNUP_ERRORS_BASE}invalid-parameters`,
        errors: { payment_id: ['Required, once'] },
      });
    }
    const payment = ctx.sim.payments.get(id);
    if (payment === undefined || payment.clientId !== auth.token.clientId) {
      return signupProblem(ctx, 404, 'Payment Not Found', 'No payment with this payment_id.');
    }
    const state = ctx.sim.payments.stateOf(payment);
    if (state.status !== 'settled' || payment.decision === undefined) {
      return signupProblem(ctx, 422, 'Failed Payment', `The payment is ${state.status}, not settled.`);
    }
    const outcome = payerForAmount(payment.request.amount_in_minor);
    if (outcome.kind === 'problem') {
      const { status, title, detail } = outcome.problem;
      return signupProblem(ctx, status, title, detail);
    }
    const { payer } = outcome;
    return jsonResponse(
      200,
      identityBody(payer.identity, accountAt(payer, payment.decision.providerId), ctx.sim.switches.current),
    );
  },
};
