import type { OnboardingDetailType } from '../events/onboarding-contracts.ts';
import type { PublishEvent } from '../events/publisher.ts';
import type { OnboardingRepository } from './repository.ts';

/** What most onboarding use cases need; handlers build it once at module scope. */
export interface OnboardingDependencies {
  repository: OnboardingRepository;
  publish: PublishEvent<OnboardingDetailType>;
  now: () => Date;
}

export const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
