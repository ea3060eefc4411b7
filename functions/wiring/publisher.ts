import { z } from 'zod';
import { eventBridgeClient } from '../commons/clients/eventbridge.ts';
import { readEnv } from '../commons/env.ts';
import { eventPublisher } from '../events/publisher.ts';

const { EVENT_BUS_NAME } = readEnv(z.object({ EVENT_BUS_NAME: z.string().min(1) }));

/** Publishes onto the product's bus. */
export const publish = eventPublisher(eventBridgeClient, EVENT_BUS_NAME);
