import type { RequestContext } from '../context.ts';
import { errorPage } from '../dialog-pages.ts';
import { html, page } from '../html.ts';
import { htmlResponse, readFormBody, redirectResponse, type SimResponse } from '../http-io.ts';
import type { RouteDefinition } from '../router.ts';
import {
  authorizeCheckoutLink,
  type Checkout,
  type CheckoutLink,
  checkLink,
  HPP_PATH,
  parseCheckoutLink,
} from './checkout.ts';
import { PAYMENT_USERS } from './checkout-store.ts';
import { MOCK_PAYMENT_PROVIDERS } from './request.ts';

/** The hosted page: what is authorised, the bank, the mock bank's username and approve / Cancel. */
function hostedPage(link: CheckoutLink, checkout: Checkout, error?: string): string {
  const bank = MOCK_PAYMENT_PROVIDERS[checkout.providerId].name;
  const values: [string, string][] = [
    [link.kind.param, link.id],
    ['resource_token', link.resourceToken],
    ['return_uri', link.returnUri],
  ];
  const hidden = values.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  const users = PAYMENT_USERS.map((user) => html`<li><strong>${user}</strong></li>`);
  return page(
    checkout.page.title,
    html`<h1>${checkout.page.heading}</h1>
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<p>Bank: ${bank}. This is a simulated bank: log in as one of the mock payment users below.</p>
<form method="post" action="${HPP_PATH}">
${hidden}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false">
<button class="primary" type="submit" name="decision" value="approve">${checkout.page.approve}</button>
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

type Opened = { ok: true; link: CheckoutLink; checkout: Checkout } | { ok: false; response: SimResponse };

/** The payment or mandate a page request is for, or the error page to show instead. */
function openPage(ctx: RequestContext, params: URLSearchParams): Opened {
  const dead = (title: string, message: string): Opened => ({
    ok: false,
    response: htmlResponse(400, errorPage(title, message)),
  });
  const parsed = parseCheckoutLink(new URL(`http://hpp.invalid/?${params.toString()}`));
  if (parsed.kind !== 'link') return dead('Invalid link', 'The payment link is incomplete.');
  const { link } = parsed;
  const check = checkLink(ctx.sim, link);
  if (!check.ok) return dead('Invalid link', check.message);
  if (!check.checkout.awaitsDecision()) {
    return dead('Link used', `This ${link.kind.noun} link has already been used.`);
  }
  return { ok: true, link, checkout: check.checkout };
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
      opened.checkout.markOpened();
      return htmlResponse(200, hostedPage(opened.link, opened.checkout));
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
      const { link, checkout } = opened;
      const username = (form.get('username') ?? '').trim();
      const decision = form.get('decision') === 'deny' ? 'deny' : 'approve';
      const result = authorizeCheckoutLink(ctx.sim, link, { decision, user: username });
      if (result.ok) return redirectResponse(result.redirectTo);
      return htmlResponse(
        200,
        hostedPage(link, checkout, 'Unknown username: use one of the mock payment users.'),
      );
    },
  },
];
