import { redirectWith } from '../auth-request.ts';
import type { SimulatorState } from '../context.ts';
import { isPaymentUser, PAYMENT_USERS, type PaymentDecision } from './checkout-store.ts';
import { type MockPaymentProviderId, providerFor } from './request.ts';

/**
 * Where the simulated hosted payment page lives on the auth host: it stands in for TrueLayer's
 * HPP base (`checkout.truelayer-sandbox.com/`, truelayer-dotnet HppLinkBuilder), so a link is
 * `{authUrl}/checkout/?payment_id=…&resource_token=…&return_uri=…`, or `mandate_id=…` for a mandate.
 */
export const HPP_PATH = '/checkout/';

/** What the page shows for what it authorises. */
export interface CheckoutPage {
  title: string;
  heading: string;
  /** The approve button's label. */
  approve: string;
}

/** One payment or mandate, as the hosted page acts on it. */
export interface Checkout {
  clientId: string;
  resourceToken: string;
  /** The mock bank it is authorised at. */
  providerId: MockPaymentProviderId;
  page: CheckoutPage;
  awaitsDecision(): boolean;
  markOpened(): void;
  decide(outcome: PaymentDecision): void;
}

/** A kind of thing the hosted page authorises (D:hosted-page: payments and mandates). */
export interface CheckoutKind {
  /** The link parameter naming it, also what the return URI gets. */
  param: 'payment_id' | 'mandate_id';
  noun: 'payment' | 'mandate';
  find(sim: SimulatorState, id: string): Checkout | undefined;
}

/** What the hosted page needs of a store (payments/store.ts, mandates/store.ts). */
interface DecisionStore<R> {
  get(id: string): R | undefined;
  awaitsDecision(record: R): boolean;
  markOpened(record: R): void;
  decide(record: R, providerId: MockPaymentProviderId, outcome: PaymentDecision): void;
}

function checkoutKind<R extends { clientId: string; resourceToken: string }>(spec: {
  param: CheckoutKind['param'];
  noun: CheckoutKind['noun'];
  store: (sim: SimulatorState) => DecisionStore<R>;
  providerOf: (record: R) => MockPaymentProviderId;
  page: (record: R) => CheckoutPage;
}): CheckoutKind {
  return {
    param: spec.param,
    noun: spec.noun,
    find(sim, id) {
      const store = spec.store(sim);
      const record = store.get(id);
      if (record === undefined) return undefined;
      const providerId = spec.providerOf(record);
      return {
        clientId: record.clientId,
        resourceToken: record.resourceToken,
        providerId,
        page: spec.page(record),
        awaitsDecision: () => store.awaitsDecision(record),
        markOpened: () => store.markOpened(record),
        decide: (outcome) => store.decide(record, providerId, outcome),
      };
    },
  };
}

const money = (amountInMinor: number, currency: string) => `${(amountInMinor / 100).toFixed(2)} ${currency}`;

/** The kinds, in the order a link is read for them. */
export const CHECKOUT_KINDS: readonly CheckoutKind[] = [
  checkoutKind({
    param: 'payment_id',
    noun: 'payment',
    store: (sim) => sim.payments,
    providerOf: ({ request }) => providerFor(request.payment_method.provider_selection, request.currency),
    page: ({ request }) => ({
      title: 'Authorise your payment',
      heading: `Pay ${money(request.amount_in_minor, request.currency)}`,
      approve: 'Pay',
    }),
  }),
  checkoutKind({
    param: 'mandate_id',
    noun: 'mandate',
    store: (sim) => sim.mandates,
    providerOf: ({ request }) => providerFor(request.mandate.provider_selection, request.currency),
    page: ({ request }) => ({
      title: 'Authorise your mandate',
      heading: `Allow payments of up to ${money(request.constraints.maximum_individual_amount, request.currency)} each`,
      approve: 'Allow',
    }),
  }),
];

/** The parameters of a hosted payment page link. */
export interface CheckoutLink {
  kind: CheckoutKind;
  id: string;
  resourceToken: string;
  returnUri: string;
}

/** A link read: a checkout link, none (no `payment_id` nor `mandate_id`), or one missing a parameter. */
export type ParsedCheckoutLink =
  | { kind: 'link'; link: CheckoutLink }
  | { kind: 'none' }
  | { kind: 'incomplete'; detail: string };

/**
 * Reads a hosted payment page link. The legacy HPP takes its parameters after `#`, the new hosted
 * page after `?` (D:hosted-page); both are read, the query first.
 */
export function parseCheckoutLink(link: URL): ParsedCheckoutLink {
  for (const params of [link.searchParams, new URLSearchParams(link.hash.replace(/^#/, ''))]) {
    for (const kind of CHECKOUT_KINDS) {
      const id = params.get(kind.param);
      if (id === null) continue;
      const resourceToken = params.get('resource_token');
      const returnUri = params.get('return_uri');
      if (id === '' || resourceToken === null || returnUri === null) {
        return {
          kind: 'incomplete',
          detail: `The ${kind.noun} link needs ${kind.param}, resource_token and return_uri.`,
        };
      }
      return { kind: 'link', link: { kind, id, resourceToken, returnUri } };
    }
  }
  return { kind: 'none' };
}

type LinkCheck = { ok: true; checkout: Checkout } | { ok: false; message: string };

/**
 * A link the page may act on: a known payment or mandate, its own resource token, and a return URI
 * registered for its client (exactly; D:authorise-payments-with-the-hpp says it must be allow-listed
 * in Console). Anything else is a dead end: nothing is sent to an unchecked URI.
 */
export function checkLink(sim: SimulatorState, link: CheckoutLink): LinkCheck {
  const { noun } = link.kind;
  const checkout = link.kind.find(sim, link.id);
  if (checkout === undefined || checkout.resourceToken !== link.resourceToken) {
    return { ok: false, message: `The ${noun} link is invalid: unknown ${noun} or wrong resource_token.` };
  }
  const client = sim.clients.get(checkout.clientId);
  if (client === undefined || !sim.clients.allowsRedirect(client, link.returnUri)) {
    return { ok: false, message: 'return_uri is not registered for this application.' };
  }
  return { ok: true, checkout };
}

/**
 * Records the user's decision and returns where the page sends them: the return URI with
 * `payment_id` or `mandate_id` (D:authorise-payments-with-the-hpp), plus `error=tl_hpp_abandoned`
 * when they cancelled (what TrueLayer's WooCommerce plugin and integrators read on a return).
 */
function finish(checkout: Checkout, link: CheckoutLink, decision: PaymentDecision): string {
  checkout.decide(decision);
  return redirectWith(link.returnUri, {
    [link.kind.param]: link.id,
    error: decision.kind === 'cancel' ? 'tl_hpp_abandoned' : undefined,
  });
}

/** The body `POST /_sandbox/authorize` takes, as far as a hosted page link needs it. */
export interface CheckoutAuthorizeBody {
  decision: 'approve' | 'deny';
  user?: string | undefined;
  provider_id?: string | undefined;
}

/** Why the approval hook refuses a hosted page link (400 Invalid Parameters), or where the browser goes. */
export type CheckoutAuthorizeResult =
  | { ok: true; redirectTo: string }
  | { ok: false; detail: string; errors?: Record<string, string[]> };

/**
 * The approval hook for a hosted payment page link, a payment's or a mandate's (DESIGN.md "One
 * approval hook for every link"): `user` is one of the mock bank's payment users, `deny` is the
 * user pressing Cancel. The page's form goes through here too.
 */
export function authorizeCheckoutLink(
  sim: SimulatorState,
  link: CheckoutLink,
  body: CheckoutAuthorizeBody,
): CheckoutAuthorizeResult {
  const check = checkLink(sim, link);
  if (!check.ok) return { ok: false, detail: check.message };
  const { checkout } = check;
  const { noun } = link.kind;
  if (!checkout.awaitsDecision()) return { ok: false, detail: `This ${noun} link has already been used.` };
  if (body.provider_id !== undefined && body.provider_id !== checkout.providerId) {
    return {
      ok: false,
      detail: `provider_id is not offered for this ${noun}.`,
      errors: { provider_id: ['Not offered'] },
    };
  }
  if (body.decision === 'deny') {
    return { ok: true, redirectTo: finish(checkout, link, { kind: 'cancel' }) };
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
  return { ok: true, redirectTo: finish(checkout, link, { kind: 'approve', user: body.user }) };
}
