import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { redirectResponse } from '../commons/http/responses.ts';
import { callbackQuerySchema } from '../contract/onboarding-requests.ts';
import { handleCallback } from '../onboarding/handle-callback.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';
import { startWorkflow } from '../wiring/start-workflow.ts';

const { RETURN_URL } = readEnv(z.object({ RETURN_URL: z.url() }));

/**
 * GET /callback: where TrueLayer sends the user back. Public, protected by the
 * single-use state. The query holds the authorization code, so it is never
 * logged, and the answer is a redirect that no longer carries it.
 */
export const handler = httpHandler(
  async (event) => {
    const query = parseParameters(event.queryStringParameters, callbackQuerySchema);
    // The user's address, for X-PSU-IP: API Gateway's view of the caller, never a header the caller sets.
    const endUserIp = event.requestContext.http.sourceIp;
    const { onboardingId, outcome } = await handleCallback(query, endUserIp, {
      repository,
      publish,
      now,
      startWorkflow,
    });
    const target = new URL(RETURN_URL);
    target.searchParams.set('onboarding_id', onboardingId);
    if (outcome === 'denied') target.searchParams.set('outcome', 'denied');
    return redirectResponse(target.toString());
  },
  { htmlErrors: true },
);
