import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { redirectResponse } from '../commons/http/responses.ts';
import { handleConnectionReturn } from '../connections/handle-return.ts';
import { connectionReturnQuerySchema } from '../contract/connection-requests.ts';
import { connectionRepository } from '../wiring/connection-repository.ts';
import { dataConnections } from '../wiring/data-connections.ts';
import { publish } from '../wiring/publisher.ts';
import { startWorkflow } from '../wiring/start-workflow.ts';

/** Where users go when the connection request named no return page of its own. */
const { RETURN_URL } = readEnv(z.object({ RETURN_URL: z.url() }));

/**
 * GET /connections/return: where TrueLayer sends the user back (the product
 * registers this URL and gives it to TrueLayer in place of the caller's). The
 * outcome is confirmed with TrueLayer and recorded, then the user goes on to
 * the caller's own return page with the connection id and the outcome.
 */
export const handler = httpHandler(
  async (event) => {
    const query = parseParameters(event.queryStringParameters, connectionReturnQuerySchema);
    const { record, outcome } = await handleConnectionReturn(query, {
      trueLayer: dataConnections,
      repository: connectionRepository,
      publish,
      startSignupPlus: (onboardingId) => startWorkflow(onboardingId, 'connection'),
      now: () => new Date(),
    });
    const target = new URL(record.return_uri ?? RETURN_URL);
    target.searchParams.set('connection_id', record.connection_id);
    target.searchParams.set('onboarding_id', record.onboarding_id);
    target.searchParams.set('status', outcome);
    if ((outcome === 'failed' || outcome === 'expired') && record.failure) {
      target.searchParams.set('error', record.failure.reason);
    }
    return redirectResponse(target.toString());
  },
  { htmlErrors: true },
);
