export {
  DEFAULT_WEBHOOK_TIMINGS,
  type WebhookController,
  type WebhookDelivery,
  WebhookDispatcher,
  type WebhookTimings,
} from './dispatcher.ts';
export type { WebhookType } from './events.ts';
export { type WebhookFaults, WebhookFaultsSchema } from './faults.ts';
export { jwksRoute, webhookSandboxRoutes } from './routes.ts';
export { JWKS_PATH, type WebhookJwk, WebhookSigner } from './signer.ts';
