import { randomUUID } from 'node:crypto';
import { addDays, addSeconds } from '../commons/time.ts';
import type {
  CreateOnboardingRequest,
  MandateRequest,
  PaymentRequest,
} from '../contract/onboarding-requests.ts';
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

/** A payment or mandate created at TrueLayer for a new onboarding, and the hosted page link the user goes to. */
export interface StartedResource {
  id: string;
  link: string;
}

/**
 * Creates the payment flow's payment or the mandate flow's mandate (Payments
 * v3, signed, with Signup+); the onboarding id is its idempotency key, so a
 * retry answers the same one.
 */
export type StartPayment = (onboardingId: string, payment: PaymentRequest) => Promise<StartedResource>;
export type StartMandate = (onboardingId: string, mandate: MandateRequest) => Promise<StartedResource>;

export interface CreateOnboardingDependencies {
  repository: RepositoryPort<'create'>;
  settings: CreateOnboardingSettings;
  now: () => Date;
  startPayment: StartPayment;
  startMandate: StartMandate;
}

/**
 * The key the return route finds a payment's or a mandate's onboarding by,
 * kept where the data flow keeps its states: the id is what the user comes
 * back with. The prefix keeps it apart from every state's key (a digest never
 * holds a colon), so no callback can ever spend it as a state, and a payment
 * id apart from a mandate id.
 */
export const resourceKey = (kind: 'payment' | 'mandate' | 'connection', id: string) =>
  `${kind}:${sha256(id)}`;

/**
 * Starts a journey. The data flow: a fresh onboarding record, a single-use,
 * expiring state bound to it, a PKCE verifier kept with the journey's
 * secrets, and the auth link that carries the state and the verifier's
 * challenge to TrueLayer. The payment and mandate flows: the payment or the
 * mandate, and a link to TrueLayer's hosted page instead (docs/flows.md).
 */
export async function createOnboarding(
  request: CreateOnboardingRequest,
  deps: CreateOnboardingDependencies,
): Promise<CreatedOnboarding> {
  const now = deps.now();
  const onboardingId = randomUUID();
  const expiresAt = addSeconds(now, deps.settings.authLinkTtlSeconds);
  const base: Onboarding = {
    onboarding_id: onboardingId,
    status: 'awaiting_authorization',
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    auth_link_expires_at: expiresAt.toISOString(),
    timeline: [{ at: now.toISOString(), step: 'onboarding_created' }],
    ...(request.reference === undefined ? {} : { reference: request.reference }),
  };
  const retentionUntil = addDays(now, deps.settings.retentionDays);
  if (request.flow === 'payment' && request.payment !== undefined) {
    const { payment } = request;
    const started = await deps.startPayment(onboardingId, payment);
    const onboarding: Onboarding = {
      ...base,
      flow: 'payment',
      payment: {
        payment_id: started.id,
        amount_in_minor: payment.amount_in_minor,
        currency: payment.currency,
      },
    };
    return createHostedOnboarding(onboarding, { kind: 'payment', started }, retentionUntil, deps);
  }
  if (request.flow === 'mandate' && request.mandate !== undefined) {
    const { mandate } = request;
    const started = await deps.startMandate(onboardingId, mandate);
    const onboarding: Onboarding = {
      ...base,
      flow: 'mandate',
      mandate: {
        mandate_id: started.id,
        currency: mandate.currency,
        maximum_individual_amount_in_minor: mandate.constraints.maximum_individual_amount_in_minor,
      },
    };
    return createHostedOnboarding(onboarding, { kind: 'mandate', started }, retentionUntil, deps);
  }

  const state = newStateToken();
  const pkce = newPkcePair();
  await deps.repository.create(base, sha256(state), { code_verifier: pkce.verifier }, retentionUntil);
  recordJourneyStarted(base);
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
    flow: 'data',
    status: base.status,
    auth_link: authLink,
    auth_link_expires_at: base.auth_link_expires_at,
  };
}

/**
 * The payment and mandate flows: the payment or mandate is created at
 * TrueLayer first, then the record, keyed for the return route by its id. If
 * the record cannot be written, the caller gets an error and the resource is
 * never shown to anyone (its link is only in this answer), so nothing is left
 * to strand.
 */
async function createHostedOnboarding(
  onboarding: Onboarding,
  resource: { kind: 'payment' | 'mandate'; started: StartedResource },
  retentionUntil: Date,
  deps: CreateOnboardingDependencies,
): Promise<CreatedOnboarding> {
  const { kind, started } = resource;
  await deps.repository.create(onboarding, resourceKey(kind, started.id), {}, retentionUntil);
  recordJourneyStarted(onboarding);
  return {
    onboarding_id: onboarding.onboarding_id,
    flow: kind,
    status: onboarding.status,
    auth_link: started.link,
    auth_link_expires_at: onboarding.auth_link_expires_at,
    ...(kind === 'payment' ? { payment_id: started.id } : { mandate_id: started.id }),
  };
}
