import type { RequestContext } from './context.ts';
import type { AccessTokenRecord } from './grants.ts';
import type { SimResponse } from './http-io.ts';
import { problemResponse, SIGNUP_ERRORS_BASE, slugFromTitle } from './problems.ts';

/** Outcome of checking a request's bearer token. */
export type BearerCheck = { ok: true; token: AccessTokenRecord } | { ok: false; response: SimResponse };

/** What an endpoint needs from the token. */
export interface BearerRequirement {
  /** Scope the token must carry; of several, any one of them. */
  scope: string | readonly string[];
  /** True for endpoints that read a user's data (needs an authorization_code token). */
  user: boolean;
  /**
   * Whose error catalogue the refusals follow: Signup+ says 401 `Unauthorized`
   * under `signup-errors#` (D:signup-errors), the Data v3 APIs 401
   * `Unauthenticated` under `error-types#` (D:data-v3-errors). Default `data`.
   */
  api?: 'signup_plus' | 'data';
}

const UNAUTHENTICATED_DETAIL = {
  missing: 'The request has no bearer token in the Authorization header.',
  unknown: 'The access token is invalid.',
  expired: 'The access token has expired.',
  revoked: 'The access token has been revoked.',
} as const;

/**
 * Checks the `Authorization: Bearer` header: 401 when the token is missing, unknown, expired or
 * revoked; 403 when it lacks the scope or is a client token where a user token is needed.
 * Exported for routes added by other modules.
 */
export function authenticateBearer(ctx: RequestContext, need: BearerRequirement): BearerCheck {
  const signupPlus = need.api === 'signup_plus';
  const typeFor = (title: string) =>
    signupPlus ? { type: `${SIGNUP_ERRORS_BASE}${slugFromTitle(title)}` } : {};
  const unauthenticated = (reason: keyof typeof UNAUTHENTICATED_DETAIL): BearerCheck => {
    const title = signupPlus ? 'Unauthorized' : 'Unauthenticated';
    return {
      ok: false,
      response: problemResponse(
        ctx.traceId,
        { status: 401, title, detail: UNAUTHENTICATED_DETAIL[reason], ...typeFor(title) },
        { 'www-authenticate': reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"' },
      ),
    };
  };
  const forbidden = (detail: string): BearerCheck => ({
    ok: false,
    response: problemResponse(ctx.traceId, {
      status: 403,
      title: 'Forbidden',
      detail,
      ...typeFor('Forbidden'),
    }),
  });

  const match = /^Bearer +(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  const token = match?.[1];
  if (token === undefined) return unauthenticated('missing');
  const lookup = ctx.sim.grants.lookupAccessToken(token);
  if (!lookup.ok) return unauthenticated(lookup.reason);
  const wanted = typeof need.scope === 'string' ? [need.scope] : need.scope;
  if (!wanted.some((scope) => lookup.token.scopes.includes(scope))) {
    return forbidden(`The access token does not carry the ${wanted.join(' or ')} scope.`);
  }
  if (need.user && lookup.token.username === undefined) {
    return forbidden(
      'This endpoint needs a user access token (authorization_code grant), not a client token.',
    );
  }
  return { ok: true, token: lookup.token };
}
