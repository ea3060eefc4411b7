import { eventBridgeClient } from '../commons/clients/eventbridge.ts';
import { detailSchemas } from '../contract/events.ts';
import { eventPublisher } from '../events/publisher.ts';
import { EVENT_BUS_NAME } from './event-bus.ts';

/** Publishes any of the product's events onto its bus (onboarding functions use onboarding-publisher.ts). */
export const publish = eventPublisher(eventBridgeClient, EVENT_BUS_NAME, detailSchemas);
