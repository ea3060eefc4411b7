import { redirectWith } from '../auth-request.ts';
import type { RequestContext, SimulatorState } from '../context.ts';
import { errorPage } from '../dialog-pages.ts';
import { html, page } from '../html.ts';
import { htmlResponse, readFormBody, redirectResponse, type SimResponse } from '../http-io.ts';
import type { RouteDefinition } from '../router.ts';
import {
  isMockPaymentProvider,
  MOCK_PAYMENT_PROVIDERS,
  type MockPaymentProviderId,
  providerForCurrency,
} from './request.ts';
import { isPaymentUser, PAYMENT_USERS, type PaymentDecision, type PaymentRecord } from './store.ts';

/**
 * Where the simulated hosted payment page lives on the auth host: it stands in for TrueLayer's
 * HPP base (`checkout.truelayer-sandbox.com/`, truelayer-dotnet HppLinkBuilder), so a link is
 * `{authUrl}/checkout/?payment_id=…&resource_token=…&return_uri=…`.
 */
export const HPP_PATH = '/checkout/';

/** The parameters of a hosted payment page link. */
export interface PaymentLink {
  paymentId: string;
  resourceToken: string;
  returnUri: string;
}

/**
 * Reads a hosted payment page link, or says it is none (no `payment_id`). The legacy HPP takes its
 * parameters after `#`, the new hosted page after `?` (D:hosted-page); both are read.
 */
export function parsePaymentLink(link: URL): PaymentLink | 'not_a_payment_link' | 'incomplete' {
  const query = link.searchParams;
  const params = query.has('payment_id') ? query : new URLSearchParams(link.hash.replace(/^#/, ''));
  const paymentId = params.get('payment_id');
  if (paymentId === null) return 'not_a_payment_link';
  const resourceToken = params.get('resource_token');
  const returnUri = params.get('return_uri');
  if (paymentId === '' || resourceToken === null || returnUri === null) return 'incomplete';
  return { paymentId, resourceToken, returnUri };
}

type LinkCheck = { ok: true; payment: PaymentRecord; returnUri: string } | { ok: false; message: string };

/**
 * A link the page may act on: a known payment, its own resource token, and a return URI registered
 * for the payment's client (exactly; D:authorise-payments-with-the-hpp says it must be allow-listed
 * in Console). Anything else is a dead end: nothing is sent to an unchecked URI.
 */
function checkLink(sim: SimulatorState, link: PaymentLink): LinkCheck {
  const payment = sim.payments.get(link.paymentId);
  if (payment === undefined || payment.resourceToken !== link.resourceToken) {
    return { ok: false, message: 'The payment link is invalid: unknown payment or wrong resource_token.' };
  }
  const client = sim.clients.get(payment.clientId);
  if (client === undefined || !sim.clients.allowsRedirect(client, link.returnUri)) {
    return { ok: false, message: 'return_uri is not registered for this application.' };
  }
  return { ok: true, payment, returnUri: link.returnUri };
}

/** The mock bank the payment is paid at: the preselected one, else the currency's own. */
export function providerOf(payment: PaymentRecord): MockPaymentProviderId {
  const selection = payment.request.payment_method.provider_selection;
  if (selection.type === 'preselected' && isMockPaymentProvider(selection.provider_id))
    return selection.provider_id;
  return providerForCurrency(payment.request.currency);
}

/**
 * Records the user's decision and returns where the page sends them: the return URI with
 * `payment_id` (D:authorise-payments-with-the-hpp), plus `error=tl_hpp_abandoned` when they
 * cancelled (what TrueLayer's WooCommerce plugin and integrators read on a return).
 */
export function finishPayment(
  sim: SimulatorState,
  payment: PaymentRecord,
  returnUri: string,
  decision: PaymentDecision,
): string {
  sim.payments.decide(payment, providerOf(payment), decision);
  return redirectWith(returnUri, {
    payment_id: payment.id,
    error: decision.kind === 'cancel' ? 'tl_hpp_abandoned' : undefined,
  });
}

/** The body `POST /_sandbox/authorize` takes, as far as a payment link needs it. */
export interface PaymentAuthorizeBody {
  decision: 'approve' | 'deny';
  user?: string | undefined;
  provider_id?: string | undefined;
}

/** Why the approval hook refuses a payment link (400 Invalid Parameters), or where the browser goes. */
export type PaymentAuthorizeResult =
  | { ok: true; redirectTo: string }
  | { ok: false; detail: string; errors?: Record<string, string[]> };

/**
 * The approval hook for a hosted payment page link (DESIGN.md "One approval hook for every
 * link"): `user` is one of the mock bank's payment users, `deny` is the user pressing Cancel.
 */
export function authorizePaymentLink(
  sim: SimulatorState,
  link: PaymentLink,
  body: PaymentAuthorizeBody,
): PaymentAuthorizeResult {
  const check = checkLink(sim, link);
  if (!check.ok) return { ok: false, detail: check.message };
  const { payment } = check;
  if (!sim.payments.awaitsDecision(payment))
    return { ok: false, detail: 'This payment link has already been used.' };
  if (body.provider_id !== undefined && body.provider_id !== providerOf(payment)) {
    return {
      ok: false,
      detail: 'provider_id is not offered for this payment.',
      errors: { provider_id: ['Not offered'] },
    };
  }
  if (body.decision === 'deny') {
    return { ok: true, redirectTo: finishPayment(sim, payment, check.returnUri, { kind: 'cancel' }) };
  }
  if (body.user === undefined)
    return { ok: false, detail: 'user is required to approve.', errors: { user: ['Required'] } };
  if (!isPaymentUser(body.user)) {
    return {
      ok: false,
      detail: `Unknown payment user "${body.user}"; use one of ${PAYMENT_USERS.join(', ')}.`,
      errors: { user: ['Unknown user'] },
    };
  }
  return {
    ok: true,
    redirectTo: finishPayment(sim, payment, check.returnUri, { kind: 'approve', user: body.user }),
  };
}

const FIELDS = ['payment_id', 'resource_token', 'return_uri'] as const;

/** The hosted page: amount, bank, the mock bank's username and Pay / Cancel. */
function hostedPage(link: PaymentLink, payment: PaymentRecord, error?: string): string {
  const { amount_in_minor: amount, currency } = payment.request;
  const bank = MOCK_PAYMENT_PROVIDERS[providerOf(payment)].name;
  const values: Record<(typeof FIELDS)[number], string> = {
    payment_id: link.paymentId,
    resource_token: link.resourceToken,
    return_uri: link.returnUri,
  };
  const hidden = FIELDS.map((name) => html`<input type="hidden" name="${name}" value="${values[name]}">`);
  const users = PAYMENT_USERS.map((user) => html`<li><strong>${user}</strong></li>`);
  return page(
    'Authorise your payment',
    html`<h1>Pay ${(amount / 100).toFixed(2)} ${currency}</h1>
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<p>Bank: ${bank}. This is a simulated bank: log in as one of the mock payment users below.</p>
<form method="post" action="${HPP_PATH}">
${hidden}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false">
<button class="primary" type="submit" name="decision" value="approve">Pay</button>
<button class="secondary" type="submit" name="decision" value="deny">Cancel</button>
</form>
<section aria-labelledby="payment-users">
<h2 id="payment-users">Mock payment users</h2>
<ul class="users">
${users}
</ul>
</section>`,
  );
}

function linkFrom(params: URLSearchParams): PaymentLink | undefined {
  const parsed = parsePaymentLink(new URL(`http://hpp.invalid/?${params.toString()}`));
  return typeof parsed === 'string' ? undefined : parsed;
}

type Opened = { ok: true; link: PaymentLink; payment: PaymentRecord } | { ok: false; response: SimResponse };

/** The payment a page request is for, or the error page to show instead. */
function openPage(ctx: RequestContext, params: URLSearchParams): Opened {
  const dead = (title: string, message: string): Opened => ({
    ok: false,
    response: htmlResponse(400, errorPage(title, message)),
  });
  const link = linkFrom(params);
  if (link === undefined) return dead('Invalid link', 'The payment link is incomplete.');
  const check = checkLink(ctx.sim, link);
  if (!check.ok) return dead('Invalid link', check.message);
  if (!ctx.sim.payments.awaitsDecision(check.payment)) {
    return dead('Link used', 'This payment link has already been used.');
  }
  return { ok: true, link, payment: check.payment };
}

/** `GET /checkout/` (the page) and `POST /checkout/` (its form). Not faultable, like the dialog. */
export const hostedPageRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: HPP_PATH,
    name: 'hpp',
    faultable: false,
    handle(ctx) {
      const opened = openPage(ctx, ctx.url.searchParams);
      if (!opened.ok) return opened.response;
      ctx.sim.payments.markOpened(opened.payment);
      return htmlResponse(200, hostedPage(opened.link, opened.payment));
    },
  },
  {
    method: 'POST',
    path: HPP_PATH,
    name: 'hpp',
    faultable: false,
    async handle(ctx) {
      const form = await readFormBody(ctx.req);
      const opened = openPage(ctx, form);
      if (!opened.ok) return opened.response;
      const { link, payment } = opened;
      const username = (form.get('username') ?? '').trim();
      const decision = form.get('decision') === 'deny' ? 'deny' : 'approve';
      const result = authorizePaymentLink(ctx.sim, link, { decision, user: username });
      if (result.ok) return redirectResponse(result.redirectTo);
      return htmlResponse(
        200,
        hostedPage(link, payment, 'Unknown username: use one of the mock payment users.'),
      );
    },
  },
];
