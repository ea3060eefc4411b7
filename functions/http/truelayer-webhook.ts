import { httpHandler } from '../commons/http/handler.ts';
import { rawRequest } from '../commons/http/request.ts';
import { jsonResponse } from '../commons/http/responses.ts';
import { receivePaymentWebhook } from '../onboarding/payment-webhook.ts';
import { repository } from '../wiring/repository.ts';
import { startWorkflow } from '../wiring/start-workflow.ts';
import { verifyWebhook } from '../wiring/webhook-verifier.ts';

/**
 * POST /webhooks/truelayer: TrueLayer's payment webhooks (register this URL
 * in Console). Public: the signature proves the sender. Answered as soon as
 * the payment workflow is started, so TrueLayer never times out on us.
 */
export const handler = httpHandler(async (event) => {
  const outcome = await receivePaymentWebhook(rawRequest(event), {
    verify: verifyWebhook,
    repository,
    startWorkflow: (id) => startWorkflow(id, 'payment'),
    now: () => new Date(),
  });
  return jsonResponse(200, { outcome });
});
