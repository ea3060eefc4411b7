import { z } from 'zod';
import { checkAuthLink, errorRedirect } from './auth-request.ts';
import { completeAuthorization } from './authorization.ts';
import type { RequestContext } from './context.ts';
import { decideIdentification, parseIdentificationLink } from './finland/index.ts';
import { jsonResponse, type SimResponse } from './http-io.ts';
import { authorizeCheckoutLink, parseCheckoutLink } from './payments/index.ts';
import type { RouteDefinition } from './router.ts';
import { invalidParameters, readSandboxBody } from './sandbox-request.ts';

const AuthorizeBodySchema = z.strictObject({
  auth_link: z.string().min(1),
  decision: z.enum(['approve', 'deny']),
  /** Sandbox username; required to approve. */
  user: z.string().min(1).optional(),
  /** Bank to pick when the link offers several; defaults to the link's preselected or first bank. */
  provider_id: z.string().min(1).optional(),
});

/** What `POST /_sandbox/authorize` was asked besides the link, as a {@link AuthLinkDecider} gets it. */
export interface AuthLinkRequest {
  decision: 'approve' | 'deny';
  /** Sandbox username; the decider says whether it needs one. */
  user?: string | undefined;
  provider_id?: string | undefined;
}

/**
 * Decides, for `POST /_sandbox/authorize`, the links a module plugged in beside its extra routes
 * hands out (the Data API v3 connection links, `data-v3/`): for a link it recognises, the whole
 * answer, a refusal included (`200 { redirect_to }` or a 400 problem naming `auth_link`); for any
 * other link `undefined`, which leaves it to the next decider and then to the Signup+ dialog.
 */
export type AuthLinkDecider = (
  ctx: RequestContext,
  link: URL,
  request: AuthLinkRequest,
) => SimResponse | undefined;

/**
 * `POST /_sandbox/authorize`: walks the dialog without a browser and returns where the browser
 * would be sent. Same checks as the dialog; the link is spent the same way. A link neither the
 * identification page nor the hosted payment page takes is offered to `deciders` in order (the
 * simulator's `extraLinkDeciders`); one none of them recognises is a Signup+ auth link.
 */
export const authorizeRoute = (deciders: readonly AuthLinkDecider[] = []): RouteDefinition => ({
  method: 'POST',
  path: '/_sandbox/authorize',
  name: 'authorize',
  faultable: false,
  async handle(ctx) {
    const invalid = (detail: string, errors?: Record<string, string[]>) =>
      invalidParameters(ctx, detail, errors);
    const read = await readSandboxBody(ctx, AuthorizeBodySchema);
    if ('problem' in read) return read.problem;
    const { body } = read;
    if (!URL.canParse(body.auth_link)) return invalid('auth_link is not an absolute URL.');

    // A Finnish identification link (Signup+ in Finland's auth_uri) is decided as its page would be;
    // `user` and `provider_id` play no part there.
    const identification = parseIdentificationLink(new URL(body.auth_link));
    if (identification.kind === 'incomplete') return invalid(identification.detail);
    if (identification.kind === 'link') {
      const decided = decideIdentification(ctx.sim, identification.link, body.decision);
      return decided.ok ? jsonResponse(200, { redirect_to: decided.redirectTo }) : invalid(decided.detail);
    }

    // A hosted payment page link (payment_id or mandate_id, resource_token, return_uri) is approved
    // as its page would be: `user` is a mock payment user, deny is the user cancelling.
    const checkoutLink = parseCheckoutLink(new URL(body.auth_link));
    if (checkoutLink.kind === 'incomplete') return invalid(checkoutLink.detail);
    if (checkoutLink.kind === 'link') {
      const decided = authorizeCheckoutLink(ctx.sim, checkoutLink.link, body);
      return decided.ok
        ? jsonResponse(200, { redirect_to: decided.redirectTo })
        : invalid(decided.detail, decided.errors);
    }

    for (const decide of deciders) {
      const decided = decide(ctx, new URL(body.auth_link), body);
      if (decided !== undefined) return decided;
    }

    const check = checkAuthLink(new URL(body.auth_link).searchParams, ctx.sim.clients);
    if (!check.ok) {
      if (check.kind === 'fatal') return invalid(check.message);
      // The dialog would redirect with this error, so that is what the caller gets.
      return jsonResponse(200, { redirect_to: errorRedirect(check) });
    }
    const { request } = check;
    if (ctx.sim.dialogs.isUsed(request.linkKey)) return invalid('This auth link has already been used.');

    if (body.decision === 'deny') {
      return jsonResponse(200, { redirect_to: completeAuthorization(ctx.sim, request, { kind: 'deny' }) });
    }
    if (body.user === undefined) return invalid('user is required to approve.', { user: ['Required'] });
    const user = ctx.sim.findUser(body.user);
    if (user === undefined)
      return invalid(`Unknown sandbox user "${body.user}".`, { user: ['Unknown user'] });
    // Without a bank named, the user's own bank when the link offers it (john at Monzo, ivy at
    // Barclays), as their accounts say; else the link's preselected or first bank.
    const ownBank = user.accounts[0]?.provider_id;
    const offered = (id: string | undefined): id is string =>
      id !== undefined && request.providers.some((p) => p.id === id);
    const providerId =
      body.provider_id ??
      request.preselectedProviderId ??
      (offered(ownBank) ? ownBank : undefined) ??
      request.providers[0]?.id;
    const fixed = request.preselectedProviderId;
    // Like the dialog: a link that fixes the bank offers no other.
    if (!offered(providerId) || (fixed !== undefined && fixed !== providerId)) {
      return invalid('provider_id is not offered by the auth link.', { provider_id: ['Not offered'] });
    }
    return jsonResponse(200, {
      redirect_to: completeAuthorization(ctx.sim, request, { kind: 'approve', user, providerId }),
    });
  },
});
