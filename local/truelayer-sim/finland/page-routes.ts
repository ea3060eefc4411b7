import { z } from 'zod';
import type { RequestContext } from '../context.ts';
import { errorPage } from '../dialog-pages.ts';
import { html, page } from '../html.ts';
import { htmlResponse, readFormBody, redirectResponse, type SimResponse } from '../http-io.ts';
import type { RouteDefinition } from '../router.ts';
import { invalidParameters, readSandboxBody } from '../sandbox-request.ts';
import {
  checkIdentification,
  decideIdentification,
  IDENTIFY_PATH,
  type IdentificationCheck,
  type IdentificationLink,
  type IdentificationRefusal,
  identificationParams,
  parseIdentificationLink,
} from './link.ts';

/** The dead-end page of each refusal: nothing is sent to the application from there. */
const DEAD_ENDS: Record<IdentificationRefusal, string> = {
  invalid: 'Invalid link',
  used: 'Link used',
  expired: 'Link expired',
};

function deadEnd(check: Extract<IdentificationCheck, { ok: false }>): SimResponse {
  return htmlResponse(400, errorPage(DEAD_ENDS[check.refusal], check.detail));
}

/** The identification screen: who asks, the bank, Approve and Cancel (a form that posts the session back). */
function identificationPage(link: IdentificationLink, merchant: string): string {
  return page(
    'Identify yourself with your bank',
    html`<h1>Identify yourself with your bank</h1>
<p><strong>${merchant}</strong> asks you to confirm who you are with your Finnish bank (OP, <code>fi-op</code>). Your name, date of birth, personal identity code and address will be shared with them.</p>
<p>This is a simulated bank identification: Approve identifies you as the payer of the payment.</p>
<form method="post" action="${IDENTIFY_PATH}">
<input type="hidden" name="id" value="${link.id}">
<input type="hidden" name="uuid" value="${link.uuid}">
<button class="primary" type="submit" name="decision" value="approve">Approve</button>
<button class="secondary" type="submit" name="decision" value="deny">Cancel</button>
</form>`,
  );
}

/** Reads the session named by the page's address or form, or the dead end to show. */
function sessionLink(
  params: URLSearchParams,
): { ok: true; link: IdentificationLink } | { ok: false; response: SimResponse } {
  const parsed = identificationParams(params);
  if (parsed.kind !== 'link') {
    return {
      ok: false,
      response: htmlResponse(400, errorPage('Invalid link', 'The identification link is incomplete.')),
    };
  }
  return { ok: true, link: parsed.link };
}

const ExpireBodySchema = z.strictObject({ auth_uri: z.string().min(1) });

/**
 * `POST /_sandbox/identifications/expire` `{ auth_uri }`: ends an open identification link now, as
 * if its time had run out (its expiry webhook follows). 204; an already expired link → 204 again
 * (no second webhook); a used, unknown or malformed one → 400 Invalid Parameters.
 */
const expireRoute: RouteDefinition = {
  method: 'POST',
  path: '/_sandbox/identifications/expire',
  name: 'identifications_expire',
  faultable: false,
  async handle(ctx: RequestContext) {
    const read = await readSandboxBody(ctx, ExpireBodySchema);
    if ('problem' in read) return read.problem;
    const url = URL.parse(read.body.auth_uri);
    if (url === null) return invalidParameters(ctx, 'auth_uri is not an absolute URL.');
    const parsed = parseIdentificationLink(url);
    if (parsed.kind === 'none') return invalidParameters(ctx, 'auth_uri is not an identification link.');
    if (parsed.kind === 'incomplete') return invalidParameters(ctx, parsed.detail);
    const check = checkIdentification(ctx.sim, parsed.link);
    if (!check.ok && check.refusal === 'expired') return { status: 204 };
    if (!check.ok) return invalidParameters(ctx, check.detail);
    ctx.sim.identifications.expireNow(check.session);
    return { status: 204 };
  },
};

/**
 * Signup+ in Finland on the auth host: `GET` the identification page an `auth_uri` opens, `POST` its
 * form (302 to the client's Finnish redirect URI), and the expire hook. Not faultable, like the
 * dialog and the hosted payment page.
 */
export const identificationAuthRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: IDENTIFY_PATH,
    name: 'identification_page',
    faultable: false,
    handle(ctx) {
      const named = sessionLink(ctx.url.searchParams);
      if (!named.ok) return named.response;
      const check = checkIdentification(ctx.sim, named.link);
      if (!check.ok) return deadEnd(check);
      return htmlResponse(200, identificationPage(named.link, check.client.name ?? check.client.client_id));
    },
  },
  {
    method: 'POST',
    path: IDENTIFY_PATH,
    name: 'identification_page',
    faultable: false,
    async handle(ctx) {
      const form = await readFormBody(ctx.req);
      const named = sessionLink(form);
      if (!named.ok) return named.response;
      const decision = form.get('decision') === 'deny' ? 'deny' : 'approve';
      const decided = decideIdentification(ctx.sim, named.link, decision);
      return decided.ok ? redirectResponse(decided.redirectTo) : deadEnd(decided);
    },
  },
  expireRoute,
];
