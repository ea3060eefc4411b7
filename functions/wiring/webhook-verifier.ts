import { readTrueLayerEndpoints } from '../truelayer/config.ts';
import { TrueLayerContractError } from '../truelayer/errors.ts';
import { sendToTrueLayer } from '../truelayer/http.ts';
import { webhookVerifier } from '../truelayer/webhook-signature.ts';

const endpoints = readTrueLayerEndpoints();

/** TrueLayer's webhook signatures, checked against its key set for the configured environment. */
export const verifyWebhook = webhookVerifier({
  jwksUrl: endpoints.webhooksJwksUrl,
  fetchJwks: async (url) => {
    const response = await sendToTrueLayer(
      url,
      { method: 'GET', headers: { accept: 'application/json' } },
      { timeoutMs: endpoints.timeoutMs, operation: 'webhook key set' },
    );
    if (response.status !== 200) {
      throw new TrueLayerContractError(`webhook key set: TrueLayer answered ${response.status}`, {
        truelayer: { status: response.status, ...response.support },
      });
    }
    return JSON.stringify(response.body);
  },
  now: Date.now,
});
