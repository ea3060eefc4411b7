import * as z from 'zod/mini';
import { ConfigurationError, readEnv } from '../commons/env.ts';
import { journeySettingsSchema } from '../commons/journey-settings.ts';
import { readTrueLayerClient, readTrueLayerEndpoints } from '../truelayer/config.ts';
import type { CreateOnboardingSettings } from './create-onboarding.ts';

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** What `POST /onboardings` is configured with, read once like the connections' settings. */
export function readCreateOnboardingSettings(env: NodeJS.ProcessEnv = process.env): CreateOnboardingSettings {
  const endpoints = readTrueLayerEndpoints(env);
  const client = readTrueLayerClient(env);
  const config = readEnv(
    z.extend(journeySettingsSchema, {
      TRUELAYER_SCOPES: z.pipe(z._default(z.string(), 'info accounts signupplus'), z.transform(words)),
      // The sandbox's mock bank only exists in the sandbox.
      TRUELAYER_PROVIDERS: z.pipe(
        z._default(
          z.string(),
          endpoints.environment === 'sandbox'
            ? 'uk-cs-mock uk-ob-all uk-oauth-all'
            : 'uk-ob-all uk-oauth-all',
        ),
        z.transform(words),
      ),
    }),
    env,
  );
  if (!config.TRUELAYER_SCOPES.includes('signupplus')) {
    throw new ConfigurationError('TRUELAYER_SCOPES must include signupplus');
  }
  return {
    authBaseUrl: endpoints.authBaseUrl,
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    scopes: config.TRUELAYER_SCOPES,
    providers: config.TRUELAYER_PROVIDERS,
    authLinkTtlSeconds: config.AUTH_LINK_TTL_SECONDS,
    retentionDays: config.RECORD_RETENTION_DAYS,
  };
}

/** What the payment flow is configured with: the merchant account paid into, and where the payment page returns. */
export function readPaymentSettings(env: NodeJS.ProcessEnv = process.env): {
  merchantAccountId: string;
  returnUri: string;
} {
  const config = readEnv(
    z.object({
      TRUELAYER_MERCHANT_ACCOUNT_ID: z.string().check(z.trim(), z.minLength(1)),
      PAYMENT_RETURN_URL: z.url(),
    }),
    env,
  );
  return { merchantAccountId: config.TRUELAYER_MERCHANT_ACCOUNT_ID, returnUri: config.PAYMENT_RETURN_URL };
}
