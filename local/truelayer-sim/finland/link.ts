import { redirectWith } from '../auth-request.ts';
import type { SandboxClient } from '../clients.ts';
import type { SimulatorState } from '../context.ts';
import type { Identification } from './store.ts';

/**
 * Where the identification page lives on the auth host. TrueLayer's `auth_uri` leads to its own
 * Finnish identification screens, whose address it does not document; this path is the simulator's.
 */
export const IDENTIFY_PATH = '/signup-plus/fi/identify';

/** The `auth_uri` of an identification session: the page, naming the session by id and uuid. */
export function identificationLink(authUrl: string, session: Identification): string {
  const url = new URL(`${authUrl}${IDENTIFY_PATH}`);
  url.searchParams.set('id', session.id);
  url.searchParams.set('uuid', session.uuid);
  return url.toString();
}

/** The two halves a link (or the page's form) names a session by. */
export interface IdentificationLink {
  id: string;
  uuid: string;
}

/** A link read: an identification link, none (another path), or one missing a half. */
export type ParsedIdentificationLink =
  | { kind: 'link'; link: IdentificationLink }
  | { kind: 'none' }
  | { kind: 'incomplete'; detail: string };

/** Reads the session an identification page's address (or form fields) names. */
export function identificationParams(params: URLSearchParams): ParsedIdentificationLink {
  const id = params.get('id');
  const uuid = params.get('uuid');
  if (id === null || id === '' || uuid === null || uuid === '') {
    return { kind: 'incomplete', detail: 'The identification link needs id and uuid.' };
  }
  return { kind: 'link', link: { id, uuid } };
}

/** Reads an `auth_uri`: an identification link when its path is the page's. */
export function parseIdentificationLink(url: URL): ParsedIdentificationLink {
  return url.pathname === IDENTIFY_PATH ? identificationParams(url.searchParams) : { kind: 'none' };
}

/** Why a session cannot be acted on: unknown (or wrong uuid), already approved or cancelled, or expired. */
export type IdentificationRefusal = 'invalid' | 'used' | 'expired';

export type IdentificationCheck =
  | { ok: true; session: Identification; client: SandboxClient; redirectUri: string }
  | { ok: false; refusal: IdentificationRefusal; detail: string };

const REFUSALS: Record<IdentificationRefusal, string> = {
  invalid: 'The identification link is invalid: unknown id or wrong uuid.',
  used: 'This identification link has already been used.',
  expired: 'This identification link has expired.',
};

/** The open session a link names, with where its user goes back to; or why it is a dead end. */
export function checkIdentification(sim: SimulatorState, link: IdentificationLink): IdentificationCheck {
  const refuse = (refusal: IdentificationRefusal): IdentificationCheck => ({
    ok: false,
    refusal,
    detail: REFUSALS[refusal],
  });
  const session = sim.identifications.find(link.id, link.uuid);
  const client = session === undefined ? undefined : sim.clients.get(session.clientId);
  // A session is only opened for a client with an allow-listed Finnish redirect URI.
  const redirectUri = client?.signup_plus_fi_redirect_uri;
  if (session === undefined || client === undefined || redirectUri === undefined) return refuse('invalid');
  const status = sim.identifications.statusOf(session);
  if (status === 'expired') return refuse('expired');
  if (status !== 'open') return refuse('used');
  return { ok: true, session, client, redirectUri };
}

/** Why the approval hook refuses an identification link (400), or where the browser goes. */
export type IdentificationDecision =
  | { ok: true; redirectTo: string }
  | { ok: false; refusal: IdentificationRefusal; detail: string };

/**
 * The user's decision at their bank, for the page's form and the approval hook alike: approve →
 * the Finnish redirect URI with `state` (when the client gave one) and a fresh
 * `authorization_reference` (unless switch `identification_return_reference` is `absent`); deny →
 * `error=access_denied` and `state`. The session is spent either way.
 */
export function decideIdentification(
  sim: SimulatorState,
  link: IdentificationLink,
  decision: 'approve' | 'deny',
): IdentificationDecision {
  const check = checkIdentification(sim, link);
  if (!check.ok) return check;
  const { session, redirectUri } = check;
  const outcome = sim.identifications.decide(session, decision);
  if (outcome.kind === 'denied') {
    return {
      ok: true,
      redirectTo: redirectWith(redirectUri, { error: 'access_denied', state: session.state }),
    };
  }
  const withReference = sim.switches.current.identification_return_reference === 'query';
  return {
    ok: true,
    redirectTo: redirectWith(redirectUri, {
      state: session.state,
      authorization_reference: withReference ? outcome.reference : undefined,
    }),
  };
}
