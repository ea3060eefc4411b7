import type { RequestContext } from '../context.ts';
import { jsonResponse, type SimResponse } from '../http-io.ts';
import { problemResponse, SIGNUP_ERRORS_BASE, slugFromTitle } from '../problems.ts';
import { identityBody } from '../signup-plus-body.ts';
import { accountAt, payerForAmount } from './payers.ts';
import type { MockPaymentProviderId } from './request.ts';

/** A Signup+ problem: `signup-errors#<slug>` (D:signup-errors, FACTS §7). */
export function signupProblem(
  ctx: RequestContext,
  status: number,
  title: string,
  detail: string,
  errors?: Record<string, string[]>,
): SimResponse {
  return problemResponse(ctx.traceId, {
    status,
    title,
    detail,
    type: `${SIGNUP_ERRORS_BASE}${slugFromTitle(title)}`,
    ...(errors === undefined ? {} : { errors }),
  });
}

/** The one value of a required query parameter (`payment_id`, `mandate_id`), or 400 Invalid Parameters. */
export function oneQueryParam(
  ctx: RequestContext,
  name: string,
): { ok: true; value: string } | { ok: false; response: SimResponse } {
  const values = ctx.url.searchParams.getAll(name);
  const [value] = values;
  if (value === undefined || value === '' || values.length > 1) {
    return {
      ok: false,
      response: signupProblem(ctx, 400, 'Invalid Parameters', `${name} must be given once.`, {
        [name]: ['Required, once'],
      }),
    };
  }
  return { ok: true, value };
}

/**
 * The Signup+ answer for the sandbox payer of this amount (payers.ts `payerForAmount`): the body
 * `/signup-plus/accounts` gives for one account, with the account at the mock bank the user
 * authorised at, or the band's problem.
 */
export function payerAnswer(
  ctx: RequestContext,
  amountInMinor: number,
  providerId: MockPaymentProviderId,
): SimResponse {
  const outcome = payerForAmount(amountInMinor);
  if (outcome.kind === 'problem') {
    const { status, title, detail } = outcome.problem;
    return signupProblem(ctx, status, title, detail);
  }
  const { payer } = outcome;
  return jsonResponse(
    200,
    identityBody(payer.identity, accountAt(payer, providerId), ctx.sim.switches.current),
  );
}
