import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import { httpHandler } from '../commons/http/handler.ts';
import { parseParameters } from '../commons/http/request.ts';
import { redirectResponse } from '../commons/http/responses.ts';
import { paymentReturnQuerySchema } from '../contract/onboarding-requests.ts';
import { handlePaymentReturn } from '../onboarding/payment-return.ts';
import { repository } from '../wiring/repository.ts';
import { startWorkflow } from '../wiring/start-workflow.ts';

const { RETURN_URL } = readEnv(z.object({ RETURN_URL: z.url() }));

/**
 * GET /payments/return: where TrueLayer's payment page sends the user back.
 * Public; the payment's outcome is read from TrueLayer by the workflow, and
 * the user goes on to the return page, which follows the onboarding.
 */
export const handler = httpHandler(
  async (event) => {
    const query = parseParameters(event.queryStringParameters, paymentReturnQuerySchema);
    const { onboardingId } = await handlePaymentReturn(query, {
      repository,
      startWorkflow: (id) => startWorkflow(id, 'payment'),
    });
    const target = new URL(RETURN_URL);
    target.searchParams.set('onboarding_id', onboardingId);
    return redirectResponse(target.toString());
  },
  { htmlErrors: true },
);
