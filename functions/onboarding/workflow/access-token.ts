import { JourneySecretMissingError } from '../errors.ts';
import type { OnboardingRepository } from '../repository.ts';

/** The journey's access token, read from its server-side secrets item. */
export async function journeyAccessToken(
  repository: OnboardingRepository,
  onboardingId: string,
): Promise<string> {
  const token = (await repository.findSecrets(onboardingId))?.access_token;
  if (!token) throw new JourneySecretMissingError('No access token is stored for this onboarding.');
  return token;
}
