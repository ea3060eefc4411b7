import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { redirectResponse } from '../commons/http/responses.ts';
import { identificationReturnQuerySchema } from '../contract/onboarding-requests.ts';
import { handleIdentificationReturn } from '../onboarding/identification-return.ts';
import { publish } from '../wiring/onboarding-publisher.ts';
import { now, repository } from '../wiring/repository.ts';

const { RETURN_URL } = readEnv(z.object({ RETURN_URL: z.url() }));

/**
 * GET /identification/return: where the Finnish bank sends the user back
 * after the identification (Finland). Public, protected by the single-use
 * state; the query's reference is never logged, and the answer is a redirect
 * to the return page that no longer carries it.
 */
export const handler = httpHandler(
  async (event) => {
    const query = parseParameters(event.queryStringParameters, identificationReturnQuerySchema);
    const { onboardingId, outcome } = await handleIdentificationReturn(query, { repository, publish, now });
    const target = new URL(RETURN_URL);
    target.searchParams.set('onboarding_id', onboardingId);
    if (outcome === 'denied') target.searchParams.set('outcome', 'denied');
    return redirectResponse(target.toString());
  },
  { htmlErrors: true },
);
