import * as z from 'zod/mini';
import type { TrueLayerEndpoints } from './config.ts';
import { TrueLayerContractError } from './errors.ts';
import { sendToTrueLayer, type TrueLayerResponse } from './http.ts';
import { refusalError } from './refusals.ts';
import type { SignupPlusIdentity } from './schemas.ts';
import { identityOf } from './signup-plus-client.ts';
import { type ClientToken, withClientToken } from './token-cache.ts';
import { tolerant, tolerantText } from './tolerant.ts';

/** A Payments v3 resource the user authorises on TrueLayer's hosted page. */
export interface HostedResource {
  kind: 'payment' | 'mandate';
  id: string;
}

/**
 * Where a payment or a mandate stands, in the terms the journey acts on:
 * `pending` until the user has authorised it; `authorized` then (for a
 * mandate, the end: Signup+ answers for it; for a payment, while the money
 * moves); `executed` once the bank has sent a payment (when Signup+ in
 * Finland may send the user to identify); `settled` once a payment reached
 * the merchant account (the state Signup+ answers a UK payment in); `failed`
 * with TrueLayer's stage and reason (a revoked mandate: reason `revoked`).
 */
export type PaymentProgress =
  | { status: 'pending' | 'authorized' | 'executed' | 'settled' }
  | { status: 'failed'; failureStage?: string | undefined; failureReason?: string | undefined };

export interface PaymentsClient {
  progress(resource: HostedResource): Promise<PaymentProgress>;
  /**
   * `GET /signup-plus/payments` or `/signup-plus/mandates`: the payer of a
   * settled payment, the giver of an authorised mandate, or (Finland) the
   * payer who identified at their bank; with the `authorization_reference`
   * their bank gave back, when it gave one.
   */
  signupPlusIdentity(
    resource: HostedResource,
    options?: { authorizationReference?: string | undefined },
  ): Promise<SignupPlusIdentity>;
  /**
   * `POST /signup-plus/authuri` (Finland): where the payer of an executed
   * payment identifies at their bank. `state` comes back with them.
   */
  identificationLink(paymentId: string, state: string): Promise<string>;
}

/** `GET /v3/payments/{id}`, `GET /v3/mandates/{id}`: only what the journey acts on, read tolerantly. */
const resourceStateSchema = z.object({
  id: tolerantText,
  status: tolerantText,
  failure_stage: tolerantText,
  failure_reason: tolerant(z.string().check(z.maxLength(200))),
});

/**
 * TrueLayer's statuses (Payments v3 payments and mandates) in the journey's
 * terms; one not listed (`authorization_required`, `authorizing`, or one
 * TrueLayer adds later) is read as still pending.
 */
const PROGRESS: Record<HostedResource['kind'], Readonly<Record<string, PaymentProgress['status']>>> = {
  payment: { authorized: 'authorized', executed: 'executed', settled: 'settled', failed: 'failed' },
  mandate: { authorized: 'authorized', failed: 'failed', revoked: 'failed' },
};

/** Where each resource is read, and where Signup+ answers for it. */
const PATHS = {
  payment: {
    state: (id: string) => `/v3/payments/${encodeURIComponent(id)}`,
    signupPlus: (id: string) => `/signup-plus/payments?payment_id=${encodeURIComponent(id)}`,
  },
  mandate: {
    state: (id: string) => `/v3/mandates/${encodeURIComponent(id)}`,
    signupPlus: (id: string) => `/signup-plus/mandates?mandate_id=${encodeURIComponent(id)}`,
  },
} as const;

/**
 * `POST /signup-plus/authuri`'s answer. TrueLayer's SDKs disagree on its status
 * (200 or 201), so any success is read; only an absolute http(s) link is taken.
 */
const identificationLinkSchema = z.object({
  auth_uri: z.url({ protocol: /^https?$/ }),
});

/** The client-credentials tokens each resource is read with: its own scope, and that scope with `signupplus`. */
export type ResourceTokens = Record<HostedResource['kind'], { state: ClientToken; signupPlus: ClientToken }>;

const support = (response: TrueLayerResponse) => ({ status: response.status, ...response.support });

/**
 * Reading payments and mandates over HTTP with client-credentials tokens
 * (`payments` and `recurring_payments:sweeping`, each with `signupplus` for
 * Signup+). Creating them is payment-creation.ts, which alone holds the
 * signing key.
 */
export function paymentsClient(deps: {
  endpoints: TrueLayerEndpoints;
  tokens: ResourceTokens;
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
    async progress({ kind, id }) {
      const operation = `get ${kind}`;
      const response = await get(deps.tokens[kind].state, PATHS[kind].state(id), operation);
      if (response.status !== 200) throw refusalError(response, { operation, audience: 'client' });
      const parsed = resourceStateSchema.safeParse(response.body);
      if (!parsed.success || (parsed.data.id !== undefined && parsed.data.id !== id)) {
        throw new TrueLayerContractError(`${operation}: the answer is not this ${kind}`, {
          truelayer: support(response),
        });
      }
      const reported = parsed.data.status?.toLowerCase();
      const status = (reported === undefined ? undefined : PROGRESS[kind][reported]) ?? 'pending';
      if (status !== 'failed') return { status };
      return {
        status,
        failureStage: parsed.data.failure_stage,
        failureReason: reported === 'revoked' ? 'revoked' : parsed.data.failure_reason,
      };
    },

    async signupPlusIdentity({ kind, id }, options = {}) {
      const operation = `signup-plus ${kind} identity`;
      const reference = options.authorizationReference;
      const path =
        reference === undefined
          ? PATHS[kind].signupPlus(id)
          : `${PATHS[kind].signupPlus(id)}&authorization_reference=${encodeURIComponent(reference)}`;
      const response = await get(deps.tokens[kind].signupPlus, path, operation);
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'client' });
      }
      return identityOf(response, operation);
    },

    async identificationLink(paymentId, state) {
      const operation = 'signup-plus auth uri';
      const response = await withClientToken(deps.tokens.payment.signupPlus, (bearer) =>
        sendToTrueLayer(
          `${endpoints.apiBaseUrl}/signup-plus/authuri`,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${bearer}`,
              accept: 'application/json',
              'content-type': 'application/json',
            },
            body: JSON.stringify({ payment_id: paymentId, state }),
          },
          { timeoutMs: endpoints.timeoutMs, operation },
        ),
      );
      if (response.status < 200 || response.status > 299) {
        throw refusalError(response, { operation, audience: 'client' });
      }
      const parsed = identificationLinkSchema.safeParse(response.body);
      if (!parsed.success) {
        throw new TrueLayerContractError(`${operation}: the answer carries no auth_uri`, {
          truelayer: support(response),
        });
      }
      return parsed.data.auth_uri;
    },
  };
}
