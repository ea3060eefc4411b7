import { randomUUID } from 'node:crypto';
import { addDays, addSeconds } from '../commons/time.ts';
import type { CreateOnboardingRequest } from '../contract/onboarding-requests.ts';
import type { CreatedOnboarding } from '../contract/responses.ts';
import { buildAuthLink } from '../truelayer/auth-link.ts';
import type { RepositoryPort } from './deps.ts';
import { recordJourneyStarted } from './journey-metrics.ts';
import type { Onboarding } from './model.ts';
import { newPkcePair, newStateToken, sha256 } from './state-token.ts';

export interface CreateOnboardingSettings {
  authBaseUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  providers: readonly string[];
  authLinkTtlSeconds: number;
  retentionDays: number;
}

export interface CreateOnboardingDependencies {
  repository: RepositoryPort<'create'>;
  settings: CreateOnboardingSettings;
  now: () => Date;
}

/**
 * Starts a journey: a fresh onboarding record, a single-use, expiring state
 * bound to it, a PKCE verifier kept with the journey's secrets, and the auth
 * link that carries the state and the verifier's challenge to TrueLayer.
 */
export async function createOnboarding(
  request: CreateOnboardingRequest,
  deps: CreateOnboardingDependencies,
): Promise<CreatedOnboarding> {
  const now = deps.now();
  const onboardingId = randomUUID();
  const state = newStateToken();
  const pkce = newPkcePair();
  const expiresAt = addSeconds(now, deps.settings.authLinkTtlSeconds);
  const onboarding: Onboarding = {
    onboarding_id: onboardingId,
    status: 'awaiting_authorization',
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    auth_link_expires_at: expiresAt.toISOString(),
    timeline: [{ at: now.toISOString(), step: 'onboarding_created' }],
    ...(request.reference === undefined ? {} : { reference: request.reference }),
  };
  await deps.repository.create(
    onboarding,
    sha256(state),
    { code_verifier: pkce.verifier },
    addDays(now, deps.settings.retentionDays),
  );
  recordJourneyStarted(onboarding);
  const authLink = buildAuthLink({
    authBaseUrl: deps.settings.authBaseUrl,
    clientId: deps.settings.clientId,
    redirectUri: deps.settings.redirectUri,
    scopes: deps.settings.scopes,
    providers: request.providers ?? deps.settings.providers,
    state,
    codeChallenge: pkce.challenge,
    ...(request.provider_id === undefined ? {} : { providerId: request.provider_id }),
  });
  return {
    onboarding_id: onboardingId,
    status: onboarding.status,
    auth_link: authLink,
    auth_link_expires_at: onboarding.auth_link_expires_at,
  };
}
