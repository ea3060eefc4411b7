import { type AuthRequest, redirectWith } from './auth-request.ts';
import type { SimulatorState } from './context.ts';
import type { SandboxUser } from './users.ts';

/** The end of a dialog: the user said no, or logged in at a bank. */
export type AuthDecision = { kind: 'deny' } | { kind: 'approve'; user: SandboxUser; providerId: string };

/**
 * Spends the link and returns where the browser goes next: the redirect_uri with a code and
 * state, or with `error=access_denied` and state (on Deny, or when the bank rejects the login).
 */
export function completeAuthorization(
  sim: SimulatorState,
  request: AuthRequest,
  decision: AuthDecision,
): string {
  sim.dialogs.markUsed(request.linkKey);
  if (decision.kind === 'deny') {
    return redirectWith(request.redirectUri, {
      error: 'access_denied',
      error_description: 'The user denied access',
      state: request.state,
    });
  }
  if (decision.user.login_fails === true) {
    return redirectWith(request.redirectUri, {
      error: 'access_denied',
      error_description: 'The bank rejected the login credentials',
      state: request.state,
    });
  }
  const code = sim.grants.issueCode({
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    username: decision.user.username,
    providerId: decision.providerId,
    scopes: request.scopes,
    ...(request.codeChallenge === undefined ? {} : { codeChallenge: request.codeChallenge }),
  });
  return redirectWith(request.redirectUri, { code, state: request.state });
}
