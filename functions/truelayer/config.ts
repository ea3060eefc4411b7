import * as z from 'zod/mini';
import { positiveIntFromEnv, readEnv } from '../commons/env.ts';

/** TrueLayer's two environments. One setting picks the hosts for every call. */
export const TRUELAYER_HOSTS = {
  sandbox: {
    auth: 'https://auth.truelayer-sandbox.com',
    api: 'https://api.truelayer-sandbox.com',
    // The hosted payment page (the base TrueLayer's own SDKs build payment links on).
    hpp: 'https://checkout.truelayer-sandbox.com',
    // Where webhooks' signing keys are published (the JWKS a signature's `jku` must name).
    webhooks: 'https://webhooks.truelayer-sandbox.com',
  },
  live: {
    auth: 'https://auth.truelayer.com',
    api: 'https://api.truelayer.com',
    hpp: 'https://checkout.truelayer.com',
    webhooks: 'https://webhooks.truelayer.com',
  },
} as const;

const hostsSchema = z.object({
  TRUELAYER_ENVIRONMENT: z._default(z.enum(['sandbox', 'live']), 'sandbox'),
  // Explicit base URLs win over the environment's hosts. The local runtime sets
  // them to its simulator; integrators may point them at a proxy.
  TRUELAYER_AUTH_BASE_URL: z.optional(z.url()),
  TRUELAYER_API_BASE_URL: z.optional(z.url()),
  TRUELAYER_HPP_BASE_URL: z.optional(z.url()),
  TRUELAYER_WEBHOOKS_BASE_URL: z.optional(z.url()),
  TRUELAYER_HTTP_TIMEOUT_MS: positiveIntFromEnv(5_000),
});

export interface TrueLayerEndpoints {
  environment: 'sandbox' | 'live';
  authBaseUrl: string;
  apiBaseUrl: string;
  /** Where payment links point: TrueLayer's hosted payment page. */
  hppBaseUrl: string;
  /** The key set TrueLayer signs webhooks with: the only `jku` a webhook may name. */
  webhooksJwksUrl: string;
  timeoutMs: number;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function readTrueLayerEndpoints(env: NodeJS.ProcessEnv = process.env): TrueLayerEndpoints {
  const config = readEnv(hostsSchema, env);
  const hosts = TRUELAYER_HOSTS[config.TRUELAYER_ENVIRONMENT];
  return {
    environment: config.TRUELAYER_ENVIRONMENT,
    authBaseUrl: trimSlash(config.TRUELAYER_AUTH_BASE_URL ?? hosts.auth),
    apiBaseUrl: trimSlash(config.TRUELAYER_API_BASE_URL ?? hosts.api),
    hppBaseUrl: trimSlash(config.TRUELAYER_HPP_BASE_URL ?? hosts.hpp),
    webhooksJwksUrl: `${trimSlash(config.TRUELAYER_WEBHOOKS_BASE_URL ?? hosts.webhooks)}/.well-known/jwks`,
    timeoutMs: config.TRUELAYER_HTTP_TIMEOUT_MS,
  };
}

const clientSchema = z.object({
  TRUELAYER_CLIENT_ID: z.string().check(z.minLength(1)),
  TRUELAYER_REDIRECT_URI: z.url(),
});

export interface TrueLayerClientIdentity {
  clientId: string;
  redirectUri: string;
}

export function readTrueLayerClient(env: NodeJS.ProcessEnv = process.env): TrueLayerClientIdentity {
  const config = readEnv(clientSchema, env);
  return { clientId: config.TRUELAYER_CLIENT_ID, redirectUri: config.TRUELAYER_REDIRECT_URI };
}
