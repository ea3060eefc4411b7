import { eventBridgeClient } from '../commons/clients/eventbridge.ts';
import { onboardingDetailSchemas } from '../contract/onboarding-events.ts';
import { announcedEventPublisher } from '../events/publisher.ts';
import { EVENT_BUS_NAME } from './event-bus.ts';

/**
 * Publishes the events onboarding records announce onto the product's bus.
 * Validates against the onboarding contracts only, so an onboarding function's
 * bundle carries none of the Data v3 schemas (a smaller, faster cold start).
 */
export const publish = announcedEventPublisher(eventBridgeClient, EVENT_BUS_NAME, onboardingDetailSchemas);
