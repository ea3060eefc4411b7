import { secretsManagerClientSecret } from '../truelayer/client-secret.ts';
import { readTrueLayerClient, readTrueLayerEndpoints } from '../truelayer/config.ts';
import { getSignupPlusAccounts } from '../truelayer/signup-plus-client.ts';
import { exchangeAuthorizationCode } from '../truelayer/token-client.ts';

export const endpoints = readTrueLayerEndpoints();

/** Lazily built: only the token step needs the client identity and its secret. */
export function tokenDependencies() {
  return { endpoints, client: readTrueLayerClient(), clientSecret: secretsManagerClientSecret() };
}

export const fetchSignupPlusAccounts = (accessToken: string, accountId?: string) =>
  getSignupPlusAccounts(endpoints, accessToken, accountId);

export { exchangeAuthorizationCode };
