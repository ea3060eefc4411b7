import type { DetailOf } from '../contract/events.ts';
import { type OnboardingDetailType, onboardingDetailSchemas } from '../contract/onboarding-events.ts';
import { envelopeFor } from '../events/envelope.ts';
import type { Onboarding, OutboxEvent } from './model.ts';

/**
 * The event a change announces, built and checked against its contract
 * before it is committed with the change: an event that would be refused at
 * publication is refused here, while nothing is written yet.
 */
export function announcement<T extends OnboardingDetailType>(
  onboarding: Pick<Onboarding, 'onboarding_id' | 'reference'>,
  detailType: T,
  fields: Omit<DetailOf<T>, keyof ReturnType<typeof envelopeFor>>,
  now: Date,
): OutboxEvent {
  const envelope = envelopeFor(onboarding, detailType, now);
  const detail = onboardingDetailSchemas[detailType].parse({ ...fields, ...envelope });
  return { event_id: envelope.event_id, detail_type: detailType, detail };
}
