import { type DetailType, SCHEMA_VERSION } from '../contract/onboarding-events.ts';
import { stableEventId } from './event-id.ts';

/**
 * The fields every detail starts with. The id depends only on the journey and
 * the kind of event, so a retried step republishes the same id.
 */
export function envelopeFor(
  onboarding: { onboarding_id: string; reference?: string | undefined },
  detailType: DetailType,
  occurredAt: Date,
) {
  return {
    schema_version: SCHEMA_VERSION,
    event_id: stableEventId(onboarding.onboarding_id, detailType),
    onboarding_id: onboarding.onboarding_id,
    ...(onboarding.reference === undefined ? {} : { reference: onboarding.reference }),
    occurred_at: occurredAt.toISOString(),
  };
}
