import type { OnboardingDetailType } from '../contract/onboarding-events.ts';
import type { AnnouncedEvent } from '../events/publisher.ts';
import type { OnboardingRepository } from './repository.ts';

/** What most onboarding use cases need; handlers build it once at module scope. */
export interface OnboardingDependencies {
  repository: OnboardingRepository;
  /** Publishes an event a record announced (its outbox); the detail is checked against its contract. */
  publish: (event: AnnouncedEvent<OnboardingDetailType>) => Promise<void>;
  now: () => Date;
}

export const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
