import { authenticateBearer } from '../bearer.ts';
import type { RequestContext } from '../context.ts';
import { jsonResponse, type SimResponse } from '../http-io.ts';
import { parseSignedBody, signedPost } from '../payments/signed-post.ts';
import { oneQueryParam, payerAnswer, signupProblem } from '../payments/signup-plus.ts';
import { createdBody } from '../payments/views.ts';
import { problemResponse } from '../problems.ts';
import type { RouteDefinition } from '../router.ts';
import { CreateMandateSchema, MANDATE_SCOPES, scopeOf } from './request.ts';
import type { MandateRecord } from './store.ts';
import { mandateBody } from './views.ts';

/**
 * `POST /v3/mandates` (D:create-a-payment-mandate): the door every signed POST shares
 * (payments/signed-post.ts: a token with a `recurring_payments` scope, Idempotency-Key, Tl-Signature,
 * replay or 422 Idempotency-Key Reuse), then the body (request.ts), then the scope of the mandate's
 * type (403 Forbidden without it).
 */
export const createMandateRoute: RouteDefinition = {
  method: 'POST',
  path: '/v3/mandates',
  name: 'mandates_create',
  schemaViolation: { id: 42, status: 'unknown', resource_token: null },
  handle: (ctx) =>
    signedPost(ctx, MANDATE_SCOPES, ({ client, text }) => {
      const parsed = parseSignedBody(ctx, text, CreateMandateSchema);
      if (!parsed.ok) return parsed.response;
      const typed = authenticateBearer(ctx, { scope: scopeOf(parsed.body.mandate.type), user: false });
      if (!typed.ok) return typed.response;
      return jsonResponse(201, createdBody(ctx.sim.mandates.create(client.client_id, parsed.body)));
    }),
};

/** The client's own mandate named by the path; another client's is as unknown as none (404). */
function ownMandate(
  ctx: RequestContext,
  clientId: string,
): { ok: true; mandate: MandateRecord } | { ok: false; response: SimResponse } {
  const mandate = ctx.sim.mandates.get(ctx.params.id ?? '');
  if (mandate === undefined || mandate.clientId !== clientId) {
    return {
      ok: false,
      response: problemResponse(ctx.traceId, {
        status: 404,
        title: 'Not Found',
        detail: 'Mandate not found.',
      }),
    };
  }
  return { ok: true, mandate };
}

/** `GET /v3/mandates/{id}`: the mandate's status now (views.ts). */
export const getMandateRoute: RouteDefinition = {
  method: 'GET',
  path: '/v3/mandates/:id',
  name: 'mandates_get',
  schemaViolation: { id: 42, status: ['authorized'] },
  handle(ctx) {
    const auth = authenticateBearer(ctx, { scope: MANDATE_SCOPES, user: false });
    if (!auth.ok) return auth.response;
    const own = ownMandate(ctx, auth.token.clientId);
    if (!own.ok) return own.response;
    return jsonResponse(200, mandateBody(own.mandate, ctx.sim.mandates.stateOf(own.mandate)));
  },
};

/**
 * `POST /v3/mandates/{id}/revoke` (D:revoke-a-payment-mandate): signed and idempotent like the
 * creation, with a token carrying the mandate's scope; 204, and the mandate is `revoked` by the
 * `client` (a `mandate_revoked` webhook follows). Only an authorized mandate can be revoked: any
 * other → 400 Invalid State (the simulator's choice; TrueLayer documents the 204 only).
 */
export const revokeMandateRoute: RouteDefinition = {
  method: 'POST',
  path: '/v3/mandates/:id/revoke',
  name: 'mandates_revoke',
  handle: (ctx) =>
    signedPost(ctx, MANDATE_SCOPES, ({ token }) => {
      const own = ownMandate(ctx, token.clientId);
      if (!own.ok) return own.response;
      const { mandate } = own;
      const typed = authenticateBearer(ctx, { scope: scopeOf(mandate.request.mandate.type), user: false });
      if (!typed.ok) return typed.response;
      if (!ctx.sim.mandates.revocable(mandate)) {
        const { status } = ctx.sim.mandates.stateOf(mandate);
        return problemResponse(ctx.traceId, {
          status: 400,
          title: 'Invalid State',
          detail: `The mandate is ${status}; only an authorized mandate can be revoked.`,
        });
      }
      ctx.sim.mandates.revoke(mandate, 'client');
      return { status: 204 };
    }),
};

/**
 * `GET /signup-plus/mandates?mandate_id=` (PHP Endpoints SIGNUP_PLUS_MANDATES, D:integrate-signup):
 * the user of an authorized sweeping mandate, in the body `/signup-plus/payments` gives. Needs a
 * client token with `signupplus`. Unknown id (or another client's) → 404 Mandate Not Found; a
 * commercial mandate → 400 Invalid Parameters (TrueLayer: "Signup+ doesn't support the
 * recurring_payments:commercial scope"); not authorized (yet, or any more) → 400 Invalid State.
 * Which user: TrueLayer documents the sandbox's amount bands for payments only; the simulator
 * applies them to `constraints.maximum_individual_amount` (payers.ts), so that every Signup+ answer
 * can be had by mandate too.
 */
export const signupPlusMandatesRoute: RouteDefinition = {
  method: 'GET',
  path: '/signup-plus/mandates',
  name: 'signup_plus_mandates',
  schemaViolation: { first_name: 7, address: 'unknown', account_details: [] },
  handle(ctx) {
    const auth = authenticateBearer(ctx, { scope: 'signupplus', user: false, api: 'signup_plus' });
    if (!auth.ok) return auth.response;
    const id = oneQueryParam(ctx, 'mandate_id');
    if (!id.ok) return id.response;
    const mandate = ctx.sim.mandates.get(id.value);
    if (mandate === undefined || mandate.clientId !== auth.token.clientId) {
      return signupProblem(ctx, 404, 'Mandate Not Found', 'No mandate with this mandate_id.');
    }
    if (mandate.request.mandate.type !== 'sweeping') {
      return signupProblem(
        ctx,
        400,
        'Invalid Parameters',
        "Signup+ doesn't support the recurring_payments:commercial scope. You must use sweeping.",
        { mandate_id: ['Must be a sweeping mandate'] },
      );
    }
    const state = ctx.sim.mandates.stateOf(mandate);
    if (state.status !== 'authorized' || mandate.decision === undefined) {
      return signupProblem(ctx, 400, 'Invalid State', `The mandate is ${state.status}, not authorized.`);
    }
    return payerAnswer(
      ctx,
      mandate.request.constraints.maximum_individual_amount,
      mandate.decision.providerId,
    );
  },
};
