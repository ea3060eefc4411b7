import { authenticateBearer } from './bearer.ts';
import { jsonResponse } from './http-io.ts';
import { problemResponse } from './problems.ts';
import type { RouteDefinition } from './router.ts';
import { identityBody, multipleAccountsBody } from './signup-plus-body.ts';

/** Schema-breaking body for the `schema` fault: identity fields with the wrong types. */
const ACCOUNTS_SCHEMA_VIOLATION = { first_name: 7, last_name: null, address: 'unknown', account_details: [] };

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
    const auth = authenticateBearer(ctx, { scope: 'signupplus', user: true });
    if (!auth.ok) return auth.response;
    const invalidAccountId = (message: string) =>
      problemResponse(ctx.traceId, {
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
    if (user.signup_plus_error !== undefined) {
      const { status, title, detail, type } = user.signup_plus_error;
      return problemResponse(ctx.traceId, { status, title, detail, ...(type === undefined ? {} : { type }) });
    }

    const requested = ctx.url.searchParams.getAll('account_id');
    if (requested.length > 1) return invalidAccountId('account_id must be given once.');
    const accountId = requested[0];
    if (accountId !== undefined) {
      // Only the token's own user is searched: another user's id is as unknown as a made-up one.
      const account = user.accounts.find((a) => a.account_id === accountId);
      if (account === undefined) return invalidAccountId('No linked account has this account_id.');
      return jsonResponse(200, identityBody(user, account));
    }
    const [only, ...others] = user.accounts;
    if (only === undefined) {
      return problemResponse(ctx.traceId, {
        status: 404,
        title: 'User Data Not Found',
        detail: 'User data not found',
      });
    }
    if (others.length === 0) return jsonResponse(200, identityBody(user, only));
    return jsonResponse(200, multipleAccountsBody(user.accounts));
  },
};
