import { secretsManagerClientSecret } from '../truelayer/client-secret.ts';
import { readTrueLayerClient, readTrueLayerEndpoints } from '../truelayer/config.ts';
import { cachedClientToken } from '../truelayer/token-cache.ts';
import { requestClientCredentialsToken } from '../truelayer/token-client.ts';

export const endpoints = readTrueLayerEndpoints();
const tokenDependencies = {
  endpoints,
  client: readTrueLayerClient(),
  clientSecret: secretsManagerClientSecret(),
};

/** One client-credentials token per scope set, per execution environment. */
export const clientToken = (
  scope:
    | 'payments'
    | 'payments signupplus'
    | 'recurring_payments:sweeping'
    | 'recurring_payments:sweeping signupplus',
) => cachedClientToken(() => requestClientCredentialsToken(tokenDependencies, scope));
