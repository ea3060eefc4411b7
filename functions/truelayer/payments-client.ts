import * as z from 'zod/mini';
import type { TrueLayerEndpoints } from './config.ts';
import { TrueLayerContractError } from './errors.ts';
import { sendToTrueLayer, type TrueLayerResponse } from './http.ts';
import { refusalError } from './refusals.ts';
import type { SignupPlusIdentity } from './schemas.ts';
import { identityOf } from './signup-plus-client.ts';
import { type ClientToken, withClientToken } from './token-cache.ts';
import { tolerant, tolerantText } from './tolerant.ts';

/**
 * Where a payment stands, in the terms the journey acts on: `pending` until the
 * user has authorised it, `authorized` while the money moves, `settled` once it
 * reached the merchant account (the only state Signup+ answers for), `failed`
 * with TrueLayer's stage and reason.
 */
export type PaymentProgress =
  | { status: 'pending' | 'authorized' | 'settled' }
  | { status: 'failed'; failureStage?: string | undefined; failureReason?: string | undefined };

export interface PaymentsClient {
  progress(paymentId: string): Promise<PaymentProgress>;
  /** `GET /signup-plus/payments`: the payer of a settled payment. */
  signupPlusIdentity(paymentId: string): Promise<SignupPlusIdentity>;
}

/** `GET /v3/payments/{id}`: only what the journey acts on, read tolerantly. */
const paymentStateSchema = z.object({
  id: tolerantText,
  status: tolerantText,
  failure_stage: tolerantText,
  failure_reason: tolerant(z.string().check(z.maxLength(200))),
});

/** TrueLayer's payment statuses (Payments v3); an unknown one is read as still pending. */
const AUTHORIZED = new Set(['authorized', 'executed']);

const support = (response: TrueLayerResponse) => ({ status: response.status, ...response.support });

/**
 * Reading payments over HTTP with client-credentials tokens: `payments` for
 * a payment's status, `payments signupplus` for its payer's identity.
 * Creating them is payment-creation.ts, which alone holds the signing key.
 */
export function paymentsClient(deps: {
  endpoints: TrueLayerEndpoints;
  paymentsToken: ClientToken;
  signupPlusToken: ClientToken;
}): PaymentsClient {
  const { endpoints } = deps;

  const get = (token: ClientToken, path: string, operation: string) =>
    withClientToken(token, (bearer) =>
      sendToTrueLayer(
        `${endpoints.apiBaseUrl}${path}`,
        { method: 'GET', headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } },
        { timeoutMs: endpoints.timeoutMs, operation },
      ),
    );

  return {
    async progress(paymentId) {
      const operation = 'get payment';
      const response = await get(
        deps.paymentsToken,
        `/v3/payments/${encodeURIComponent(paymentId)}`,
        operation,
      );
      if (response.status !== 200) throw refusalError(response, { operation, audience: 'client' });
      const parsed = paymentStateSchema.safeParse(response.body);
      if (!parsed.success || (parsed.data.id !== undefined && parsed.data.id !== paymentId)) {
        throw new TrueLayerContractError(`${operation}: the answer is not this payment`, {
          truelayer: support(response),
        });
      }
      const status = parsed.data.status?.toLowerCase();
      if (status === 'settled') return { status: 'settled' };
      if (status === 'failed') {
        return {
          status: 'failed',
          failureStage: parsed.data.failure_stage,
          failureReason: parsed.data.failure_reason,
        };
      }
      if (status !== undefined && AUTHORIZED.has(status)) return { status: 'authorized' };
      return { status: 'pending' };
    },

    async signupPlusIdentity(paymentId) {
      const operation = 'signup-plus payment identity';
      const response = await get(
        deps.signupPlusToken,
        `/signup-plus/payments?payment_id=${encodeURIComponent(paymentId)}`,
        operation,
      );
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'client' });
      }
      return identityOf(response, operation);
    },
  };
}
