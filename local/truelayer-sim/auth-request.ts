import type { ClientRegistry } from './clients.ts';
import { expandProviders, type Provider } from './providers.ts';
import { AUTH_LINK_SCOPES, splitSpaceList } from './scopes.ts';

/** A validated auth link. */
export interface AuthRequest {
  clientId: string;
  /** What the consent page calls the application. */
  clientName: string;
  redirectUri: string;
  state: string;
  scopes: string[];
  /** Banks offered, in link order. */
  providers: Provider[];
  /** Set when the link preselects a bank (`provider_id`) or offers exactly one. */
  preselectedProviderId?: string;
  codeChallenge?: string;
  /** Identifies "the same link" for the single-use rule: client, redirect and state. */
  linkKey: string;
}

/** OAuth error codes the dialog may send back to the client (RFC 6749 §4.1.2.1). */
export type AuthErrorCode =
  | 'invalid_request'
  | 'invalid_scope'
  | 'unsupported_response_type'
  | 'access_denied';

/** Outcome of validating an auth link. */
export type AuthLinkCheck =
  | { ok: true; request: AuthRequest }
  /** The client or redirect_uri cannot be trusted: show an error page, never redirect. */
  | { ok: false; kind: 'fatal'; message: string }
  /** The redirect_uri is trusted: send the error back to it. */
  | {
      ok: false;
      kind: 'redirect';
      redirectUri: string;
      state?: string;
      error: AuthErrorCode;
      description: string;
    };

/** Builds `redirectUri` plus query parameters, keeping any query the URI already has. */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.toString();
}

/** The redirect URL for an error check result. */
export function errorRedirect(check: Extract<AuthLinkCheck, { kind: 'redirect' }>): string {
  return redirectWith(check.redirectUri, {
    error: check.error,
    error_description: check.description,
    state: check.state,
  });
}

/** Reads a parameter that must appear at most once (RFC 6749 §3.1); `null` marks a repeat. */
function single(query: URLSearchParams, name: string): string | undefined | null {
  const values = query.getAll(name);
  if (values.length > 1) return null;
  return values[0];
}

/**
 * Validates the query of an auth link as the dialog receives it. Client and redirect_uri come
 * first: until both are trusted nothing may be sent to the redirect_uri (RFC 6749 §4.1.2.1).
 */
export function checkAuthLink(query: URLSearchParams, clients: ClientRegistry): AuthLinkCheck {
  const clientId = single(query, 'client_id');
  if (clientId === null) return fatal('client_id is given more than once.');
  if (clientId === undefined || clientId === '') return fatal('The link has no client_id.');
  const client = clients.get(clientId);
  if (client === undefined) return fatal(`No application is registered with client_id "${clientId}".`);

  const redirectUri = single(query, 'redirect_uri');
  if (redirectUri === null) return fatal('redirect_uri is given more than once.');
  if (redirectUri === undefined || redirectUri === '') return fatal('The link has no redirect_uri.');
  if (!clients.allowsRedirect(client, redirectUri)) {
    return fatal('The redirect_uri is not registered for this application.');
  }

  const state = single(query, 'state');
  const fail = (error: AuthErrorCode, description: string): AuthLinkCheck => ({
    ok: false,
    kind: 'redirect',
    redirectUri,
    ...(typeof state === 'string' ? { state } : {}),
    error,
    description,
  });

  if (state === null) return fail('invalid_request', 'state is given more than once');
  // state is required here: it is the client's CSRF defence and keys the single-use rule.
  if (state === undefined || state === '') return fail('invalid_request', 'state is required');

  const responseType = single(query, 'response_type');
  if (responseType === null) return fail('invalid_request', 'response_type is given more than once');
  if (responseType === undefined) return fail('invalid_request', 'response_type is required');
  if (responseType !== 'code')
    return fail('unsupported_response_type', 'only response_type=code is supported');

  const responseMode = single(query, 'response_mode');
  if (responseMode === null) return fail('invalid_request', 'response_mode is given more than once');
  if (responseMode !== undefined && responseMode !== 'query') {
    return fail('invalid_request', 'only response_mode=query is supported');
  }

  const scope = single(query, 'scope');
  if (scope === null) return fail('invalid_request', 'scope is given more than once');
  const scopes = splitSpaceList(scope ?? '');
  if (scopes.length === 0) return fail('invalid_request', 'scope is required');
  const unknownScopes = scopes.filter((s) => !AUTH_LINK_SCOPES.has(s));
  if (unknownScopes.length > 0) return fail('invalid_scope', `unknown scope: ${unknownScopes.join(' ')}`);

  const providersParam = single(query, 'providers');
  if (providersParam === null) return fail('invalid_request', 'providers is given more than once');
  const expansion = expandProviders(splitSpaceList(providersParam ?? ''));
  if (!expansion.ok) return fail('invalid_request', `unknown providers: ${expansion.unknown.join(' ')}`);
  if (expansion.providers.length === 0) return fail('invalid_request', 'providers is required');

  const providerId = single(query, 'provider_id');
  if (providerId === null) return fail('invalid_request', 'provider_id is given more than once');
  if (providerId !== undefined && !expansion.providers.some((p) => p.id === providerId)) {
    return fail('invalid_request', `provider_id ${providerId} is not covered by providers`);
  }

  const codeChallenge = single(query, 'code_challenge');
  const challengeMethod = single(query, 'code_challenge_method');
  if (codeChallenge === null || challengeMethod === null) {
    return fail('invalid_request', 'code_challenge parameters are given more than once');
  }
  if (codeChallenge !== undefined) {
    // Only S256: "plain" adds no protection against a leaked link (RFC 9700 §2.1.1).
    if (challengeMethod !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
      return fail('invalid_request', 'code_challenge must be a base64url SHA-256 digest');
    }
  } else if (challengeMethod !== undefined) {
    return fail('invalid_request', 'code_challenge_method without code_challenge');
  }

  const preselected =
    providerId ?? (expansion.providers.length === 1 ? expansion.providers[0]?.id : undefined);
  const request: AuthRequest = {
    clientId,
    clientName: client.name ?? clientId,
    redirectUri,
    state,
    scopes,
    providers: expansion.providers,
    linkKey: JSON.stringify([clientId, redirectUri, state]),
  };
  if (preselected !== undefined) request.preselectedProviderId = preselected;
  if (codeChallenge !== undefined) request.codeChallenge = codeChallenge;
  return { ok: true, request };
}

function fatal(message: string): AuthLinkCheck {
  return { ok: false, kind: 'fatal', message };
}
