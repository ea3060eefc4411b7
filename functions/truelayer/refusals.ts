import * as z from 'zod/mini';
import type { TrueLayerSupport } from '../commons/failure.ts';
import { slug } from '../commons/slug.ts';
import {
  type IneligibilityCause,
  SignupPlusNotEligibleError,
  type TrueLayerError,
  TrueLayerReconnectRequiredError,
  TrueLayerRejectedError,
} from './errors.ts';
import type { TrueLayerResponse } from './http.ts';
import { tolerantText } from './tolerant.ts';

/*
 * What a TrueLayer refusal means for the integrator, from TrueLayer's
 * documented error classes (D:signup-errors, D:data-v3-errors,
 * D:data-api-errors). The problem is recognised by its `type`
 * anchor or its `title`, case aside, so either one is enough.
 */

/** Problem details (`application/problem+json`) and the auth host's legacy OAuth errors, read tolerantly. */
const refusalBodySchema = z.object({
  type: tolerantText,
  title: tolerantText,
  trace_id: tolerantText,
  /** The legacy OAuth shape of the token endpoint: `{ "error": "invalid_grant" }`. */
  error: tolerantText,
});

/**
 * Whose token made the call, which decides what a 401 or 403 means: with the
 * user's token (Signup+) or about a user's connection (`Connection-Id`), the
 * user's authorisation is gone; with the product's own client token, the
 * product's client is misconfigured.
 */
export type RefusalAudience = 'user' | 'client';

/** `Joint Accounts Not Supported`, `https://…/signup-errors#joint-accounts-not-supported` → `joint_accounts_not_supported`. */
export function problemKey(text: string): string {
  const anchor = text.includes('#') ? (text.split('#').pop() ?? text) : text;
  return slug(anchor, '_');
}

const INELIGIBLE: Readonly<Record<string, IneligibilityCause>> = {
  user_data_not_found: 'user_data_not_found',
  joint_accounts_not_supported: 'joint_account',
  joint_account_not_supported: 'joint_account',
  provider_not_supported: 'provider_not_supported',
  feature_not_supported: 'provider_not_supported',
};

/** The Signup+ ineligibility a problem key (or a failure reason in the same words) names, if any. */
export const ineligibilityOf = (key: string): IneligibilityCause | undefined => INELIGIBLE[key];

const MAX_TITLE = 120;
const MAX_REASON = 64;

/** OAuth error codes that mean the user's grant is spent, expired or revoked: "ask the user to reconnect". */
const RECONNECT_OAUTH_ERRORS = new Set(['invalid_grant', 'access_denied']);

/** The problem keys that mean the user's connection is no longer authorised. */
const RECONNECT_PROBLEMS = new Set(['invalid_state']);

/**
 * The error a refused call raises. Only what TrueLayer documents is matched;
 * anything else is a refusal of the request (`TrueLayerRejectedError`), which
 * an operator should look at.
 */
export function refusalError(
  response: TrueLayerResponse,
  context: { operation: string; audience: RefusalAudience },
): TrueLayerError {
  const parsed = refusalBodySchema.safeParse(response.body);
  const body = parsed.success ? parsed.data : {};
  const keys = [body.type, body.title].filter((text) => text !== undefined).map(problemKey);
  // TrueLayer's words, kept short: a title or an OAuth code, never the free-text detail.
  const said = (body.title ?? body.error)?.slice(0, MAX_TITLE);
  const truelayer: TrueLayerSupport = {
    status: response.status,
    ...(said === undefined ? {} : { title: said }),
    ...((body.trace_id ?? response.support.trace_id) === undefined
      ? {}
      : { trace_id: body.trace_id ?? response.support.trace_id }),
    ...(response.support.correlation_id === undefined
      ? {}
      : { correlation_id: response.support.correlation_id }),
  };
  const message = `${context.operation}: TrueLayer answered ${response.status}`;

  const ineligibility = keys.map(ineligibilityOf).find((cause) => cause !== undefined);
  if (ineligibility) return new SignupPlusNotEligibleError(message, { ineligibility, truelayer });

  const reconnect =
    keys.some((key) => RECONNECT_PROBLEMS.has(key)) ||
    (body.error !== undefined && RECONNECT_OAUTH_ERRORS.has(body.error)) ||
    (context.audience === 'user' && (response.status === 401 || response.status === 403));
  if (reconnect) return new TrueLayerReconnectRequiredError(message, { truelayer });

  const named = body.error ?? body.title ?? body.type;
  const reason = named === undefined ? `http_${response.status}` : problemKey(named).slice(0, MAX_REASON);
  return new TrueLayerRejectedError(message, { reason, status: response.status, truelayer });
}
