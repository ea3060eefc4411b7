import type { OnboardingDetailType } from '../contract/onboarding-events.ts';
import type { AnnouncedEvent } from '../events/publisher.ts';
import type { OnboardingRepository } from './repository.ts';

/*
 * The onboarding use cases' ports. Each use case names the few repository
 * methods it calls (a Pick of the repository, which implements them all);
 * functions/wiring/ binds the real adapters and the unit tests bind
 * in-memory fakes with the same shape.
 */

/** A slice of the onboarding tables: the methods one use case calls, and no others. */
export type RepositoryPort<M extends keyof OnboardingRepository> = Pick<OnboardingRepository, M>;

/** Publishes an event a record announced (its outbox); the detail is checked against its contract. */
export type PublishAnnounced = (event: AnnouncedEvent<OnboardingDetailType>) => Promise<void>;

/** What a use case that commits changes needs: its slice of the tables, the publisher and a clock. */
export interface OnboardingDependencies<M extends keyof OnboardingRepository> {
  repository: RepositoryPort<M>;
  publish: PublishAnnounced;
  now: () => Date;
}

/** Settling a committed change: the secrets of an ended journey go, the outbox is published and confirmed. */
export type SettleMethods = 'deleteSecrets' | 'confirmOutbox';
export type SettleDependencies = OnboardingDependencies<SettleMethods>;

/** Ending a journey: the commit, a read of the end recorded first when it loses, then settling. */
export type EndJourneyMethods = SettleMethods | 'transition' | 'get';
export type EndJourneyDependencies = OnboardingDependencies<EndJourneyMethods>;
