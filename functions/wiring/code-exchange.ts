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

/** Exchanges a user's authorization code (and its PKCE verifier) at the configured token endpoint. */
export const exchangeCodeAtTrueLayer = (code: string, codeVerifier?: string) =>
  exchangeAuthorizationCode(tokenDependencies, code, codeVerifier);
