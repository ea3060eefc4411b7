import * as z from 'zod/mini';
import { positiveIntFromEnv, readEnv } from '../commons/env.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseJsonBody } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { createOnboarding, createOnboardingRequestSchema } from '../onboarding/create-onboarding.ts';
import { readTrueLayerClient, readTrueLayerEndpoints } from '../truelayer/config.ts';
import { now, repository } from '../wiring/repository.ts';

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);
const endpoints = readTrueLayerEndpoints();
const client = readTrueLayerClient();
const config = readEnv(
  z.object({
    TRUELAYER_SCOPES: z.pipe(z._default(z.string(), 'info accounts signupplus'), z.transform(words)),
    // The sandbox's mock bank only exists in the sandbox.
    TRUELAYER_PROVIDERS: z.pipe(
      z._default(
        z.string(),
        endpoints.environment === 'sandbox' ? 'uk-cs-mock uk-ob-all uk-oauth-all' : 'uk-ob-all uk-oauth-all',
      ),
      z.transform(words),
    ),
    AUTH_LINK_TTL_SECONDS: positiveIntFromEnv(600),
    RECORD_RETENTION_DAYS: positiveIntFromEnv(30),
  }),
);
if (!config.TRUELAYER_SCOPES.includes('signupplus')) {
  throw new Error('TRUELAYER_SCOPES must include signupplus');
}

const settings = {
  authBaseUrl: endpoints.authBaseUrl,
  clientId: client.clientId,
  redirectUri: client.redirectUri,
  scopes: config.TRUELAYER_SCOPES,
  providers: config.TRUELAYER_PROVIDERS,
  authLinkTtlSeconds: config.AUTH_LINK_TTL_SECONDS,
  retentionDays: config.RECORD_RETENTION_DAYS,
};

/** POST /onboardings: a new onboarding and the auth link to send the user to. */
export const handler = httpHandler(async (event) => {
  const request = parseJsonBody(event, createOnboardingRequestSchema);
  const created = await createOnboarding(request, { repository, settings, now });
  const response = jsonResponse(201, created);
  return { ...response, headers: { ...response.headers, location: `/onboardings/${created.onboarding_id}` } };
});
