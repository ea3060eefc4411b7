import { z } from 'zod';
import { redirectWith } from '../auth-request.ts';
import type { RequestContext } from '../context.ts';
import { jsonResponse, readBodyText, type SimResponse } from '../http-io.ts';
import { providerFor } from '../payments/request.ts';
import {
  bandAnswer,
  optionalQueryParam,
  signupPlusPayment,
  signupPlusPaymentsToken,
  signupProblem,
} from '../payments/signup-plus.ts';
import type { PaymentRecord, PaymentStatus } from '../payments/store.ts';
import type { RouteDefinition } from '../router.ts';
import { parseJsonText } from '../sandbox-request.ts';
import { identificationLink } from './link.ts';

/** Signup+ in Finland's payments: in euros, at the Finnish mock bank (`mock-payments-fi-redirect`). */
export function isFinnishPayment(payment: PaymentRecord): boolean {
  const { currency, payment_method } = payment.request;
  return (
    currency === 'EUR' &&
    providerFor(payment_method.provider_selection, currency) === 'mock-payments-fi-redirect'
  );
}

/** TrueLayer hands out the link once the payment is executed ("when you receive payment_executed"), or settled. */
const paidOut = (status: PaymentStatus) => status === 'executed' || status === 'settled';

/** `POST /signup-plus/authuri`'s body: no redirect URI (Support allow-lists it); `state` comes back. */
const AuthUriBodySchema = z.strictObject({
  payment_id: z.string().min(1),
  state: z.string().max(500).optional(),
});

/**
 * `POST /signup-plus/authuri` (Signup+ in Finland): where the payer of an executed euro payment
 * identifies at their bank. In this order: a client token with `payments` and `signupplus`; the
 * client's allow-listed Finnish redirect URI (none → 403 Forbidden); the body (400 Invalid
 * Parameters); the client's own payment (404 Payment Not Found); in euros at the Finnish mock bank
 * (400 Provider not supported); executed or settled (400 Invalid State). Each call opens a new
 * session; with `identification_known_user` the link is the redirect URI itself and the user counts
 * as identified. Status: switch `authuri_status`.
 */
export const authUriRoute: RouteDefinition = {
  method: 'POST',
  path: '/signup-plus/authuri',
  name: 'signup_plus_authuri',
  schemaViolation: { auth_uri: 42 },
  async handle(ctx) {
    const auth = signupPlusPaymentsToken(ctx);
    if (!auth.ok) return auth.response;
    const client = ctx.sim.clients.get(auth.token.clientId);
    if (client === undefined) throw new Error(`token of unknown client ${auth.token.clientId}`);
    const redirectUri = client.signup_plus_fi_redirect_uri;
    if (redirectUri === undefined) {
      return signupProblem(
        ctx,
        403,
        'Forbidden',
        'No redirect URI is allow-listed for Signup+ Finland for this client (TrueLayer Support sets it up).',
      );
    }
    const parsed = parseJsonText(await readBodyText(ctx.req), AuthUriBodySchema);
    if (!parsed.ok) return signupProblem(ctx, 400, 'Invalid Parameters', parsed.detail, parsed.errors);
    const { payment_id: paymentId, state } = parsed.body;
    const own = signupPlusPayment(ctx, client.client_id, paymentId);
    if (!own.ok) return own.response;
    const { payment } = own;
    if (!isFinnishPayment(payment)) {
      return signupProblem(
        ctx,
        400,
        'Provider not supported',
        'Signup+ identification is for euro payments at a Finnish bank.',
      );
    }
    const { status } = ctx.sim.payments.stateOf(payment);
    if (!paidOut(status)) {
      return signupProblem(ctx, 400, 'Invalid State', `The payment is ${status}, not executed or settled.`);
    }
    const switches = ctx.sim.switches.current;
    let authUri: string;
    if (switches.identification_known_user) {
      ctx.sim.identifications.recordKnownUser(client.client_id, payment.id, state);
      authUri = redirectWith(redirectUri, { state });
    } else {
      authUri = identificationLink(
        ctx.sim.urls.auth,
        ctx.sim.identifications.open(client.client_id, payment.id, state),
      );
    }
    return jsonResponse(switches.authuri_status, { auth_uri: authUri });
  },
};

/**
 * `GET /signup-plus/payments` for a Finnish payment: the payer once they identified at their bank.
 * In this order: executed or settled (else 422 Failed Payment); `authorization_reference` at most
 * once; a reference given that was not issued for this payment → 400 Invalid Parameters; the newest
 * link expired unused → 400 Authorization Expired; no reference while
 * `identification_reference_required` (a known user's identification, which has none, is exempt) →
 * 400 Invalid Parameters; not identified → 422 User Data Not Found; else the amount band's Finnish
 * person (payers.ts) or the band's problem.
 */
export function finnishUserData(ctx: RequestContext, payment: PaymentRecord): SimResponse {
  const { status } = ctx.sim.payments.stateOf(payment);
  if (!paidOut(status)) {
    return signupProblem(ctx, 422, 'Failed Payment', `The payment is ${status}, not executed or settled.`);
  }
  const reference = optionalQueryParam(ctx, 'authorization_reference');
  if (!reference.ok) return reference.response;
  const identification = ctx.sim.identifications.identificationOf(payment.id);
  const issued = identification.kind === 'identified' ? identification.references : [];
  if (reference.value !== undefined && !issued.includes(reference.value)) {
    return signupProblem(
      ctx,
      400,
      'Invalid Parameters',
      'authorization_reference was not issued for this payment.',
      {
        authorization_reference: ['Not issued for this payment'],
      },
    );
  }
  if (identification.kind === 'expired') {
    return signupProblem(
      ctx,
      400,
      'Authorization Expired',
      'The identification link expired before the user identified; ask for a new one.',
    );
  }
  const exempt = identification.kind === 'identified' && identification.knownUser;
  if (
    reference.value === undefined &&
    ctx.sim.switches.current.identification_reference_required &&
    !exempt
  ) {
    return signupProblem(ctx, 400, 'Invalid Parameters', 'authorization_reference is required.', {
      authorization_reference: ['Required'],
    });
  }
  if (identification.kind !== 'identified') {
    return signupProblem(ctx, 422, 'User Data Not Found', 'The payer has not identified at their bank.');
  }
  return bandAnswer(ctx, payment.request.amount_in_minor, (payer) => payer.finland);
}
