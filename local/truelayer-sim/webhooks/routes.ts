import { jsonResponse } from '../http-io.ts';
import type { RouteDefinition } from '../router.ts';
import { readSandboxBody } from '../sandbox-request.ts';
import { WebhookFaultsSchema } from './faults.ts';
import { JWKS_PATH, type WebhookSigner } from './signer.ts';

const FAULTS_PATH = '/_sandbox/webhooks/faults';

/** `GET /.well-known/jwks` on the webhooks host: the key the webhooks are signed with (faultable as `webhooks_jwks`). */
export function jwksRoute(signer: WebhookSigner): RouteDefinition {
  return {
    method: 'GET',
    path: JWKS_PATH,
    name: 'webhooks_jwks',
    handle: () => jsonResponse(200, signer.jwks()),
  };
}

const faultsBody = (faults: unknown) => ({ faults: faults ?? {} });

/**
 * `/_sandbox/webhooks/faults` (GET the faults in force, PUT a WebhookFaults object, DELETE to clear)
 * and `GET /_sandbox/webhooks/deliveries`, on the auth and API hosts like the other controls.
 */
export const webhookSandboxRoutes: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: FAULTS_PATH,
    name: 'webhook_faults',
    faultable: false,
    handle: (ctx) => jsonResponse(200, faultsBody(ctx.sim.webhooks.currentFaults())),
  },
  {
    method: 'PUT',
    path: FAULTS_PATH,
    name: 'webhook_faults',
    faultable: false,
    async handle(ctx) {
      const read = await readSandboxBody(ctx, WebhookFaultsSchema);
      if ('problem' in read) return read.problem;
      ctx.sim.webhooks.setFaults(read.body);
      return jsonResponse(200, faultsBody(ctx.sim.webhooks.currentFaults()));
    },
  },
  {
    method: 'DELETE',
    path: FAULTS_PATH,
    name: 'webhook_faults',
    faultable: false,
    handle(ctx) {
      ctx.sim.webhooks.clearFaults();
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/_sandbox/webhooks/deliveries',
    name: 'webhook_deliveries',
    faultable: false,
    handle: (ctx) => jsonResponse(200, { deliveries: ctx.sim.webhooks.deliveries() }),
  },
];
