import type { AccessToken } from '../../truelayer/token-client.ts';
import { addSeconds, type OnboardingDependencies } from '../deps.ts';
import { JourneySecretMissingError } from '../errors.ts';

export interface ExchangeCodeDependencies extends Omit<OnboardingDependencies, 'publish'> {
  exchangeCode: (code: string) => Promise<AccessToken>;
}

/**
 * Swaps the stored single-use code for an access token and keeps the token
 * server-side in place of the code. A retry after a successful exchange finds
 * the token and does nothing.
 */
export async function exchangeCode(onboardingId: string, deps: ExchangeCodeDependencies): Promise<void> {
  const secrets = await deps.repository.findSecrets(onboardingId);
  if (secrets?.access_token) return;
  if (!secrets?.authorization_code) {
    throw new JourneySecretMissingError('No authorization code is stored for this onboarding.');
  }
  const token = await deps.exchangeCode(secrets.authorization_code);
  const now = deps.now();
  await deps.repository.storeAccessToken(
    onboardingId,
    token.accessToken,
    addSeconds(now, token.expiresInSeconds),
  );
  await deps.repository.transition(onboardingId, {
    from: ['authorized'],
    timeline: { at: now.toISOString(), step: 'code_exchanged' },
  });
}
