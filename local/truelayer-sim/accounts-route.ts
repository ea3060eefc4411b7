import { isIP } from 'node:net';
import { gzipSync } from 'node:zlib';
import { authenticateBearer } from './bearer.ts';
import type { RequestContext } from './context.ts';
import { jsonResponse, type SimResponse } from './http-io.ts';
import { type ProblemInit, problemResponse, SIGNUP_ERRORS_BASE, slugFromTitle } from './problems.ts';
import type { RouteDefinition } from './router.ts';
import { identityBody, multipleAccountsBody } from './signup-plus-body.ts';
import type { RawAnswer, SandboxAccount } from './users.ts';

/** Schema-breaking body for the `schema` fault: identity fields with the wrong types. */
const ACCOUNTS_SCHEMA_VIOLATION = { first_name: 7, last_name: null, address: 'unknown', account_details: [] };

/** A Signup+ problem, typed under `signup-errors#` as D:signup-errors shows them. */
function signupProblem(ctx: RequestContext, init: ProblemInit): SimResponse {
  return problemResponse(ctx.traceId, {
    ...init,
    type: init.type ?? `${SIGNUP_ERRORS_BASE}${slugFromTitle(init.title)}`,
  });
}

/**
 * A raw answer from the users file, served verbatim (the raw-answer interface, "Raw TrueLayer
 * answers"): its status, its headers and its body as JSON, gzip-compressed
 * when its headers say `content-encoding: gzip`.
 */
export function rawResponse(answer: RawAnswer): SimResponse {
  const headers = { ...(answer.headers ?? {}) };
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (!names.includes('content-type')) headers['content-type'] = 'application/json; charset=utf-8';
  const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
  const encoding = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
  const gzip = encoding?.split(',').some((coding) => coding.trim().toLowerCase() === 'gzip') === true;
  return { status: answer.status, headers, body: gzip ? gzipSync(text) : text };
}

/**
 * `GET /signup-plus/accounts[?account_id=]`: the identity behind a user token, or the list of
 * accounts to choose from when the user linked several.
 */
export const accountsRoute: RouteDefinition = {
  method: 'GET',
  path: '/signup-plus/accounts',
  name: 'accounts',
  schemaViolation: ACCOUNTS_SCHEMA_VIOLATION,
  handle(ctx) {
    const auth = authenticateBearer(ctx, { scope: 'signupplus', user: true, api: 'signup_plus' });
    if (!auth.ok) return auth.response;
    const switches = ctx.sim.switches.current;
    const invalidAccountId = (message: string) =>
      signupProblem(ctx, {
        status: 400,
        title: 'Invalid Parameters',
        detail: 'Invalid account_id.',
        errors: { account_id: [message] },
      });

    const user = ctx.sim.findUser(auth.token.username ?? '');
    if (user === undefined) {
      // The users list is fixed for a simulator's life, so this only happens on a bug.
      throw new Error(`token refers to unknown user ${auth.token.username ?? '(none)'}`);
    }
    const requested = ctx.url.searchParams.getAll('account_id');
    if (requested.length > 1) return invalidAccountId('account_id must be given once.');
    const accountId = requested[0];
    const psuIp = ctx.req.headers['x-psu-ip'];
    const ip = typeof psuIp === 'string' ? psuIp : undefined;
    ctx.sim.signupPlusRequests.push({
      username: user.username,
      account_id: accountId ?? null,
      x_psu_ip: ip ?? null,
    });
    if (ip !== undefined && isIP(ip) === 0) {
      return signupProblem(ctx, {
        status: 400,
        title: 'Invalid Parameters',
        detail: 'X-PSU-IP is not an IP address.',
        errors: { 'X-PSU-IP': ['Must be an IPv4 or IPv6 address'] },
      });
    }

    const raw = accountId === undefined ? user.signup_plus : user.signup_plus_by_account?.[accountId];
    if (raw !== undefined) return rawResponse(raw);
    if (user.signup_plus_error !== undefined) {
      const { status, title, detail, type } = user.signup_plus_error;
      return signupProblem(ctx, { status, title, detail, ...(type === undefined ? {} : { type }) });
    }

    // An account is at the bank the user logged in to: that bank's id, not the one in the users file
    // (john logs in at the Mock bank as readily as at Monzo).
    const { identity } = user;
    const atBank = (account: SandboxAccount): SandboxAccount => ({
      ...account,
      provider_id: auth.token.providerId ?? account.provider_id,
    });
    if (accountId !== undefined) {
      // Only the token's own user is searched: another user's id is as unknown as a made-up one.
      const account = user.accounts.find((a) => a.account_id === accountId);
      if (account === undefined || identity === undefined) {
        return invalidAccountId('No linked account has this account_id.');
      }
      return jsonResponse(200, identityBody(identity, atBank(account), switches));
    }
    const [only, ...others] = user.accounts;
    if (only === undefined || identity === undefined) {
      return signupProblem(ctx, { status: 422, title: 'User Data Not Found', detail: 'User data not found' });
    }
    if (others.length === 0) return jsonResponse(200, identityBody(identity, atBank(only), switches));
    // The status of this answer is undocumented: the switch plays each plausible one.
    return jsonResponse(switches.multiple_accounts_status, multipleAccountsBody(user.accounts, switches));
  },
};
