import { secretsManagerClientSecret } from '../truelayer/client-secret.ts';
import { readTrueLayerClient, readTrueLayerEndpoints } from '../truelayer/config.ts';
import { exchangeAuthorizationCode } from '../truelayer/token-client.ts';

/**
 * Only the code exchange needs the client's identity and its secret, so only
 * the function that does it loads Secrets Manager.
 */
const tokenDependencies = {
  endpoints: readTrueLayerEndpoints(),
  client: readTrueLayerClient(),
  clientSecret: secretsManagerClientSecret(),
};

/** Exchanges a user's authorization code at the configured environment's token endpoint. */
export const exchangeCodeAtTrueLayer = (code: string) => exchangeAuthorizationCode(tokenDependencies, code);
